/**
 * Tests of the test machinery: the shape-driven arbitraries cover every shape
 * kind and respect bounds, and the wire properties really fail on broken codecs.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  array, boundedUint, bytes, definePacket, literal, mapped, rest, struct, u16be, u16le, u32le, u64be, u64le, u8, union, varBytes,
  type Codec,
} from '../../src/binary/index.js';
import { DEFAULT_BUDGET, arbitraryFor, minSize } from '../support/arbitraries.js';
import { checkCanonical, checkHostile, checkRoundTrip } from './properties.js';

const half = mapped(
  u8,
  (v, fail) => (v % 2 === 0 ? v / 2 : fail('odd')),
  (h: number) => h * 2,
);

/** One codec using every Shape kind and every array count kind. */
const kitchenSink = struct({
  magic: literal(0x1234, 2),
  small: boundedUint(2, 1000),
  le: u32le,
  big: u64be,
  bigLe: u64le,
  key: bytes(4),
  name: varBytes(u8, 20),
  list: array(u16be, { prefix: boundedUint(1, 5), max: 10 }),
  trio: array(u8, { count: 3 }),
  choice: union('kind', u8, { 1: struct({ x: u8 }), 2: struct({ y: varBytes(u16le, 3000) }) }),
  half,
  tail: array(struct({ n: u8, s: varBytes(u8, 3) }), { rest: true, max: 50 }),
});
const sinkPacket = definePacket('selftest.KitchenSink', kitchenSink, { id: 0x42 });

describe('arbitraries', () => {
  it('generate values of every shape kind that round-trip and survive hostile input', () => {
    checkRoundTrip(sinkPacket, 100);
    checkCanonical(sinkPacket, 100);
    checkHostile(sinkPacket, 30);
  });

  it('respect declared maxima, prefix limits and map decoders', () => {
    fc.assert(
      fc.property(arbitraryFor(kitchenSink), (v) => {
        expect(v.small).toBeLessThanOrEqual(1000);
        expect(v.list.length).toBeLessThanOrEqual(5);
        expect(v.name.length).toBeLessThanOrEqual(20);
        expect(v.tail.length).toBeLessThanOrEqual(50);
        expect(v.half).toBeLessThan(128);
        expect(v.magic).toBe(0x1234);
      }),
      { numRuns: 200 },
    );
  });

  it('keep one sample within the byte budget', () => {
    const big = struct({ a: rest(1 << 20) });
    const many = array(varBytes(u16be, 60_000), { prefix: u16be, max: 60_000 });
    fc.assert(
      fc.property(arbitraryFor(big), arbitraryFor(many), (a, m) => {
        expect(big.size(a)).toBeLessThanOrEqual(DEFAULT_BUDGET);
        expect(many.size(m)).toBeLessThanOrEqual(DEFAULT_BUDGET + 2 * m.length + 2);
      }),
      { numRuns: 100 },
    );
  });

  it('reach both ends of a length range', () => {
    const seen = new Set<number>();
    fc.assert(fc.property(arbitraryFor(varBytes(u8, 5)), (b) => void seen.add(b.length)), { numRuns: 300 });
    expect(seen.has(0) && seen.has(5)).toBe(true);
  });

  it('compute minimal sizes', () => {
    expect(minSize(kitchenSink.shape)).toBe(2 + 2 + 4 + 8 + 8 + 4 + 1 + 1 + 3 + 2 + 1 + 0);
  });
});

/** Runs a property check expected to fail; returns its message and the underlying cause. */
function failureOf(check: () => void): string {
  try {
    check();
  } catch (err) {
    const e = err as Error;
    return `${e.message}\ncause: ${String(e.cause)}`;
  }
  return 'no failure';
}

describe('wire properties fail on broken codecs', () => {
  const lossy = mapped(u8, (v) => v & 0x7f, (v: number) => v);

  it('byte-exact re-encode catches a non-canonical format', () => {
    expect(failureOf(() => checkCanonical(definePacket('selftest.Lossy', lossy), 200))).toMatch(/seed[\s\S]*re-encodes as/);
  });

  it('nonCanonical packets get the relaxed re-encode property instead', () => {
    expect(() => checkCanonical(definePacket('selftest.Lossy', lossy, { nonCanonical: true }), 200)).not.toThrow();
  });

  it('hostile input catches a decoder that throws something other than DecodeError', () => {
    const buggy: Codec<number> = {
      ...u8,
      read(r) {
        const v = r.u8();
        if (v >= 128) throw new RangeError('decoder bug');
        return v;
      },
    };
    expect(failureOf(() => checkHostile(definePacket('selftest.Buggy', buggy), 200))).toMatch(/seed[\s\S]*decoder bug/);
  });

  it('round trip catches an encoder and decoder that disagree', () => {
    const skewed = mapped(u8, (v) => v, (v: number) => v ^ 1);
    expect(failureOf(() => checkRoundTrip(definePacket('selftest.Skewed', skewed), 50))).toMatch(/seed[\s\S]*cause: AssertionError/);
  });

  it('round trip catches a size that disagrees with the encoder', () => {
    const liar: Codec<number> = { ...u8, size: () => 2 };
    expect(failureOf(() => checkRoundTrip(definePacket('selftest.Liar', liar), 50))).toMatch(/seed[\s\S]*trailing bytes/);
  });
});
