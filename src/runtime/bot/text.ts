/**
 * Text that must fit Tox limits measured in UTF-8 bytes: `splitMessage` cuts
 * long text into messages (at whitespace when possible, never inside a
 * character or a grapheme cluster such as an emoji sequence), `truncateUtf8`
 * shortens names and titles the same careful way.
 */
import { InvalidArgumentError } from '../../base/index.js';

/** UTF-8 length of `text` as TextEncoder would encode it (lone surrogates become 3-byte U+FFFD). */
export function utf8Length(text: string): number {
  let bytes = 0;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c < 0x80) bytes += 1;
    else if (c < 0x800) bytes += 2;
    else if (c >= 0xd800 && c <= 0xdbff && i + 1 < text.length && (text.charCodeAt(i + 1) & 0xfc00) === 0xdc00) {
      bytes += 4;
      i++;
    } else bytes += 3;
  }
  return bytes;
}

function checkMax(maxBytes: number): void {
  if (!Number.isInteger(maxBytes) || maxBytes < 4) throw new InvalidArgumentError(`maxBytes must be an integer >= 4, got ${maxBytes}`);
}

/** Grapheme clusters of `text`, each split further into code points if it alone exceeds `maxBytes`. */
function pieces(text: string, maxBytes: number): string[] {
  const out: string[] = [];
  for (const { segment } of new Intl.Segmenter(undefined, { granularity: 'grapheme' }).segment(text)) {
    if (utf8Length(segment) <= maxBytes) out.push(segment);
    else out.push(...Array.from(segment));
  }
  return out;
}

const WHITESPACE = /^\s+$/;

/**
 * Splits `text` into parts of at most `maxBytes` UTF-8 bytes each. A part ends
 * at a line break (right after it, or the last one in its second half), else
 * at whitespace (right after it, or its last one), else at a grapheme
 * boundary; the break character itself is dropped. Empty text
 * gives no parts.
 */
export function splitMessage(text: string, maxBytes: number): string[] {
  checkMax(maxBytes);
  if (utf8Length(text) <= maxBytes) return text === '' ? [] : [text];
  const units = pieces(text, maxBytes);
  const sizes = units.map(utf8Length);
  const parts: string[] = [];
  let start = 0;
  while (start < units.length) {
    let end = start;
    let bytes = 0;
    let lastSpace = -1;
    let lastNewline = -1;
    while (end < units.length && bytes + sizes[end]! <= maxBytes) {
      const u = units[end]!;
      if (end > start && WHITESPACE.test(u)) {
        lastSpace = end;
        if (u.includes('\n') && bytes >= maxBytes / 2) lastNewline = end;
      }
      bytes += sizes[end]!;
      end++;
    }
    if (end === units.length) {
      parts.push(units.slice(start).join(''));
      break;
    }
    const after = units[end]!;
    const breakAfter = WHITESPACE.test(after);
    const cut = breakAfter && after.includes('\n') ? end : lastNewline >= 0 ? lastNewline : breakAfter ? end : lastSpace;
    if (cut > start) {
      parts.push(units.slice(start, cut).join(''));
      start = cut + 1;
    } else {
      parts.push(units.slice(start, end).join(''));
      start = end;
    }
  }
  return parts;
}

/** The longest prefix of `text` within `maxBytes` UTF-8 bytes that ends on a grapheme boundary. */
export function truncateUtf8(text: string, maxBytes: number): string {
  checkMax(maxBytes);
  if (utf8Length(text) <= maxBytes) return text;
  let out = '';
  let bytes = 0;
  for (const unit of pieces(text, maxBytes)) {
    const size = utf8Length(unit);
    if (bytes + size > maxBytes) break;
    out += unit;
    bytes += size;
  }
  return out;
}
