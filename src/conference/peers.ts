/**
 * A conference's peer list as c-toxcore keeps it (group.c `Group_Peer`): the
 * current peers (ourselves included) and the frozen ones, in c-toxcore's array
 * order (append, swap-remove), plus the published view the events are diffed
 * against, keyed by public key so renumbering never looks like leave + join.
 */
import { bytesEqual } from '../base/index.js';
import { keyId, type DhtPublicKey, type LongTermPublicKey } from '../crypto/index.js';
import type { DedupState } from './dedup.js';

export interface Peer extends DedupState {
  readonly publicKey: LongTermPublicKey;
  /** Hex of `publicKey`, for lookups. */
  readonly keyHex: string;
  dhtPublicKey: DhtPublicKey;
  /** Whether `dhtPublicKey` came from fresh information since the peer was (re)added. */
  dhtPublicKeyUpdated: boolean;
  isFriend: boolean;
  peerNumber: number;
  /** Monotonic ms of the last sign of life. */
  lastActive: number;
  name: Uint8Array;
  /** Whether a name message (not only a peer list) set `name`. */
  nameUpdated: boolean;
  /**
   * Whether the peer itself showed up: a message it originated, its own friend
   * connection, or a peer list it is in. Only heard peers are published, so a
   * flood of made-up new-peer announcements stays invisible (ours, not c-toxcore's).
   */
  heard: boolean;
}

export function newPeer(publicKey: LongTermPublicKey, dhtPublicKey: DhtPublicKey, peerNumber: number, now: number): Peer {
  return {
    publicKey,
    keyHex: keyId(publicKey),
    dhtPublicKey,
    dhtPublicKeyUpdated: true,
    isFriend: false,
    peerNumber,
    lastActive: now,
    name: new Uint8Array(0),
    nameUpdated: false,
    heard: false,
    messageInfos: [],
    lossy: undefined,
  };
}

export class PeerList {
  readonly current: Peer[] = [];
  readonly frozen: Peer[] = [];

  indexByNumber(peerNumber: number): number {
    return this.current.findIndex((p) => p.peerNumber === peerNumber);
  }

  indexByKey(keyHex: string): number {
    return this.current.findIndex((p) => p.keyHex === keyHex);
  }

  frozenIndexByNumber(peerNumber: number): number {
    return this.frozen.findIndex((p) => p.peerNumber === peerNumber);
  }

  frozenIndexByKey(keyHex: string): number {
    return this.frozen.findIndex((p) => p.keyHex === keyHex);
  }

  append(peer: Peer): number {
    this.current.push(peer);
    return this.current.length - 1;
  }

  /** Removes a current peer, moving the last one into its place (c-toxcore `delpeer`). */
  removeAt(index: number): Peer {
    return swapRemove(this.current, index);
  }

  removeFrozenAt(index: number): Peer {
    return swapRemove(this.frozen, index);
  }

  /**
   * Keeps at most `max` frozen peers: friends first, then the most recently
   * active (c-toxcore `delete_old_frozen`); returns whether any were dropped.
   */
  trimFrozen(max: number): boolean {
    if (this.frozen.length <= max) return false;
    this.frozen.sort((a, b) => (a.isFriend !== b.isFriend ? (a.isFriend ? -1 : 1) : b.lastActive - a.lastActive));
    this.frozen.length = max;
    return true;
  }
}

function swapRemove<T>(list: T[], index: number): T {
  const removed = list[index]!;
  const last = list.pop()!;
  if (index < list.length) list[index] = last;
  return removed;
}

// ---------------------------------------------------------------- the published view and its diff

export interface PublishedPeer {
  readonly publicKey: LongTermPublicKey;
  readonly peerNumber: number;
  readonly name: Uint8Array;
}

export type PeerChange =
  | { readonly kind: 'join'; readonly peer: PublishedPeer }
  | { readonly kind: 'leave'; readonly peer: PublishedPeer; readonly reason: 'left' | 'frozen' }
  | { readonly kind: 'rename'; readonly peer: PublishedPeer; readonly previousName: Uint8Array };

/** The peers the application sees: heard, not frozen, not ourselves. */
export function publishedView(peers: PeerList, selfKeyHex: string): Map<string, PublishedPeer> {
  const view = new Map<string, PublishedPeer>();
  for (const p of peers.current) {
    if (p.heard && p.keyHex !== selfKeyHex) view.set(p.keyHex, { publicKey: p.publicKey, peerNumber: p.peerNumber, name: p.name });
  }
  return view;
}

/** Changes from `before` to `after`, by public key: leaves, then joins, then renames. */
export function diffPeers(before: ReadonlyMap<string, PublishedPeer>, after: ReadonlyMap<string, PublishedPeer>, peers: PeerList): PeerChange[] {
  const changes: PeerChange[] = [];
  for (const [key, old] of before) {
    if (!after.has(key)) changes.push({ kind: 'leave', peer: old, reason: peers.frozenIndexByKey(key) >= 0 ? 'frozen' : 'left' });
  }
  for (const [key, now] of after) {
    const old = before.get(key);
    if (!old) changes.push({ kind: 'join', peer: now });
    else if (!bytesEqual(old.name, now.name)) changes.push({ kind: 'rename', peer: now, previousName: old.name });
  }
  return changes;
}
