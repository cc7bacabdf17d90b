/**
 * Bounded cache of precomputed shared keys for one of our secret keys, keyed by
 * the peer's public key. Least-recently-used entries are evicted past `capacity`,
 * and entries unused for `ttlMs` are recomputed (c-toxcore keeps them 600 s).
 */
import type { Clock } from '../base/index.js';
import { toHex } from '../base/index.js';
import { precompute } from './box.js';
import type { PublicKey, SecretKey, SharedKey } from './keys.js';

interface Entry {
  key: SharedKey;
  lastUsed: number;
  /** Position in the order of use (recency for eviction; times can tie). */
  useSeq: number;
}

export interface SharedKeyCacheOptions {
  capacity?: number;
  ttlMs?: number;
}

export class SharedKeyCache {
  private readonly entries = new Map<string, Entry>();
  private readonly capacity: number;
  private readonly ttlMs: number;
  private useSeq = 0;
  /** Counters for tests and benchmarks. */
  hits = 0;
  misses = 0;

  constructor(
    private readonly secretKey: SecretKey,
    private readonly clock: Clock,
    options: SharedKeyCacheOptions = {},
  ) {
    this.capacity = options.capacity ?? 1024;
    this.ttlMs = options.ttlMs ?? 600_000;
  }

  get size(): number {
    return this.entries.size;
  }

  get(publicKey: PublicKey): SharedKey {
    const id = toHex(publicKey);
    const now = this.clock.now();
    const found = this.entries.get(id);
    if (found && now - found.lastUsed < this.ttlMs) {
      this.hits++;
      found.lastUsed = now;
      found.useSeq = ++this.useSeq;
      return found.key;
    }
    this.misses++;
    const key = precompute(publicKey, this.secretKey);
    this.entries.set(id, { key, lastUsed: now, useSeq: ++this.useSeq });
    if (this.entries.size > this.capacity) this.evictLeastRecentlyUsed();
    return key;
  }

  /** Past capacity (only after a miss): drops the entry unused for longest. A hit only stamps its entry. */
  private evictLeastRecentlyUsed(): void {
    let oldestId: string | undefined;
    let oldest = Number.POSITIVE_INFINITY;
    for (const [id, entry] of this.entries) {
      if (entry.useSeq < oldest) {
        oldest = entry.useSeq;
        oldestId = id;
      }
    }
    if (oldestId !== undefined) this.entries.delete(oldestId);
  }

  clear(): void {
    this.entries.clear();
  }
}
