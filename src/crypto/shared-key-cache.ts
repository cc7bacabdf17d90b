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
}

export interface SharedKeyCacheOptions {
  capacity?: number;
  ttlMs?: number;
}

export class SharedKeyCache {
  private readonly entries = new Map<string, Entry>();
  private readonly capacity: number;
  private readonly ttlMs: number;
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
      // Re-insert to mark as most recently used.
      this.entries.delete(id);
      this.entries.set(id, found);
      return found.key;
    }
    this.misses++;
    const key = precompute(publicKey, this.secretKey);
    this.entries.delete(id);
    this.entries.set(id, { key, lastUsed: now });
    while (this.entries.size > this.capacity) {
      const oldest = this.entries.keys().next().value as string;
      this.entries.delete(oldest);
    }
    return key;
  }

  clear(): void {
    this.entries.clear();
  }
}
