/**
 * NAT traversal helpers (§3.8): per-friend NAT state, the list of addresses other
 * nodes report for a friend, the "common IP" rule, and the port-guessing
 * sequence of c-toxcore's `punch_holes`. The engine (dht.ts) does the sending.
 */
import type { IpPort } from '../net/index.js';
import { isBad, NEVER, type ClientList } from './client-list.js';
import { BAD_NODE_TIMEOUT_MS, FRIEND_LIST_SIZE, MAX_NORMAL_PUNCHING_TRIES, MAX_PUNCHING_PORTS } from './constants.js';

export interface NatState {
  /** The id our next NAT ping request carries; replaced when a response matches. */
  pingId: bigint;
  /** A response matched: punch on the next tick. */
  holePunching: boolean;
  pingSentAt: number;
  pingReceivedAt: number;
  punchedAt: number;
  tries: number;
  punchingIndex: number;
  punchingIndex2: number;
}

export function newNatState(pingId: bigint): NatState {
  return { pingId, holePunching: false, pingSentAt: NEVER, pingReceivedAt: NEVER, punchedAt: NEVER, tries: 0, punchingIndex: 0, punchingIndex2: 0 };
}

/** A node in a friend's list that reports an address for the friend. */
export interface FriendReport {
  /** Where the reporting node is (where to route packets for the friend). */
  via: IpPort;
  /** The friend's address as the node reported it. */
  reported: IpPort;
}

/**
 * c-toxcore's `friend_iplist`: the fresh reports of one family (the family with
 * more of them, IPv6 on ties), or `direct` when the friend itself is in its list
 * with a good address.
 */
export function friendReports(list: ClientList, friendId: string, now: number): FriendReport[] | 'direct' {
  const v4: FriendReport[] = [];
  const v6: FriendReport[] = [];
  for (const entry of list.entries()) {
    for (const [assoc, out] of [[entry.v4, v4], [entry.v6, v6]] as const) {
      if (assoc.returned && assoc.address && assoc.returnedAt + BAD_NODE_TIMEOUT_MS > now) {
        out.push({ via: assoc.address, reported: assoc.returned });
      }
    }
    if (entry.id === friendId && (!isBad(entry.v4, now) || !isBad(entry.v6, now))) return 'direct';
  }
  return v6.length >= v4.length ? v6 : v4;
}

/** The IP reported at least `minCount` times (first such in list order), if any. */
export function commonIp(reports: readonly FriendReport[], minCount: number): string | undefined {
  for (const r of reports) {
    let count = 0;
    for (const other of reports) if (other.reported.ip === r.reported.ip) count++;
    if (count >= minCount) return r.reported.ip;
  }
  return undefined;
}

/**
 * The ports to ping in one punching round (c-toxcore's `punch_holes`), advancing
 * the state's indexes. Same reported port everywhere: just that port; otherwise
 * 48 guesses alternating around the reported ports; after 5 rounds also 48 ports
 * sweeping up from 1024.
 */
export function punchingPorts(state: NatState, reportedPorts: readonly number[]): number[] {
  if (reportedPorts.length === 0 || reportedPorts.length > FRIEND_LIST_SIZE) return [];
  const out: number[] = [];
  const first = reportedPorts[0]!;
  if (reportedPorts.every((p) => p === first)) {
    out.push(first);
  } else {
    const n = reportedPorts.length;
    for (let i = 0; i < MAX_PUNCHING_PORTS; i++) {
      const it = i + state.punchingIndex;
      const delta = Math.floor(it / (2 * n)) * (it % 2 !== 0 ? -1 : 1);
      const base = reportedPorts[Math.floor(it / 2) % n]!;
      out.push((((base + delta) % 65536) + 65536) % 65536);
    }
    state.punchingIndex += MAX_PUNCHING_PORTS;
  }
  if (state.tries > MAX_NORMAL_PUNCHING_TRIES) {
    for (let i = 0; i < MAX_PUNCHING_PORTS; i++) out.push((1024 + i + state.punchingIndex2) % 65536);
    state.punchingIndex2 += MAX_PUNCHING_PORTS / 2;
  }
  state.tries++;
  return out.filter((p) => p !== 0);
}
