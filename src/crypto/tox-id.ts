/**
 * Tox IDs (addresses): 32-byte long-term public key, 4-byte nospam and a 2-byte
 * XOR checksum, shown as 76 hex characters. Nospam is kept as its 4 raw bytes;
 * `nospamNumber` gives c-toxcore's API value (their big-endian reading).
 */
import { ToxError, fromHex, toHex } from '../base/index.js';
import type { LongTermPublicKey } from './keys.js';
import { PUBLIC_KEY_SIZE, publicKeyValid } from './keys.js';

export const TOX_ID_SIZE = 38;
export const NOSPAM_SIZE = 4;

export type ToxIdErrorCode = 'TOX_ID_BAD_LENGTH' | 'TOX_ID_BAD_HEX' | 'TOX_ID_BAD_CHECKSUM' | 'TOX_ID_BAD_PUBLIC_KEY';

export class ToxIdError extends ToxError {
  constructor(code: ToxIdErrorCode, message: string) {
    super(code, message);
  }
}

export interface ToxId {
  readonly publicKey: LongTermPublicKey;
  /** The 4 nospam bytes exactly as they appear in the address. */
  readonly nospam: Uint8Array;
}

export function toxIdChecksum(keyAndNospam: Uint8Array): Uint8Array {
  const sum = new Uint8Array(2);
  for (let i = 0; i < PUBLIC_KEY_SIZE + NOSPAM_SIZE; i++) sum[i % 2]! ^= keyAndNospam[i]!;
  return sum;
}

export function toxIdBytes(id: ToxId): Uint8Array {
  const out = new Uint8Array(TOX_ID_SIZE);
  out.set(id.publicKey, 0);
  out.set(id.nospam, PUBLIC_KEY_SIZE);
  out.set(toxIdChecksum(out), PUBLIC_KEY_SIZE + NOSPAM_SIZE);
  return out;
}

/** 76 upper-case hex characters, as Tox clients display it. */
export function formatToxId(id: ToxId): string {
  return toHex(toxIdBytes(id), true);
}

/** Parses 38 bytes or 76 hex characters (surrounding whitespace and a `tox:` prefix allowed). */
export function parseToxId(input: string | Uint8Array): ToxId {
  let bytes: Uint8Array;
  if (typeof input === 'string') {
    const text = input.trim().replace(/^tox:/i, '');
    if (text.length !== TOX_ID_SIZE * 2) throw new ToxIdError('TOX_ID_BAD_LENGTH', `a Tox ID is ${TOX_ID_SIZE * 2} hex characters, got ${text.length}`);
    try {
      bytes = fromHex(text);
    } catch {
      throw new ToxIdError('TOX_ID_BAD_HEX', 'a Tox ID must contain only hexadecimal characters');
    }
  } else {
    if (input.length !== TOX_ID_SIZE) throw new ToxIdError('TOX_ID_BAD_LENGTH', `a Tox ID is ${TOX_ID_SIZE} bytes, got ${input.length}`);
    bytes = input;
  }
  const sum = toxIdChecksum(bytes);
  if (sum[0] !== bytes[36] || sum[1] !== bytes[37]) throw new ToxIdError('TOX_ID_BAD_CHECKSUM', 'the Tox ID checksum does not match (mistyped ID?)');
  const publicKey = bytes.slice(0, PUBLIC_KEY_SIZE) as LongTermPublicKey;
  // c-toxcore reports an invalid key as a bad checksum too; ours says what is wrong.
  if (!publicKeyValid(publicKey)) throw new ToxIdError('TOX_ID_BAD_PUBLIC_KEY', 'the Tox ID holds an invalid public key (high bit of its last byte is set)');
  return { publicKey, nospam: bytes.slice(PUBLIC_KEY_SIZE, PUBLIC_KEY_SIZE + NOSPAM_SIZE) };
}

/** c-toxcore's `tox_self_get_nospam()` value: the big-endian reading of the 4 bytes. */
export function nospamNumber(nospam: Uint8Array): number {
  return ((nospam[0]! << 24) | (nospam[1]! << 16) | (nospam[2]! << 8) | nospam[3]!) >>> 0;
}

export function nospamBytes(value: number): Uint8Array {
  return new Uint8Array([(value >>> 24) & 0xff, (value >>> 16) & 0xff, (value >>> 8) & 0xff, value & 0xff]);
}
