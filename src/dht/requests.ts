/**
 * Outstanding ping and nodes request ids (c-toxcore's ping arrays, pitfall 1):
 * many requests may be in flight to one node; a response is accepted once, within
 * 5 s, and only from the key and address the request went to. Capacity is fixed,
 * the oldest entry making room for a new one, so memory stays bounded.
 */
import type { Random } from '../base/index.js';
import { ipPortEqual, type IpPort } from '../net/index.js';
import { MAX_PENDING_REQUESTS, REQUEST_TIMEOUT_MS } from './constants.js';

interface Pending {
  id: string;
  address: IpPort;
  expiresAt: number;
}

export type RequestCheck = 'ok' | 'unknown' | 'expired' | 'mismatch';

export class RequestTable {
  private readonly pending = new Map<bigint, Pending>();

  constructor(
    private readonly random: Random,
    private readonly capacity = MAX_PENDING_REQUESTS,
    private readonly lifetimeMs = REQUEST_TIMEOUT_MS,
  ) {}

  get size(): number {
    return this.pending.size;
  }

  /** A fresh id for a request to (`id`, `address`). */
  add(id: string, address: IpPort, now: number): bigint {
    this.evictExpired(now);
    while (this.pending.size >= this.capacity) this.pending.delete(this.pending.keys().next().value as bigint);
    let requestId: bigint;
    do {
      const b = this.random.bytes(8);
      requestId = new DataView(b.buffer, b.byteOffset, 8).getBigUint64(0);
    } while (requestId === 0n || this.pending.has(requestId));
    this.pending.set(requestId, { id, address, expiresAt: now + this.lifetimeMs });
    return requestId;
  }

  /** Consumes `requestId` and checks it was sent to (`id`, `address`) less than 5 s ago. */
  take(requestId: bigint, id: string, address: IpPort, now: number): RequestCheck {
    const entry = this.pending.get(requestId);
    if (!entry) return 'unknown';
    this.pending.delete(requestId);
    if (entry.expiresAt <= now) return 'expired';
    return entry.id === id && ipPortEqual(entry.address, address) ? 'ok' : 'mismatch';
  }

  clear(): void {
    this.pending.clear();
  }

  /** Entries are in insertion order, so expired ones sit at the front. */
  private evictExpired(now: number): void {
    for (const [key, entry] of this.pending) {
      if (entry.expiresAt > now) break;
      this.pending.delete(key);
    }
  }
}
