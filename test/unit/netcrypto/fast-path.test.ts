// The engine's hand-written data-packet encoders and decoders agree byte for byte with the
// declared codecs (DataPacket, DataPlain), on generated values and on hostile bytes.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  DataPacket,
  DataPlain,
  MAX_DATA_PLAIN_SIZE,
  decodeDataPacket,
  decodeDataPlain,
  encodeDataPacket,
  encodeDataPlain,
} from '../../../src/netcrypto/index.js';
import { arbitraryFor } from '../../support/arbitraries.js';

const hex = (b: Uint8Array): string => Buffer.from(b).toString('hex');

describe('data packet fast path', () => {
  it('encodeDataPlain = DataPlain.encode, even with a dirty scratch buffer', () => {
    const scratch = new Uint8Array(MAX_DATA_PLAIN_SIZE).fill(0xee);
    fc.assert(
      fc.property(arbitraryFor(DataPlain.codec), (value) => {
        const fast = encodeDataPlain(value.bufferStart, value.packetNumber, value.payload, scratch);
        expect(hex(fast)).toBe(hex(DataPlain.encode(value)));
      }),
      { numRuns: 300 },
    );
  });

  it('decodeDataPlain accepts exactly what DataPlain decodes, with the same value', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 1400 }), fc.nat(20), (bytes, zeros) => {
        const input = Uint8Array.from([...bytes.subarray(0, 8), ...new Uint8Array(Math.min(zeros, bytes.length)), ...bytes.subarray(8)]);
        const slow = DataPlain.tryDecode(input);
        const fast = decodeDataPlain(input);
        expect(fast !== undefined).toBe(slow.ok);
        if (fast && slow.ok) expect({ ...fast, payload: hex(fast.payload) }).toEqual({ ...slow.value, payload: hex(slow.value.payload) });
      }),
      { numRuns: 500 },
    );
  });

  it('encodeDataPacket / decodeDataPacket match DataPacket', () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 0xffff }), fc.uint8Array({ minLength: 25, maxLength: 1397 }), (nonceLow, sealed) => {
        const fast = encodeDataPacket(nonceLow, sealed);
        expect(hex(fast)).toBe(hex(DataPacket.encode({ nonceLow, sealed })));
        const decoded = decodeDataPacket(fast)!;
        expect([decoded.nonceLow, hex(decoded.sealed)]).toEqual([nonceLow, hex(sealed)]);
      }),
      { numRuns: 200 },
    );
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 1410 }), fc.boolean(), (bytes, tagged) => {
        const input = tagged && bytes.length > 0 ? Uint8Array.from([0x1b, ...bytes.subarray(1)]) : bytes;
        expect(decodeDataPacket(input) !== undefined).toBe(DataPacket.tryDecode(input).ok);
      }),
      { numRuns: 500 },
    );
  });
});
