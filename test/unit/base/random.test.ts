/** SeededRandom (determinism, forks, bounds, uniformity) and CryptoRandom (sizes, ranges). */
import { describe, expect, it } from 'vitest';
import { CryptoRandom, InvalidArgumentError, SeededRandom, type Random } from '../../../src/base/index.js';

function draw(r: Random, n: number): number[] {
  return Array.from({ length: n }, () => r.u32());
}

/** Pearson chi-square statistic of `samples` over `bins` equally likely outcomes. */
function chiSquare(samples: number[], bins: number): number {
  const counts = new Array<number>(bins).fill(0);
  for (const s of samples) counts[s]!++;
  const expected = samples.length / bins;
  return counts.reduce((sum, c) => sum + (c - expected) ** 2 / expected, 0);
}

describe('SeededRandom', () => {
  it('is deterministic per seed and differs between seeds', () => {
    expect(draw(new SeededRandom(7), 50)).toEqual(draw(new SeededRandom(7), 50));
    expect(new SeededRandom(7).bytes(33)).toEqual(new SeededRandom(7).bytes(33));
    expect(draw(new SeededRandom(7), 10)).not.toEqual(draw(new SeededRandom(8), 10));
    expect(new SeededRandom(1).deterministic).toBe(true);
  });

  it('produces 32-bit unsigned words that are not stuck', () => {
    const words = draw(new SeededRandom(0), 1000);
    for (const w of words) expect(Number.isInteger(w) && w >= 0 && w < 2 ** 32).toBe(true);
    expect(new Set(words).size).toBeGreaterThan(990);
    // Both halves of the range occur (catches a lost unsigned shift).
    expect(words.some((w) => w >= 2 ** 31)).toBe(true);
  });

  it('forks deterministic streams that are independent of the parent', () => {
    const a = new SeededRandom(42);
    const b = new SeededRandom(42);
    const forkA = a.fork();
    const forkB = b.fork();
    expect(draw(forkA, 20)).toEqual(draw(forkB, 20));
    // Consuming a fork does not move its parent: both parents stay in step.
    expect(draw(a, 20)).toEqual(draw(b, 20));
    const parent = new SeededRandom(42);
    const child = parent.fork();
    expect(draw(child, 20)).not.toEqual(draw(parent, 20));
    expect(draw(parent.fork(), 20)).not.toEqual(draw(parent.fork(), 20));
  });

  it('keeps int(bound) within [0, bound) at the edges', () => {
    const r = new SeededRandom(3);
    for (let i = 0; i < 100; i++) expect(r.int(1)).toBe(0);
    for (let i = 0; i < 1000; i++) {
      const x = r.int(3);
      expect(x === 0 || x === 1 || x === 2).toBe(true);
      const big = r.int(2 ** 32);
      expect(big >= 0 && big < 2 ** 32).toBe(true);
    }
    for (const bad of [0, -1, 1.5, 2 ** 32 + 1, Number.NaN]) expect(() => r.int(bad)).toThrow(InvalidArgumentError);
  });

  it('spreads int(bound) roughly uniformly', () => {
    const r = new SeededRandom(11);
    const samples = Array.from({ length: 20_000 }, () => r.int(10));
    // 9 degrees of freedom: the 99.9th percentile is 27.9.
    expect(chiSquare(samples, 10)).toBeLessThan(27.9);
    // A bound that does not divide 2^32 (exercises rejection); 6 degrees of freedom: 22.46.
    const odd = Array.from({ length: 20_000 }, () => r.int(7));
    expect(chiSquare(odd, 7)).toBeLessThan(22.46);
    // Plain `u32 % bound` would put half the mass below 2^30 for this bound; uniform puts a third.
    const bound = 3 * 2 ** 30;
    const low = Array.from({ length: 6000 }, () => r.int(bound)).filter((x) => x < 2 ** 30).length / 6000;
    expect(low).toBeGreaterThan(0.3);
    expect(low).toBeLessThan(0.37);
  });

  it('draws floats in [0, 1) and bytes of any length', () => {
    const r = new SeededRandom(5);
    for (let i = 0; i < 1000; i++) {
      const f = r.float();
      expect(f >= 0 && f < 1).toBe(true);
    }
    for (const n of [0, 1, 3, 4, 5, 31, 32, 33]) expect(r.bytes(n).length).toBe(n);
    const bytes = r.bytes(4096);
    expect(new Set(bytes).size).toBe(256);
  });
});

describe('CryptoRandom', () => {
  it('returns the requested number of bytes, not all zero', () => {
    const r = new CryptoRandom();
    expect(r.deterministic).toBe(false);
    for (const n of [0, 1, 24, 32, 33, 1000, 4095, 4096, 10_000]) expect(r.bytes(n).length).toBe(n);
    expect(r.bytes(32).some((b) => b !== 0)).toBe(true);
    expect(r.bytes(32)).not.toEqual(r.bytes(32));
  });

  it('never hands out the same bytes twice, across batch boundaries too', () => {
    const r = new CryptoRandom();
    const seen = new Set<string>();
    // 24-byte nonces through several 4 KiB batches, with odd sizes and words in between to shift the boundaries.
    for (let i = 0; i < 600; i++) {
      seen.add(Buffer.from(r.bytes(24)).toString('hex'));
      if (i % 7 === 0) r.bytes(13);
      if (i % 5 === 0) r.u32();
    }
    expect(seen.size).toBe(600);
    const a = r.bytes(4000);
    const b = r.bytes(4000);
    expect(Buffer.from(a).equals(Buffer.from(b))).toBe(false);
    expect(a.some((x) => x !== 0) && b.some((x) => x !== 0)).toBe(true);
  });

  it('draws u32 and bounded integers in range', () => {
    const r = new CryptoRandom();
    const words = draw(r, 200);
    for (const w of words) expect(Number.isInteger(w) && w >= 0 && w < 2 ** 32).toBe(true);
    expect(new Set(words).size).toBeGreaterThan(195);
    for (let i = 0; i < 200; i++) {
      const x = r.int(6);
      expect(x >= 0 && x < 6 && Number.isInteger(x)).toBe(true);
    }
  });
});
