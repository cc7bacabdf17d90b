/**
 * The onion client's per-target node lists (tox-protocol.md §4.6–§4.7): the 12
 * nodes closest to our real key that we announce to, or the 8 closest to a
 * friend's real key that we search through, with c-toxcore's rules: an entry
 * times out after 3 unanswered pings with the last one 15 s old; a response
 * takes a timed-out slot or the farthest one if it is closer; nodes a response
 * names are asked only if they would enter, each at most once per 10 s (a
 * 9-entry memory per list).
 */
import { keysEqual, type DhtPublicKey } from '../../crypto/index.js';
import { compareDistance } from '../../dht/index.js';
import type { IpPort } from '../../net/index.js';
import { MAX_STORED_PINGED_NODES, MIN_NODE_PING_TIME_MS, NODE_MAX_PINGS, NODE_TIMEOUT_MS } from '../constants.js';

export interface OnionNode {
  readonly publicKey: DhtPublicKey;
  address: IpPort;
  /** 0 not stored; 1 the friend is stored there (friend lists) / stored under our data key; 2 announced (self). */
  isStored: number;
  /** Self lists: D's last ping id (bound to the path's last hop). */
  pingId: Uint8Array;
  /** Friend lists: the friend's data key, from a response with isStored 1. */
  dataPk: Uint8Array | undefined;
  /** Path number the last response came through, if that path was still current (else a random path is used). */
  pathUsed: number | undefined;
  lastHeard: number;
  /** Undefined until the periodic pass has seen the node once (c-toxcore's "new node" rule). */
  lastPinged: number | undefined;
  pingsSinceResponse: number;
  addedAt: number;
}

export interface NodeUpdate {
  publicKey: DhtPublicKey;
  address: IpPort;
  isStored: number;
  pingIdOrKey: Uint8Array;
  pathUsed: number | undefined;
}

export class OnionNodeList {
  private readonly nodes: OnionNode[] = [];
  /** Nodes asked because a response named them: key and time, newest overwriting oldest. */
  private readonly pinged: Array<{ publicKey: Uint8Array; at: number }> = [];
  private pingedNext = 0;

  constructor(
    private readonly reference: Uint8Array,
    private readonly capacity: number,
  ) {}

  timedOut(node: OnionNode, now: number): boolean {
    return node.pingsSinceResponse >= NODE_MAX_PINGS && (node.lastPinged ?? -Infinity) + NODE_TIMEOUT_MS <= now;
  }

  /** Entries that have not timed out, in list order. */
  live(now: number): OnionNode[] {
    return this.nodes.filter((n) => !this.timedOut(n, now));
  }

  get size(): number {
    return this.nodes.length;
  }

  find(publicKey: Uint8Array): OnionNode | undefined {
    return this.nodes.find((n) => keysEqual(n.publicKey, publicKey));
  }

  /** The slot a newcomer would take: -1 when the list is full of live nodes that are all closer. */
  private slotFor(publicKey: Uint8Array, now: number): number {
    if (this.nodes.length < this.capacity) return this.nodes.length;
    const dead = this.nodes.findIndex((n) => this.timedOut(n, now));
    if (dead >= 0) return dead;
    let farthest = 0;
    for (let i = 1; i < this.nodes.length; i++) {
      if (compareDistance(this.reference, this.nodes[i]!.publicKey, this.nodes[farthest]!.publicKey) > 0) farthest = i;
    }
    return compareDistance(this.reference, publicKey, this.nodes[farthest]!.publicKey) < 0 ? farthest : -1;
  }

  /** Records a response from a node; returns the entry, or undefined if the list had no room for it. */
  update(u: NodeUpdate, now: number): OnionNode | undefined {
    let node = this.find(u.publicKey);
    if (!node) {
      const slot = this.slotFor(u.publicKey, now);
      if (slot < 0) return undefined;
      node = { publicKey: u.publicKey, address: u.address, isStored: 0, pingId: new Uint8Array(0), dataPk: undefined, pathUsed: undefined, lastHeard: now, lastPinged: undefined, pingsSinceResponse: 0, addedAt: now };
      this.nodes[slot] = node;
    }
    node.address = u.address;
    node.isStored = u.isStored;
    if (u.isStored === 1) node.dataPk = u.pingIdOrKey;
    else node.pingId = u.pingIdOrKey;
    node.pathUsed = u.pathUsed;
    node.lastHeard = now;
    node.pingsSinceResponse = 0;
    return node;
  }

  /**
   * Whether to ask a node a response named (c-toxcore's `client_ping_nodes`): it
   * is not listed, would enter, and was not asked in the last 10 s. A true
   * answer records the request.
   */
  shouldAsk(publicKey: Uint8Array, now: number): boolean {
    if (this.find(publicKey) || this.slotFor(publicKey, now) < 0) return false;
    if (this.pinged.some((p) => p.at + MIN_NODE_PING_TIME_MS > now && keysEqual(p.publicKey, publicKey))) return false;
    this.pinged[this.pingedNext] = { publicKey, at: now };
    this.pingedNext = (this.pingedNext + 1) % MAX_STORED_PINGED_NODES;
    return true;
  }

  /** Size of the "recently asked" memory (bounded by 9). */
  get pingedMemory(): number {
    return this.pinged.length;
  }

  clear(): void {
    this.nodes.length = 0;
    this.pinged.length = 0;
    this.pingedNext = 0;
  }
}
