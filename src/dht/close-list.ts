/**
 * The close list (§3.4): 128 buckets × 8 slots indexed by the number of leading
 * bits a node's key shares with our DHT key (capped at 127). A node gets a slot
 * only if its bucket has an empty or bad slot; there is no eviction of good
 * nodes by closer ones.
 */
import type { DhtPublicKey } from '../crypto/index.js';
import { ipPortEqual, type IpPort } from '../net/index.js';
import { associationFor, ClientList, isBad, isReplaceable, type ClientEntry } from './client-list.js';
import { CLOSE_BUCKETS, CLOSE_BUCKET_SIZE } from './constants.js';
import { commonPrefixBits } from './distance.js';

export class CloseList extends ClientList {
  constructor(readonly selfKey: DhtPublicKey) {
    super(CLOSE_BUCKETS * CLOSE_BUCKET_SIZE);
  }

  bucketOf(publicKey: Uint8Array): number {
    return Math.min(commonPrefixBits(publicKey, this.selfKey), CLOSE_BUCKETS - 1);
  }

  /** A free (empty or bad) slot in the key's bucket, or -1. */
  private freeSlot(publicKey: Uint8Array, now: number): number {
    const start = this.bucketOf(publicKey) * CLOSE_BUCKET_SIZE;
    for (let i = start; i < start + CLOSE_BUCKET_SIZE; i++) {
      if (isReplaceable(this.slots[i], now)) return i;
    }
    return -1;
  }

  /** c-toxcore's `node_addable_to_close_list`: the bucket has room (the key may already be listed). */
  canAdd(publicKey: Uint8Array, now: number): boolean {
    return this.freeSlot(publicKey, now) >= 0;
  }

  /** c-toxcore's `add_to_close`. */
  add(publicKey: DhtPublicKey, id: string, address: IpPort, now: number): boolean {
    const slot = this.freeSlot(publicKey, now);
    if (slot < 0) return false;
    this.store(slot, publicKey, id, address, now);
    return true;
  }

  /** Listed with a good association at exactly `address` (ping.c `in_list`). */
  hasGoodAt(id: string, address: IpPort, now: number): boolean {
    const entry = this.get(id);
    if (!entry) return false;
    const assoc = associationFor(entry, address);
    return !isBad(assoc, now) && assoc.address !== undefined && ipPortEqual(assoc.address, address);
  }

  /** Listed with a good association of `address`'s family (c-toxcore's `is_pk_in_close_list`). */
  hasGoodFamily(id: string, address: IpPort, now: number): boolean {
    const entry = this.get(id);
    return entry !== undefined && !isBad(associationFor(entry, address), now);
  }

  /** Entries in slot order, with their bucket index. */
  *bucketed(): IterableIterator<{ bucket: number; entry: ClientEntry }> {
    for (let i = 0; i < this.slots.length; i++) {
      const entry = this.slots[i];
      if (entry) yield { bucket: Math.floor(i / CLOSE_BUCKET_SIZE), entry };
    }
  }
}
