/** Tox IDs: checksum, text format, parsing errors and nospam conversions. */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { fromHex, isToxError, toHex } from '../../../src/base/index.js';
import {
  TOX_ID_SIZE, formatToxId, nospamBytes, nospamNumber, parseToxId, toxIdBytes, toxIdChecksum, type LongTermPublicKey, type ToxId,
} from '../../../src/crypto/index.js';

/** Public key 00 01 02 … 1f, nospam DE AD BE EF. */
const KNOWN: ToxId = {
  publicKey: Uint8Array.from({ length: 32 }, (_, i) => i) as LongTermPublicKey,
  nospam: Uint8Array.of(0xde, 0xad, 0xbe, 0xef),
};
/*
 * Checksum by hand: byte i of the 36 key+nospam bytes is XORed into checksum[i % 2].
 * Even positions: 0^2^4^…^30 = 2·(0^1^…^15) = 0, then ^0xDE ^0xBE = 0x60.
 * Odd positions:  1^3^…^31 = 2·(0^…^15) ^ (sixteen 1s) = 0, then ^0xAD ^0xEF = 0x42.
 */
const KNOWN_TEXT = '000102030405060708090A0B0C0D0E0F101112131415161718191A1B1C1D1E1F' + 'DEADBEEF' + '6042';

function codeOf(fn: () => unknown): string | undefined {
  try {
    fn();
  } catch (err) {
    return isToxError(err) ? err.code : `non-ToxError: ${String(err)}`;
  }
  return undefined;
}

const validKey = fc.uint8Array({ minLength: 32, maxLength: 32 }).map((k) => {
  k[31]! &= 0x7f;
  return k as LongTermPublicKey;
});
const idArb = fc.record({ publicKey: validKey, nospam: fc.uint8Array({ minLength: 4, maxLength: 4 }) });

describe('Tox ID', () => {
  it('formats the known vector with its hand-computed checksum', () => {
    expect(toHex(toxIdChecksum(toxIdBytes(KNOWN)))).toBe('6042');
    expect(formatToxId(KNOWN)).toBe(KNOWN_TEXT);
    expect(toxIdBytes(KNOWN).length).toBe(TOX_ID_SIZE);
  });

  it('parses the known vector in any case, with a tox: prefix and whitespace', () => {
    for (const text of [KNOWN_TEXT, KNOWN_TEXT.toLowerCase(), `tox:${KNOWN_TEXT}`, `TOX:${KNOWN_TEXT.toLowerCase()}`, `  ${KNOWN_TEXT}\n`]) {
      expect(parseToxId(text), text).toEqual(KNOWN);
    }
    expect(parseToxId(fromHex(KNOWN_TEXT))).toEqual(KNOWN);
  });

  it('round-trips any valid ID through text and bytes', () => {
    fc.assert(fc.property(idArb, (id) => {
      expect(parseToxId(formatToxId(id))).toEqual(id);
      expect(parseToxId(toxIdBytes(id))).toEqual(id);
    }));
  });

  it('rejects a bad checksum', () => {
    const text = KNOWN_TEXT.slice(0, -1) + '3';
    expect(codeOf(() => parseToxId(text))).toBe('TOX_ID_BAD_CHECKSUM');
    fc.assert(fc.property(idArb, fc.integer({ min: 0, max: TOX_ID_SIZE * 8 - 1 }), (id, bit) => {
      const bytes = toxIdBytes(id);
      bytes[bit >> 3]! ^= 1 << (bit & 7);
      // A flipped key, nospam or checksum bit always breaks the XOR checksum.
      expect(codeOf(() => parseToxId(bytes))).toBe('TOX_ID_BAD_CHECKSUM');
    }));
  });

  it('rejects bad lengths and non-hex text', () => {
    expect(codeOf(() => parseToxId(KNOWN_TEXT.slice(2)))).toBe('TOX_ID_BAD_LENGTH');
    expect(codeOf(() => parseToxId(KNOWN_TEXT + '00'))).toBe('TOX_ID_BAD_LENGTH');
    expect(codeOf(() => parseToxId(''))).toBe('TOX_ID_BAD_LENGTH');
    expect(codeOf(() => parseToxId(new Uint8Array(37)))).toBe('TOX_ID_BAD_LENGTH');
    expect(codeOf(() => parseToxId('G' + KNOWN_TEXT.slice(1)))).toBe('TOX_ID_BAD_HEX');
    expect(codeOf(() => parseToxId(KNOWN_TEXT.slice(0, 10) + ' ' + KNOWN_TEXT.slice(11)))).toBe('TOX_ID_BAD_HEX');
  });

  it('rejects an invalid public key even with a correct checksum', () => {
    const key = new Uint8Array(KNOWN.publicKey);
    key[31] = 0x9f;
    const text = formatToxId({ publicKey: key as LongTermPublicKey, nospam: KNOWN.nospam });
    expect(codeOf(() => parseToxId(text))).toBe('TOX_ID_BAD_PUBLIC_KEY');
  });

  it('does not alias the parsed input', () => {
    const bytes = fromHex(KNOWN_TEXT);
    const id = parseToxId(bytes);
    bytes.fill(0);
    expect(formatToxId(id)).toBe(KNOWN_TEXT);
  });
});

describe('nospam', () => {
  it('reads and writes the 4 bytes big-endian', () => {
    expect(nospamNumber(Uint8Array.of(0xde, 0xad, 0xbe, 0xef))).toBe(0xdeadbeef);
    expect(nospamNumber(Uint8Array.of(0, 0, 0, 1))).toBe(1);
    expect(nospamBytes(0x01020304)).toEqual(Uint8Array.of(1, 2, 3, 4));
    expect(nospamBytes(0xffffffff)).toEqual(Uint8Array.of(0xff, 0xff, 0xff, 0xff));
  });

  it('round-trips every u32', () => {
    fc.assert(fc.property(fc.nat({ max: 0xffff_ffff }), (n) => {
      expect(nospamNumber(nospamBytes(n))).toBe(n);
    }));
  });
});
