/**
 * A compact copy of the nodes the DHT tables can hand out (the close list, then
 * each DHT friend's list, in that order), rebuilt only when one of those lists
 * changed. `get_close_nodes` runs for every nodes and announce request and "are
 * we connected" several times a second per identity; with a hundred identities
 * in one process, walking the scattered entry objects for each call cost more
 * than the rest of the request. Here the per-node facts the queries need sit
 * in flat arrays; last-heard times, which change with every packet, are read
 * from the entries.
 */
import type { PackedNode } from '../net/index.js';
import { isLan } from '../net/index.js';
import { freshestAssociation, isBad, type ClientEntry, type ClientList } from './client-list.js';
import { closer } from './distance.js';

/** Bits of `lan`: the IPv4 / IPv6 address of an occurrence is a LAN one. */
const LAN_V4 = 1;
const LAN_V6 = 2;

export class NodeSnapshot {
  /**
   * Occurrence i: its entry (whose last-heard times are read live: hearing
   * from a node does not change the snapshot) and the node to hand out for
   * each family, undefined without an address.
   */
  private readonly entries: ClientEntry[] = [];
  private readonly v4: Array<PackedNode | undefined> = [];
  private readonly v6: Array<PackedNode | undefined> = [];
  private readonly lan: Uint8Array;
  /** Index of the first occurrence of the same key (one node may sit in several lists). */
  private readonly firstOf: Int32Array;
  private readonly versions: number[];

  constructor(private readonly lists: readonly ClientList[]) {
    this.versions = lists.map((l) => l.version);
    const total = lists.reduce((n, l) => n + l.occupied, 0);
    this.lan = new Uint8Array(total);
    this.firstOf = new Int32Array(total);
    const first = new Map<string, number>();
    let i = 0;
    for (const list of lists) {
      for (const entry of list.entries()) {
        const { v4, v6 } = entry;
        this.entries.push(entry);
        this.v4.push(v4.address && { transport: 'udp', address: v4.address, publicKey: entry.publicKey });
        this.v6.push(v6.address && { transport: 'udp', address: v6.address, publicKey: entry.publicKey });
        this.lan[i] = (v4.address && isLan(v4.address) ? LAN_V4 : 0) | (v6.address && isLan(v6.address) ? LAN_V6 : 0);
        this.firstOf[i] = first.get(entry.id) ?? i;
        if (!first.has(entry.id)) first.set(entry.id, i);
        i++;
      }
    }
  }

  /** Still a true copy of `lists` (same lists, no key or address changed since). */
  matches(lists: readonly ClientList[]): boolean {
    if (lists.length !== this.lists.length) return false;
    for (let i = 0; i < lists.length; i++) if (lists[i] !== this.lists[i] || lists[i]!.version !== this.versions[i]) return false;
    return true;
  }

  /**
   * c-toxcore's `get_close_nodes`: up to `max` good nodes closest to `key`, each
   * key once (its first good occurrence in list order), nearest first. Each
   * occurrence offers its fresher association (IPv4 on ties).
   */
  closest(key: Uint8Array, max: number, includeLan: boolean, now: number): PackedNode[] {
    if (max <= 0) return [];
    const chosen: PackedNode[] = [];
    const chosenFirst: number[] = [];
    let farthest = 0;
    for (let i = 0; i < this.entries.length; i++) {
      const entry = this.entries[i]!;
      const assoc = freshestAssociation(entry);
      const useV4 = assoc === entry.v4;
      const node = useV4 ? this.v4[i] : this.v6[i];
      if (!node || isBad(assoc, now)) continue;
      if (!includeLan && (this.lan[i]! & (useV4 ? LAN_V4 : LAN_V6)) !== 0) continue;
      const full = chosen.length >= max;
      if (full && closer(key, chosen[farthest]!.publicKey, node.publicKey) !== 2) continue;
      if (chosenFirst.includes(this.firstOf[i]!)) continue;
      if (full) {
        chosen[farthest] = node;
        chosenFirst[farthest] = this.firstOf[i]!;
      } else {
        chosen.push(node);
        chosenFirst.push(this.firstOf[i]!);
      }
      if (chosen.length >= max) {
        farthest = 0;
        for (let c = 1; c < chosen.length; c++) if (closer(key, chosen[c]!.publicKey, chosen[farthest]!.publicKey) === 2) farthest = c;
      }
    }
    return chosen.sort((a, b) => (closer(key, a.publicKey, b.publicKey) === 1 ? -1 : 1));
  }
}
