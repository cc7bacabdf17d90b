/**
 * The conference "ring" (tox-protocol.md §8.3, group.c `add_to_closest`):
 * each peer keeps the DESIRED_CLOSEST peers nearest to its own real key by a
 * wrapping u64 difference of the keys' first 8 bytes, two slots for peers
 * below it and two for peers above. The algorithm, quirks included, is
 * c-toxcore's: the connection graph only works when both ends agree on it.
 */
import { keysEqual, type DhtPublicKey, type LongTermPublicKey } from '../crypto/index.js';
import { DESIRED_CLOSEST } from './constants.js';

const U64_MASK = (1n << 64n) - 1n;

function prefix64(key: Uint8Array): bigint {
  return new DataView(key.buffer, key.byteOffset, 8).getBigUint64(0, false);
}

/** `(first 8 bytes of a) − (first 8 bytes of b)` as big-endian u64s, mod 2^64. */
export function compValue(a: Uint8Array, b: Uint8Array): bigint {
  return (prefix64(a) - prefix64(b)) & U64_MASK;
}

export interface ClosestPeer {
  readonly publicKey: LongTermPublicKey;
  readonly dhtPublicKey: DhtPublicKey;
}

/** What happened to the set since the connections were last matched to it. */
export type ClosestChange = 'none' | 'added' | 'removed';

export class ClosestPeers {
  private readonly slots: Array<ClosestPeer | undefined> = new Array<ClosestPeer | undefined>(DESIRED_CLOSEST).fill(undefined);
  changed: ClosestChange = 'none';

  constructor(private readonly self: LongTermPublicKey) {}

  /** Offers a peer to the set (c-toxcore `add_to_closest`); true when it is (now) in it. */
  add(publicKey: LongTermPublicKey, dhtPublicKey: DhtPublicKey): boolean {
    if (keysEqual(this.self, publicKey)) return false;
    if (this.slots.some((s) => s !== undefined && keysEqual(s.publicKey, publicKey))) return true;

    let index = this.slots.findIndex((s) => s === undefined);
    if (index < 0) {
      index = DESIRED_CLOSEST;
      // One running maximum across both halves, each half measured in its own direction.
      let best = 0n;
      const below = compValue(this.self, publicKey);
      for (let i = 0; i < DESIRED_CLOSEST / 2; i++) {
        const comp = compValue(this.self, this.slots[i]!.publicKey);
        if (comp > below && comp > best) {
          index = i;
          best = comp;
        }
      }
      const above = compValue(publicKey, this.self);
      for (let i = DESIRED_CLOSEST / 2; i < DESIRED_CLOSEST; i++) {
        const comp = compValue(this.slots[i]!.publicKey, this.self);
        if (comp > above && comp > best) {
          index = i;
          best = comp;
        }
      }
      if (index === DESIRED_CLOSEST) return false;
    }

    const displaced = this.slots[index];
    this.slots[index] = { publicKey, dhtPublicKey };
    if (displaced) this.add(displaced.publicKey, displaced.dhtPublicKey);
    if (this.changed === 'none') this.changed = 'added';
    return true;
  }

  /** Takes a departing peer out (c-toxcore `remove_from_closest`); the set is rebuilt on the next tick. */
  remove(publicKey: LongTermPublicKey): void {
    const index = this.slots.findIndex((s) => s !== undefined && keysEqual(s.publicKey, publicKey));
    if (index < 0) return;
    this.slots[index] = undefined;
    this.changed = 'removed';
  }

  contains(publicKey: Uint8Array): boolean {
    return this.slots.some((s) => s !== undefined && keysEqual(s.publicKey, publicKey));
  }

  /** The occupied slots in slot order. */
  entries(): ClosestPeer[] {
    return this.slots.filter((s): s is ClosestPeer => s !== undefined);
  }
}
