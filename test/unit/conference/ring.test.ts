// The closest-peers ring of group.c: the wrapping u64 metric on the first 8 bytes, free slots
// first, c-toxcore's replacement rule with re-insertion of the displaced peer, and removal.
import { describe, expect, it } from 'vitest';
import { toHex } from '../../../src/base/index.js';
import { ClosestPeers, compValue } from '../../../src/conference/ring.js';
import { dhtOf, key } from './helpers.js';

const firstBytes = (ring: ClosestPeers): string[] => ring.entries().map((e) => toHex(e.publicKey).slice(0, 2));

describe('compValue', () => {
  it('is the difference of the first 8 bytes as big-endian u64s, wrapping', () => {
    const a = new Uint8Array(32);
    const b = new Uint8Array(32);
    a[7] = 5;
    b[7] = 3;
    expect(compValue(a, b)).toBe(2n);
    expect(compValue(b, a)).toBe((1n << 64n) - 2n);
    b[8] = 0xff; // byte 8 and later do not count
    expect(compValue(a, b)).toBe(2n);
  });
});

describe('ClosestPeers', () => {
  it('fills free slots first, never takes ourselves, and reports additions', () => {
    const ring = new ClosestPeers(key(0x80));
    expect(ring.add(key(0x80), dhtOf(key(0x80)))).toBe(false);
    for (const b of [0x90, 0xa0, 0xb0, 0xc0]) expect(ring.add(key(b), dhtOf(key(b)))).toBe(true);
    expect(firstBytes(ring)).toEqual(['90', 'a0', 'b0', 'c0']);
    expect(ring.changed).toBe('added');
    expect(ring.add(key(0xa0), dhtOf(key(0xa0)))).toBe(true);
  });

  it('ends with the two nearest below and the two nearest above, re-inserting displaced peers (worked by hand)', () => {
    const ring = new ClosestPeers(key(0x80));
    for (const b of [0x90, 0xa0, 0xb0, 0xc0]) ring.add(key(b), dhtOf(key(b)));
    // 0x70 takes slot 0 (0x90, seen from below, is the farthest); 0x90 displaces 0xc0 in slot 3;
    // 0xc0 (nearest below after 0x70 going round the ring) displaces 0xa0 in slot 1; 0xa0 displaces
    // 0xb0 in slot 2; 0xb0 fits nowhere.
    expect(ring.add(key(0x70), dhtOf(key(0x70)))).toBe(true);
    expect(firstBytes(ring)).toEqual(['70', 'c0', 'a0', '90']);
    expect(ring.add(key(0xb8), dhtOf(key(0xb8)))).toBe(false);
    expect(ring.add(key(0x88), dhtOf(key(0x88)))).toBe(true);
    expect(firstBytes(ring)).toEqual(['70', 'c0', '88', '90']);
  });

  it('removing a peer empties its slot and asks for a rebuild', () => {
    const ring = new ClosestPeers(key(0x80));
    for (const b of [0x70, 0x60, 0x90, 0xa0]) ring.add(key(b), dhtOf(key(b)));
    ring.changed = 'none';
    ring.remove(key(0x55));
    expect(ring.changed).toBe('none');
    ring.remove(key(0x60));
    expect(ring.changed).toBe('removed');
    expect(ring.contains(key(0x60))).toBe(false);
    expect(ring.contains(key(0x70))).toBe(true);
    expect(firstBytes(ring)).toEqual(['70', '90', 'a0']);
    // The next peer takes the free slot whatever its side.
    ring.add(key(0x10), dhtOf(key(0x10)));
    expect(ring.entries()).toHaveLength(4);
  });
});
