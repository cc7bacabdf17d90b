/**
 * A DHT friend (search entry, §3.4): a target key, the 8 nodes we know closest
 * to it, the nodes queued for a nodes request searching it, NAT traversal state,
 * and the callbacks ("locks") of upper layers waiting for the target's address.
 */
import type { DhtPublicKey } from '../crypto/index.js';
import type { IpPort, PackedNode } from '../net/index.js';
import { ClientList, isReplaceable, NEVER, type ClientEntry } from './client-list.js';
import { FRIEND_LIST_SIZE, MAX_SENT_NODES } from './constants.js';
import { closer, compareDistance } from './distance.js';
import { newNatState, type NatState } from './nat-punch.js';

export type FriendAddressCallback = (address: IpPort) => void;

/** c-toxcore's `store_node_ok`: the slot is free, or holds a node farther from `base` than `publicKey`. */
function storeNodeOk(entry: ClientEntry | undefined, now: number, publicKey: Uint8Array, base: Uint8Array): boolean {
  return isReplaceable(entry, now) || closer(base, entry!.publicKey, publicKey) === 2;
}

/** c-toxcore's `add_to_list`: keeps `list` as the `max` nodes closest to `base` (no duplicates). */
export function addClosest(list: PackedNode[], max: number, node: PackedNode, base: Uint8Array): boolean {
  if (list.some((n) => n.publicKey.every((b, i) => b === node.publicKey[i]))) return false;
  if (list.length < max) {
    list.push(node);
    return true;
  }
  let farthest = 0;
  for (let i = 1; i < list.length; i++) if (closer(base, list[i]!.publicKey, list[farthest]!.publicKey) === 2) farthest = i;
  if (closer(base, list[farthest]!.publicKey, node.publicKey) !== 2) return false;
  list[farthest] = node;
  return true;
}

export class DhtFriend {
  list = new ClientList(FRIEND_LIST_SIZE);
  lastGetNodes = NEVER;
  bootstrapTimes = 0;
  /** Nodes that reported being close to the target; asked on the next tick. */
  toBootstrap: PackedNode[] = [];
  readonly nat: NatState;
  private readonly locks = new Map<number, FriendAddressCallback | undefined>();
  private nextLock = 1;

  constructor(
    readonly publicKey: DhtPublicKey,
    readonly id: string,
    natPingId: bigint,
  ) {
    this.nat = newNatState(natPingId);
  }

  get lockCount(): number {
    return this.locks.size;
  }

  lock(callback: FriendAddressCallback | undefined, maxLocks: number): number | undefined {
    if (this.locks.size >= maxLocks) return undefined;
    const token = this.nextLock++;
    this.locks.set(token, callback);
    return token;
  }

  unlock(token: number): void {
    this.locks.delete(token);
  }

  notifyAddress(address: IpPort): void {
    for (const callback of this.locks.values()) callback?.(address);
  }

  /** Whether `publicKey` may enter the list (checks the two worst slots, as c-toxcore does). */
  canStore(publicKey: Uint8Array, now: number): boolean {
    return storeNodeOk(this.list.slots[1], now, publicKey, this.publicKey) || storeNodeOk(this.list.slots[0], now, publicKey, this.publicKey);
  }

  /** c-toxcore's `replace_all`: sort worst-first and overwrite slot 0. */
  tryStore(publicKey: DhtPublicKey, id: string, address: IpPort, now: number): boolean {
    if (!this.canStore(publicKey, now)) return false;
    this.list.sortForReplacement(this.publicKey, now, compareDistance);
    this.list.store(0, publicKey, id, address, now);
    return true;
  }

  /** Forgets every node (a restart with a new DHT key); locks survive. */
  clearNodes(): void {
    this.list = new ClientList(FRIEND_LIST_SIZE);
    this.lastGetNodes = NEVER;
    this.bootstrapTimes = 0;
    this.toBootstrap = [];
  }

  queueBootstrap(node: PackedNode): void {
    addClosest(this.toBootstrap, MAX_SENT_NODES, node, this.publicKey);
  }
}
