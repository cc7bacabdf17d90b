/**
 * When the onion client sends what (tox-protocol.md §4.6–§4.8, c-toxcore's
 * `do_announce`, `onion_isconnected` and `do_friend`), kept apart from the
 * packet work in client.ts: re-announce cadences (3 s / 15 s / 120 s once
 * stable), the "last chance" random path, topping lists up from random path
 * nodes, the "announced" condition, the friend search cadence and the DHT-PK
 * timers.
 */
import type { Random } from '../../base/index.js';
import type { DhtPublicKey } from '../../crypto/index.js';
import type { IpPort } from '../../net/index.js';
import {
  ANNOUNCE_INTERVAL_ANNOUNCED_MS,
  ANNOUNCE_INTERVAL_NOT_ANNOUNCED_MS,
  ANNOUNCE_INTERVAL_STABLE_MS,
  ANNOUNCE_NODES,
  ANNOUNCE_POPULATE_TIMEOUT_MS,
  DHTPK_DHT_INTERVAL_MS,
  DHTPK_ONION_FAST_INTERVAL_MS,
  DHTPK_ONION_FAST_SENDS,
  DHTPK_ONION_INTERVAL_MS,
  FRIEND_NODES,
  FRIEND_PINGS_PER_RUN,
  FRIEND_RUN_COUNT_BEGINNING,
  MAX_PATH_NODES,
  NODE_MAX_PINGS,
  NODE_TIMEOUT_MS,
  OFFLINE_TIMEOUT_MS,
  PATH_TIMEOUT_MS,
  TIME_TO_STABLE_MS,
} from '../constants.js';
import { NEVER, type OnionFriend } from './friend.js';
import type { OnionNode, OnionNodeList } from './node-list.js';
import type { PathNodePool, PathSet } from './paths.js';

/** What the cadences need from the client. */
export interface CadenceHost {
  readonly random: Random;
  readonly pathNodes: PathNodePool;
  readonly bootstrapNodes: PathNodePool;
  readonly selfNodes: OnionNodeList;
  readonly selfPaths: PathSet;
  /** Announce (friend undefined) or search: true if it went out. `pathNum` undefined picks a random path. */
  announce(friend: OnionFriend | undefined, node: { publicKey: DhtPublicKey; address: IpPort }, pingId: Uint8Array | undefined, pathNum: number | undefined, now: number): boolean;
  /** DHT-PK to `friend` through the onion or the DHT: copies sent. */
  sendDhtPk(friend: OnionFriend, via: 'onion' | 'dht'): number;
}

/** Self-announce state besides the list (c-toxcore's last_announce / last_populated / last_packet_recv). */
export class AnnounceState {
  lastAnnounce = NEVER;
  lastPopulated = NEVER;
  lastResponse = NEVER;

  reset(): void {
    this.lastAnnounce = NEVER;
    this.lastPopulated = NEVER;
    this.lastResponse = NEVER;
  }
}

/** A node and its path have lived 90 s and nothing sent to them is overdue: re-announce every 120 s. */
function isStable(node: OnionNode, host: CadenceHost, now: number): boolean {
  const path = node.pathUsed === undefined ? undefined : host.selfPaths.current(node.pathUsed, now);
  if (!path) return false;
  const nodeOverdue = node.pingsSinceResponse > 0 && (node.lastPinged ?? NEVER) + NODE_TIMEOUT_MS <= now;
  const pathOverdue = path.usedTimes > 0 && path.lastUsed + PATH_TIMEOUT_MS <= now;
  return node.addedAt + TIME_TO_STABLE_MS <= now && !nodeOverdue && path.createdAt + TIME_TO_STABLE_MS <= now && !pathOverdue;
}

function reannounceInterval(node: OnionNode, host: CadenceHost, now: number): number {
  if (node.isStored === 0 || node.pathUsed === undefined || !host.selfPaths.current(node.pathUsed, now)) return ANNOUNCE_INTERVAL_NOT_ANNOUNCED_MS;
  return isStable(node, host, now) ? ANNOUNCE_INTERVAL_STABLE_MS : ANNOUNCE_INTERVAL_ANNOUNCED_MS;
}

/** c-toxcore's `do_announce`: one pass over the 12-node list, then a top-up when it is short. */
export function runAnnounce(host: CadenceHost, state: AnnounceState, now: number): void {
  const live = host.selfNodes.live(now);
  for (const node of live) {
    if (node.lastPinged === undefined) {
      node.lastPinged = NEVER; // new nodes are skipped once, then announced to at once
      continue;
    }
    if (node.pingsSinceResponse >= NODE_MAX_PINGS) continue;
    if (node.lastPinged + reannounceInterval(node, host, now) > now && state.lastAnnounce + ANNOUNCE_INTERVAL_ANNOUNCED_MS > now) continue;
    // The ping id is bound to the path's last hop: keep the path, except for a long-lived node's last chance.
    const lastChance = node.pingsSinceResponse === NODE_MAX_PINGS - 1 && node.addedAt + TIME_TO_STABLE_MS <= now;
    if (host.announce(undefined, node, node.pingId, lastChance ? undefined : node.pathUsed, now)) {
      node.lastPinged = now;
      node.pingsSinceResponse++;
      state.lastAnnounce = now;
    }
  }
  if (live.length === ANNOUNCE_NODES) {
    state.lastPopulated = now;
    return;
  }
  if (live.length <= ANNOUNCE_NODES / 2 || state.lastPopulated + ANNOUNCE_POPULATE_TIMEOUT_MS <= now) {
    const pool = host.pathNodes.size > 0 ? host.pathNodes : host.bootstrapNodes;
    for (let i = 0; i < ANNOUNCE_NODES / 2 && pool.size > 0; i++) host.announce(undefined, pool.random(host.random)!, undefined, undefined, now);
  }
}

/**
 * c-toxcore's `onion_isconnected`: a response in the last 75 s, some path node,
 * and at least half of the live announce nodes (≥ 1) storing us while the list
 * holds at least half of min(path nodes, 12). A failed check allows a top-up at once.
 */
export function isAnnounced(host: CadenceHost, state: AnnounceState, now: number): boolean {
  const live = host.selfNodes.live(now);
  const announced = live.filter((n) => n.isStored !== 0).length;
  const ok =
    state.lastResponse + OFFLINE_TIMEOUT_MS > now &&
    host.pathNodes.size > 0 &&
    announced > 0 &&
    Math.floor(live.length / 2) <= announced &&
    Math.floor(Math.min(host.pathNodes.size, ANNOUNCE_NODES) / 2) <= live.length;
  if (!ok) state.lastPopulated = NEVER;
  return ok;
}

/** c-toxcore's `do_friend` for an offline friend: DHT-PK timers, one search pass, a top-up when short. */
export function runFriend(host: CadenceHost, friend: OnionFriend, now: number): void {
  if (friend.online) return;
  // Beyond c-toxcore (timing only): the first DHT-PKs after the friend went offline are 3 s apart, not 30 s. The
  // node storing the friend may still answer through a return path that died with our previous session (a
  // restart) until the friend re-announces; a copy lost that way then costs seconds instead of half a minute.
  const onionInterval = friend.fastDhtPkSends < DHTPK_ONION_FAST_SENDS ? DHTPK_ONION_FAST_INTERVAL_MS : DHTPK_ONION_INTERVAL_MS;
  if (friend.lastDhtPkOnion + onionInterval <= now && host.sendDhtPk(friend, 'onion') > 0) {
    friend.lastDhtPkOnion = now;
    friend.fastDhtPkSends++;
  }
  if (friend.lastDhtPkDht + DHTPK_DHT_INTERVAL_MS <= now && host.sendDhtPk(friend, 'dht') > 0) friend.lastDhtPkDht = now;
  // Beyond c-toxcore: a friend that is evidently online but not reachable is searched as a new one. Without
  // this, a list filled before the friend announced itself backs off to hours and never learns where it is.
  if (friend.seenButUnreachable(now)) friend.runCount = Math.min(friend.runCount, FRIEND_RUN_COUNT_BEGINNING);
  const isNew = friend.isNew;
  const interval = friend.searchInterval();
  // c-toxcore spaces searches by whole seconds: interval / 4, rounded down (none while new).
  const spacing = Math.floor(interval / 1000 / FRIEND_PINGS_PER_RUN) * 1000;
  const live = friend.nodes.live(now);
  for (const node of live) {
    if (node.lastPinged === undefined) {
      node.lastPinged = now; // not searched at once
      continue;
    }
    if (node.pingsSinceResponse >= NODE_MAX_PINGS) continue;
    if (friend.lastSearch + spacing > now || node.lastPinged + interval > now) continue;
    if (host.announce(friend, node, undefined, undefined, now)) {
      node.lastPinged = now;
      node.pingsSinceResponse++;
      friend.lastSearch = now;
      if (++friend.searches % FRIEND_PINGS_PER_RUN === 0) friend.runCount++;
    }
  }
  if (live.length === FRIEND_NODES) {
    if (!isNew) friend.lastPopulated = now;
    return;
  }
  if (live.length <= FRIEND_NODES / 2 || friend.lastPopulated + ANNOUNCE_POPULATE_TIMEOUT_MS <= now) {
    const count = Math.min(host.pathNodes.size, MAX_PATH_NODES / 4);
    if (count === 0) return;
    friend.lastPopulated = now;
    for (let i = 0; i < count; i++) host.announce(friend, host.pathNodes.random(host.random)!, undefined, undefined, now);
  }
}
