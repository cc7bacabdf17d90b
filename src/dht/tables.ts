/**
 * The DHT's node tables and the rules that fill them (§3.4, §3.6): the close
 * list, DHT friends (two random fake ones first, whose lists feed onion paths),
 * the nodes queued for bootstrap requests and for pings. Pure state: no
 * sending; callers act on the decisions returned.
 */
import type { Random } from '../base/index.js';
import { InvalidArgumentError } from '../base/index.js';
import { generateKeyPair, keyId, type DhtPublicKey } from '../crypto/index.js';
import type { IpPort, PackedNode } from '../net/index.js';
import { associationFor, isBad, isReplaceable, type ClientEntry, type ClientList } from './client-list.js';
import { CloseList } from './close-list.js';
import { NodeSnapshot } from './node-snapshot.js';
import { BAD_NODE_TIMEOUT_MS, FAKE_FRIEND_COUNT, MAX_CLOSE_TO_BOOTSTRAP_NODES, MAX_FRIEND_LOCKS, MAX_SENT_NODES } from './constants.js';
import { addClosest, DhtFriend, type FriendAddressCallback } from './dht-friend.js';
import { ToPingQueue } from './to-ping.js';

export interface CloseListNode {
  publicKey: DhtPublicKey;
  bucket: number;
  /** Addresses (only good ones unless bad entries were asked for). */
  addresses: IpPort[];
}

function randomU64(random: Random): bigint {
  const b = random.bytes(8);
  return new DataView(b.buffer, b.byteOffset, 8).getBigUint64(0);
}

function nodeOf(entry: ClientEntry, address: IpPort): PackedNode {
  return { transport: 'udp', address, publicKey: entry.publicKey };
}

export class DhtTables {
  readonly closeList: CloseList;
  /** Fake friends first, then real ones in insertion order. */
  readonly friends: DhtFriend[] = [];
  private readonly friendById = new Map<string, DhtFriend>();
  /** Returned nodes that would fit our close list: asked for nodes near us on the next tick. */
  closeToBootstrap: PackedNode[] = [];
  readonly toPing: ToPingQueue;
  readonly selfId: string;
  /** Compact copy of the lists for the per-request queries, rebuilt when a list changes. */
  private snapshot: NodeSnapshot | undefined;

  constructor(
    readonly selfKey: DhtPublicKey,
    private readonly random: Random,
  ) {
    this.selfId = keyId(selfKey);
    this.closeList = new CloseList(selfKey);
    this.toPing = new ToPingQueue(selfKey);
    for (let i = 0; i < FAKE_FRIEND_COUNT; i++) this.addFriend(generateKeyPair<DhtPublicKey, never>(random).publicKey, undefined, 0);
  }

  /** Carries real friends (with their locks, without their nodes) over from a previous session. */
  adoptFriends(previous: DhtTables): void {
    for (const friend of previous.friends.slice(FAKE_FRIEND_COUNT)) {
      friend.clearNodes();
      this.friends.push(friend);
      this.friendById.set(friend.id, friend);
    }
  }

  friend(id: string): DhtFriend | undefined {
    return this.friendById.get(id);
  }

  addFriend(publicKey: DhtPublicKey, callback: FriendAddressCallback | undefined, now: number): number {
    const id = keyId(publicKey);
    let friend = this.friendById.get(id);
    if (!friend) {
      friend = new DhtFriend(publicKey, id, randomU64(this.random));
      friend.toBootstrap = this.closestNodes(publicKey, MAX_SENT_NODES, true, now);
      this.friends.push(friend);
      this.friendById.set(id, friend);
    }
    const token = friend.lock(callback, MAX_FRIEND_LOCKS);
    if (token === undefined) throw new InvalidArgumentError(`a DHT friend holds at most ${MAX_FRIEND_LOCKS} locks`);
    return token;
  }

  removeFriend(publicKey: DhtPublicKey, token: number): boolean {
    const id = keyId(publicKey);
    const friend = this.friendById.get(id);
    const index = friend ? this.friends.indexOf(friend) : -1;
    if (!friend || index < FAKE_FRIEND_COUNT) return false;
    friend.unlock(token);
    if (friend.lockCount === 0) {
      this.friends.splice(index, 1);
      this.friendById.delete(id);
    }
    return true;
  }

  /** c-toxcore's `addto_lists` after a valid response from (`publicKey`, `address`). Returns how many lists use it. */
  addToLists(publicKey: DhtPublicKey, address: IpPort, now: number): number {
    const id = keyId(publicKey);
    let used = 0;
    if (this.closeList.refresh(publicKey, id, address, now) || !this.closeList.add(publicKey, id, address, now)) used++;
    let foundFriend: DhtFriend | undefined;
    for (const friend of this.friends) {
      if (friend.list.refresh(publicKey, id, address, now) || friend.tryStore(publicKey, id, address, now)) {
        if (friend.id === id) foundFriend = friend;
        used++;
      }
    }
    foundFriend?.notifyAddress(address);
    return used;
  }

  /** ping.c `ping_add` after a request from (`publicKey`, `address`): ping now, queue, or ignore. */
  pingDecision(publicKey: DhtPublicKey, address: IpPort, now: number): 'ping-now' | 'queued' | 'ignored' {
    const id = keyId(publicKey);
    if (id === this.selfId || !this.closeList.canAdd(publicKey, now)) return 'ignored';
    if (this.closeList.hasGoodAt(id, address, now)) return 'ignored';
    const friend = this.friendById.get(id);
    if (friend && !friend.list.get(id)) return 'ping-now';
    this.toPing.add({ transport: 'udp', address, publicKey });
    return 'queued';
  }

  /** c-toxcore's `ping_node_from_getnodes_ok`: queue a returned node for a nodes request where it could fit. */
  considerReturnedNode(node: PackedNode, now: number): void {
    const id = keyId(node.publicKey);
    if (id === this.selfId) return;
    if (this.closeList.canAdd(node.publicKey, now) && !this.closeList.hasGoodFamily(id, node.address, now)) {
      addClosest(this.closeToBootstrap, MAX_CLOSE_TO_BOOTSTRAP_NODES, node, this.selfKey);
    }
    for (const friend of this.friends) {
      if (!friend.canStore(node.publicKey, now)) continue;
      const listed = friend.list.get(id);
      if (listed && !isBad(associationFor(listed, node.address), now)) continue;
      friend.queueBootstrap(node);
    }
  }

  /** c-toxcore's `returnedip_ports`: `reporterId` told us `node` (about us or a friend). */
  recordReturned(node: PackedNode, reporterId: string, now: number): void {
    const id = keyId(node.publicKey);
    if (id === this.selfId) {
      this.closeList.recordReturned(reporterId, node.address, now, true);
      return;
    }
    this.friendById.get(id)?.list.recordReturned(reporterId, node.address, now, false);
  }

  /** c-toxcore's `get_close_nodes`: up to `max` good nodes closest to `key` from all lists. */
  closestNodes(key: Uint8Array, max: number, includeLan: boolean, now: number): PackedNode[] {
    return this.currentSnapshot().closest(key, max, includeLan, now);
  }

  private currentSnapshot(): NodeSnapshot {
    const lists = [this.closeList, ...this.friends.map((f) => f.list)];
    if (!this.snapshot?.matches(lists)) this.snapshot = new NodeSnapshot(lists);
    return this.snapshot;
  }

  /** The friend's own good address (IPv6 preferred), `unknown` if it is a friend not in its own list. */
  friendAddress(publicKey: Uint8Array, now: number): IpPort | 'unknown' | undefined {
    const id = keyId(publicKey);
    const friend = this.friendById.get(id);
    if (!friend) return undefined;
    const entry = friend.list.get(id);
    if (!entry) return 'unknown';
    for (const assoc of [entry.v6, entry.v4]) if (assoc.address && !isBad(assoc, now)) return assoc.address;
    return undefined;
  }

  /** c-toxcore's `DHT_isconnected` (and, non-LAN only, `DHT_non_lan_connected`): some close-list node is good. */
  isConnected(now: number, nonLanOnly = false): boolean {
    return this.closeList.latestHeard(nonLanOnly) + BAD_NODE_TIMEOUT_MS > now;
  }

  closeListNodes(now: number, includeBad: boolean): CloseListNode[] {
    const out: CloseListNode[] = [];
    for (const { bucket, entry } of this.closeList.bucketed()) {
      if (!includeBad && isReplaceable(entry, now)) continue;
      const addresses = [entry.v4, entry.v6].filter((a) => a.address && (includeBad || !isBad(a, now))).map((a) => a.address!);
      out.push({ publicKey: entry.publicKey, bucket, addresses });
    }
    return out;
  }

  /** c-toxcore's `randfriends_nodes`: good nodes from the fake friends' lists, for onion paths. */
  pathNodes(max: number, now: number): PackedNode[] {
    const out: PackedNode[] = [];
    const start = this.random.int(FAKE_FRIEND_COUNT);
    for (let i = 0; i < FAKE_FRIEND_COUNT && out.length < max; i++) {
      const list = this.friends[(start + i) % FAKE_FRIEND_COUNT]!.list;
      for (let s = list.slots.length - 1; s >= 0 && out.length < max; s--) {
        const entry = list.slots[s];
        if (!entry) continue;
        const good4 = entry.v4.address && !isBad(entry.v4, now) ? entry.v4.address : undefined;
        const good6 = entry.v6.address && !isBad(entry.v6, now) ? entry.v6.address : undefined;
        const address = good6 && (!good4 || this.random.int(2) === 1) ? good6 : good4;
        if (address) out.push(nodeOf(entry, address));
      }
    }
    return out;
  }

  /** Every address ever heard in the close list and the fake friends' lists (c-toxcore's `dht_save`). */
  knownNodes(): PackedNode[] {
    const out: PackedNode[] = [];
    const lists: ClientList[] = [this.closeList, ...this.friends.slice(0, FAKE_FRIEND_COUNT).map((f) => f.list)];
    for (const list of lists) {
      for (const entry of list.entries()) {
        for (const assoc of [entry.v4, entry.v6]) if (assoc.address) out.push(nodeOf(entry, assoc.address));
      }
    }
    return out;
  }
}
