/**
 * A conference's group connections (group.c `Groupchat_Connection`): 16 slots,
 * each a friend connection we hold for this conference, the peer's group
 * number for it, whether the ONLINE exchange happened, and why we keep it.
 * Slot order matters as in c-toxcore (new entries take the LAST free slot,
 * cleaning squashes them to the front), so the table keeps explicit slots.
 */
import type { LongTermPublicKey } from '../crypto/index.js';
import { MAX_GROUP_CONNECTIONS, MIN_EMPTY_CONNECTIONS } from './constants.js';

/** Reason bits. */
export const REASON_CLOSEST = 1;
/** We are introducing that peer into the conference. */
export const REASON_INTRODUCING = 2;
/** That peer is introducing us. */
export const REASON_INTRODUCER = 4;

export interface GroupConnection {
  readonly publicKey: LongTermPublicKey;
  readonly keyHex: string;
  /** Online once the ONLINE packets were exchanged (or at once for the invite path). */
  online: boolean;
  reasons: number;
  /** The peer's group number for this conference: what our packets to it carry. */
  groupNumber: number;
}

export class ConnectionTable {
  private readonly slots: Array<GroupConnection | undefined> = new Array<GroupConnection | undefined>(MAX_GROUP_CONNECTIONS).fill(undefined);

  at(index: number): GroupConnection | undefined {
    return this.slots[index];
  }

  indexOf(keyHex: string): number {
    return this.slots.findIndex((c) => c !== undefined && c.keyHex === keyHex);
  }

  get(keyHex: string): GroupConnection | undefined {
    return this.slots.find((c) => c !== undefined && c.keyHex === keyHex);
  }

  /** The slot a new connection would take (the last free one), or -1 when full. */
  freeSlot(): number {
    return this.slots.lastIndexOf(undefined);
  }

  put(index: number, connection: GroupConnection): void {
    this.slots[index] = connection;
  }

  clear(index: number): GroupConnection | undefined {
    const c = this.slots[index];
    this.slots[index] = undefined;
    return c;
  }

  /** Occupied slots with their indexes, in slot order. */
  *entries(): IterableIterator<[number, GroupConnection]> {
    for (let i = 0; i < this.slots.length; i++) {
      const c = this.slots[i];
      if (c) yield [i, c];
    }
  }

  /** Online connections in slot order. */
  online(): GroupConnection[] {
    return this.slots.filter((c): c is GroupConnection => c !== undefined && c.online);
  }

  countOnline(): number {
    let n = 0;
    for (const c of this.slots) if (c?.online) n++;
    return n;
  }

  countWithReason(reason: number): number {
    let n = 0;
    for (const c of this.slots) if (c && (c.reasons & reason) !== 0) n++;
    return n;
  }

  /**
   * The slots c-toxcore's `clean_connections` would empty to keep
   * MIN_EMPTY_CONNECTIONS free: a connecting non-closest one if any, else an
   * online non-closest one among the first `16 − still-to-clear` slots, else
   * the slot at that bound whatever it holds. Returns them in removal order.
   */
  victims(): number[] {
    let free = 0;
    for (const c of this.slots) if (!c) free++;
    const picked: number[] = [];
    const taken = (i: number): boolean => picked.includes(i);
    for (let toClear = Math.max(0, MIN_EMPTY_CONNECTIONS - free); toClear > 0; toClear--) {
      const live = (i: number): GroupConnection | undefined => (taken(i) ? undefined : this.slots[i]);
      let i = 0;
      while (i < MAX_GROUP_CONNECTIONS && (live(i) === undefined || live(i)!.online || (live(i)!.reasons & REASON_CLOSEST) !== 0)) i++;
      if (i === MAX_GROUP_CONNECTIONS) {
        i = 0;
        while (i < MAX_GROUP_CONNECTIONS - toClear && (live(i) === undefined || !live(i)!.online || (live(i)!.reasons & REASON_CLOSEST) !== 0)) i++;
      }
      if (live(i) !== undefined) picked.push(i);
    }
    return picked;
  }

  /** Moves the occupied slots to the front, keeping their order (c-toxcore `squash_connections`). */
  squash(): void {
    const kept = this.slots.filter((c) => c !== undefined);
    for (let i = 0; i < this.slots.length; i++) this.slots[i] = kept[i];
  }
}
