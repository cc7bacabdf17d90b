/**
 * c-toxcore's "state" framing, used at the top level of savedata (cookie
 * 0x01CE) and again inside the DHT section (cookie 0x11CE): a run of
 * `[u32 LE length][u16 LE type][u16 LE cookie][body]` sections. Splitting
 * reports damage as ProfileError with absolute offsets.
 */
import { concatBytes } from '../../base/index.js';
import { ProfileError } from '../errors.js';
import { SECTION_HEADER_SIZE, SECTION_TYPE, SectionHeader } from './sections.js';

export interface RawSection {
  readonly type: number;
  readonly body: Uint8Array;
  /** Offset of the section header in the whole savedata buffer. */
  readonly offset: number;
}

export interface SplitResult {
  readonly sections: RawSection[];
  /** The terminating section (type `endType`), when one was found; bytes after it are ignored. */
  readonly end: RawSection | undefined;
}

const SECTION_NAMES = new Map<number, string>(Object.entries(SECTION_TYPE).map(([name, type]) => [type, name]));

/** `FRIENDS (type 3)`, or `unknown (type 42)`. */
export function describeSection(type: number): string {
  return `${SECTION_NAMES.get(type) ?? 'unknown'} (type ${type})`;
}

function hex16(value: number): string {
  return '0x' + value.toString(16).toUpperCase().padStart(4, '0');
}

export interface SplitOptions {
  /** Stop at the first section of this type. */
  endType?: number;
  /** Names a section type in error messages (default: the top-level section names). */
  describe?: (type: number) => string;
}

/**
 * Splits `region` (which starts at `base` in the whole buffer) into sections.
 * Like c-toxcore, fails on a wrong cookie, a body that overruns the region, or
 * stray bytes too short for a header.
 */
export function splitSections(region: Uint8Array, base: number, cookie: number, options: SplitOptions = {}): SplitResult {
  const { endType, describe = describeSection } = options;
  const sections: RawSection[] = [];
  let at = 0;
  while (region.length - at >= SECTION_HEADER_SIZE) {
    const offset = base + at;
    const header = SectionHeader.decode(region.subarray(at, at + SECTION_HEADER_SIZE));
    const details = { offset, sectionType: header.type };
    if (header.cookie !== cookie) {
      throw new ProfileError(
        'PROFILE_BAD_SECTION',
        `corrupted section header at offset ${offset}: cookie ${hex16(header.cookie)} where ${hex16(cookie)} belongs (type field ${header.type})`,
        details,
      );
    }
    const bodyStart = at + SECTION_HEADER_SIZE;
    const available = region.length - bodyStart;
    if (header.length > available) {
      throw new ProfileError(
        'PROFILE_TRUNCATED',
        `section ${describe(header.type)} at offset ${offset} declares ${header.length} bytes but only ${available} follow`,
        details,
      );
    }
    const section = { type: header.type, body: region.subarray(bodyStart, bodyStart + header.length), offset };
    if (header.type === endType) return { sections, end: section };
    sections.push(section);
    at = bodyStart + header.length;
  }
  if (at !== region.length) {
    throw new ProfileError(
      'PROFILE_TRUNCATED',
      `${region.length - at} stray bytes at offset ${base + at}, too short for a section header`,
      { offset: base + at },
    );
  }
  return { sections, end: undefined };
}

/** Frames each body with its section header. */
export function joinSections(sections: ReadonlyArray<{ type: number; body: Uint8Array }>, cookie: number): Uint8Array {
  const parts: Uint8Array[] = [];
  for (const { type, body } of sections) {
    parts.push(SectionHeader.encode({ length: body.length, type, cookie }), body);
  }
  return concatBytes(...parts);
}
