/**
 * The onion client's per-target node lists (tox-protocol.md §4.6–§4.7): the 12
 * nodes closest to our real key that we announce to, or the 8 closest to a
 * friend's real key that we search through. Entries time out after 3
 * unanswered pings with the last one 15 s old; a full list takes a newcomer
 * only into a timed-out slot or in place of a farther node.
 */
import { keysEqual } from '../../crypto/index.js';
import { compareDistance } from '../../dht/index.js';
import type { DhtPublicKey } from '../../crypto/index.js';
import type { IpPort } from '../../net/index.js';
import { NODE_MAX_PINGS, NODE_TIMEOUT_MS, PING_ID_SIZE } from '../constants.js';

export interface OnionNode {
  readonly publicKey: DhtPublicKey;
  address: IpPort;
  /** 0 not stored, 1 stored (friend found / our key stored elsewhere), 2 announced (self). */
  isStored: number;
  /** Self list: D's ping id. Friend list: the friend's data pk when isStored is 1. */
  pingIdOrKey: Uint8Array;
  pathNum: number;
  lastHeard: number;
  lastPinged: number;
  pingsSinceResponse: number;
  addedAt: number;
  /** Skipped once by the periodic pass (c-toxcore's "new node" rule). */
  fresh: boolean;
}

export interface NodeUpdate {
  publicKey: DhtPublicKey;
  address: IpPort;
  isStored: number;
  pingIdOrKey: Uint8Array;
  pathNum: number;
}

export class OnionNodeList {
  private readonly nodes: OnionNode[] = [];

  constructor(
    private readonly reference: Uint8Array,
    private readonly capacity: number,
  ) {}

  timedOut(node: OnionNode, now: number): boolean {
    return node.pingsSinceResponse >= NODE_MAX_PINGS && node.lastPinged + NODE_TIMEOUT_MS <= now;
  }

  live(now: number): OnionNode[] {
    return this.nodes.filter((n) => !this.timedOut(n, now));
  }

  get size(): number {
    return this.nodes.length;
  }

  find(publicKey: Uint8Array): OnionNode | undefined {
    return this.nodes.find((n) => keysEqual(n.publicKey, publicKey));
  }

  /** The slot a newcomer would take: -1 when full of live nodes that are all closer. */
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

  /** True if a response from `publicKey` would enter (or is in) the list. */
  wouldAccept(publicKey: Uint8Array, now: number): boolean {
    return this.find(publicKey) !== undefined || this.slotFor(publicKey, now) >= 0;
  }

  /** Records a response from a node; returns the entry, or undefined if the list had no room. */
  update(u: NodeUpdate, now: number): OnionNode | undefined {
    const known = this.find(u.publicKey);
    if (known) {
      known.address = u.address;
      known.isStored = u.isStored;
      known.pingIdOrKey = u.pingIdOrKey;
      known.pathNum = u.pathNum;
      known.lastHeard = now;
      known.pingsSinceResponse = 0;
      return known;
    }
    const slot = this.slotFor(u.publicKey, now);
    if (slot < 0) return undefined;
    const node: OnionNode = { ...u, lastHeard: now, lastPinged: now, pingsSinceResponse: 0, addedAt: now, fresh: true };
    this.nodes[slot] = node;
    return node;
  }

  clear(): void {
    this.nodes.length = 0;
  }
}

export const ZERO_PING_ID = new Uint8Array(PING_ID_SIZE);
