/** SharedKeyCache: correct keys, hit/miss counting, LRU eviction and time-to-live on virtual time. */
import { beforeAll, describe, expect, it } from 'vitest';
import { ManualScheduler, SeededRandom } from '../../../src/base/index.js';
import { SharedKeyCache, generateKeyPair, precompute, type DhtPublicKey, type DhtSecretKey } from '../../../src/crypto/index.js';

let ours: { publicKey: DhtPublicKey; secretKey: DhtSecretKey };
let p0: DhtPublicKey, p1: DhtPublicKey, p2: DhtPublicKey, p3: DhtPublicKey;

// Key generation needs libsodium, which test/support/setup.ts readies in its own beforeAll.
beforeAll(() => {
  const random = new SeededRandom(99);
  ours = generateKeyPair<DhtPublicKey, DhtSecretKey>(random);
  [p0, p1, p2, p3] = Array.from({ length: 4 }, () => generateKeyPair<DhtPublicKey, DhtSecretKey>(random).publicKey) as [DhtPublicKey, DhtPublicKey, DhtPublicKey, DhtPublicKey];
});

describe('SharedKeyCache', () => {
  it('returns the precomputed key, computing it once per peer', () => {
    const cache = new SharedKeyCache(ours.secretKey, new ManualScheduler());
    const first = cache.get(p0);
    expect(first).toEqual(precompute(p0, ours.secretKey));
    expect(cache.get(p0)).toBe(first);
    expect(cache.get(p1)).toEqual(precompute(p1, ours.secretKey));
    expect([cache.hits, cache.misses, cache.size]).toEqual([1, 2, 2]);
  });

  it('keys entries by content, not by array identity', () => {
    const cache = new SharedKeyCache(ours.secretKey, new ManualScheduler());
    cache.get(p0);
    cache.get(new Uint8Array(p0) as DhtPublicKey);
    expect([cache.hits, cache.misses]).toEqual([1, 1]);
  });

  it('evicts the least recently used entry past capacity', () => {
    const cache = new SharedKeyCache(ours.secretKey, new ManualScheduler(), { capacity: 2 });
    cache.get(p0);
    cache.get(p1);
    cache.get(p0); // p1 is now the least recently used
    cache.get(p2);
    expect(cache.size).toBe(2);
    const missesBefore = cache.misses;
    cache.get(p0);
    cache.get(p2);
    expect(cache.misses).toBe(missesBefore);
    cache.get(p1);
    expect(cache.misses).toBe(missesBefore + 1);
    cache.get(p3);
    expect(cache.size).toBe(2);
  });

  it('recomputes entries unused for ttlMs, and use keeps them alive', async () => {
    const clock = new ManualScheduler();
    const cache = new SharedKeyCache(ours.secretKey, clock, { ttlMs: 1000 });
    cache.get(p0);
    cache.get(p1);
    await clock.advance(600);
    cache.get(p0);
    await clock.advance(600);
    cache.get(p0); // used 600 ms ago: still fresh
    expect([cache.hits, cache.misses]).toEqual([2, 2]);
    cache.get(p1); // unused for 1200 ms: recomputed
    expect(cache.misses).toBe(3);
    await clock.advance(1000);
    cache.get(p0); // exactly ttlMs since last use: expired
    expect(cache.misses).toBe(4);
    expect(cache.size).toBe(2);
  });

  it('clear() empties the cache', () => {
    const cache = new SharedKeyCache(ours.secretKey, new ManualScheduler());
    cache.get(p0);
    cache.clear();
    expect(cache.size).toBe(0);
    cache.get(p0);
    expect(cache.misses).toBe(2);
  });
});
