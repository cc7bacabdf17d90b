/**
 * A compact copy of the nodes the DHT tables can hand out (the close list, then
 * each DHT friend's list, in that order), rebuilt only when one of those lists
 * changed. `get_close_nodes` runs for every nodes and announce request and "are
 * we connected" several times a second per identity; with a hundred identities
 * in one process, walking the scattered entry objects for each call cost more
 * than the rest of the request. Here the per-node facts the queries need sit
 * in flat arrays.
 */
import type { IpPort, PackedNode } from '../net/index.js';
import { isLan } from '../net/index.js';
import { freshestAssociation, NEVER, type ClientList } from './client-list.js';
import { BAD_NODE_TIMEOUT_MS } from './constants.js';
import { closer } from './distance.js';

export class NodeSnapshot {
  /** The node to hand out for occurrence i (its freshest association), undefined without an address. */
  private readonly nodes: Array<PackedNode | undefined> = [];
  private readonly heardAt: Float64Array;
  private readonly lan: Uint8Array;
  /** Index of the first occurrence of the same key (one node may sit in several lists). */
  private readonly firstOf: Int32Array;
  private readonly versions: number[];
  /** Latest time any close-list association, or any non-LAN one, was heard from. */
  private readonly closeHeard: number;
  private readonly closeHeardNonLan: number;

  constructor(private readonly lists: readonly ClientList[]) {
    this.versions = lists.map((l) => l.version);
    const total = lists.reduce((n, l) => n + l.occupied, 0);
    this.heardAt = new Float64Array(total);
    this.lan = new Uint8Array(total);
    this.firstOf = new Int32Array(total);
    const first = new Map<string, number>();
    let closeHeard = NEVER;
    let closeHeardNonLan = NEVER;
    let i = 0;
    for (const [listIndex, list] of lists.entries()) {
      for (const entry of list.entries()) {
        const assoc = freshestAssociation(entry);
        const address: IpPort | undefined = assoc.address;
        this.nodes.push(address && { transport: 'udp', address, publicKey: entry.publicKey });
        this.heardAt[i] = assoc.heardAt;
        this.lan[i] = address && isLan(address) ? 1 : 0;
        this.firstOf[i] = first.get(entry.id) ?? i;
        if (!first.has(entry.id)) first.set(entry.id, i);
        if (listIndex === 0) {
          for (const a of [entry.v4, entry.v6]) {
            if (!a.address) continue;
            closeHeard = Math.max(closeHeard, a.heardAt);
            if (!isLan(a.address)) closeHeardNonLan = Math.max(closeHeardNonLan, a.heardAt);
          }
        }
        i++;
      }
    }
    this.closeHeard = closeHeard;
    this.closeHeardNonLan = closeHeardNonLan;
  }

  /** Still a true copy of `lists` (same lists, none changed since). */
  matches(lists: readonly ClientList[]): boolean {
    if (lists.length !== this.lists.length) return false;
    for (let i = 0; i < lists.length; i++) if (lists[i] !== this.lists[i] || lists[i]!.version !== this.versions[i]) return false;
    return true;
  }

  /** Some close-list association (non-LAN only, if asked) is good at `now`. */
  closeListConnected(now: number, nonLanOnly: boolean): boolean {
    return (nonLanOnly ? this.closeHeardNonLan : this.closeHeard) + BAD_NODE_TIMEOUT_MS > now;
  }

  /**
   * c-toxcore's `get_close_nodes`: up to `max` good nodes closest to `key`, each
   * key once (its first good occurrence in list order), nearest first.
   */
  closest(key: Uint8Array, max: number, includeLan: boolean, now: number): PackedNode[] {
    if (max <= 0) return [];
    const chosen: number[] = [];
    const keyOf = (i: number): Uint8Array => this.nodes[i]!.publicKey;
    let farthest = 0;
    for (let i = 0; i < this.nodes.length; i++) {
      const node = this.nodes[i];
      if (!node || this.heardAt[i]! + BAD_NODE_TIMEOUT_MS <= now || (!includeLan && this.lan[i] === 1)) continue;
      const full = chosen.length >= max;
      if (full && closer(key, keyOf(chosen[farthest]!), node.publicKey) !== 2) continue;
      if (chosen.some((c) => this.firstOf[c] === this.firstOf[i])) continue;
      if (full) chosen[farthest] = i;
      else chosen.push(i);
      if (chosen.length >= max) {
        farthest = 0;
        for (let c = 1; c < chosen.length; c++) if (closer(key, keyOf(chosen[c]!), keyOf(chosen[farthest]!)) === 2) farthest = c;
      }
    }
    chosen.sort((a, b) => (closer(key, keyOf(a), keyOf(b)) === 1 ? -1 : 1));
    return chosen.map((c) => this.nodes[c]!);
  }
}
