import { describe, expect, it } from 'vitest';
import { closer, commonPrefixBits, compareDistance } from '../../../src/dht/index.js';

const key = (...head: number[]): Uint8Array => {
  const k = new Uint8Array(32);
  k.set(head);
  return k;
};

describe('DHT metric', () => {
  it('counts leading equal bits like bit_by_bit_cmp', () => {
    expect(commonPrefixBits(key(0), key(0))).toBe(256);
    expect(commonPrefixBits(key(0x80), key(0))).toBe(0);
    expect(commonPrefixBits(key(0x01), key(0))).toBe(7);
    expect(commonPrefixBits(key(0, 0x10), key(0))).toBe(11);
  });

  it('compares XOR distance byte-wise like id_closest', () => {
    const base = key(0x0f);
    expect(closer(base, key(0x0e), key(0x1f))).toBe(1);
    expect(closer(base, key(0x1f), key(0x0e))).toBe(2);
    expect(closer(base, key(0x0e), key(0x0e))).toBe(0);
    expect(compareDistance(base, key(0x0e), key(0x1f))).toBeLessThan(0);
  });
});
