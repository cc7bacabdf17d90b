/**
 * Per-friend onion state (tox-protocol.md §4.7–§4.8): the temporary search key,
 * the 8-node search list with c-toxcore's search cadence (3 s per node while
 * new, then 2^(run_count−2) s up to an hour, run_count growing by one per 4
 * searches), the friend's DHT key with its no-replay counter, the DHT-PK
 * send timers, and the signs that the friend is online.
 */
import type { Clock, Random } from '../../base/index.js';
import { generateKeyPair, SharedKeyCache, type DhtPublicKey, type EphemeralKeyPair, type LongTermPublicKey } from '../../crypto/index.js';
import {
  DHTPK_ONION_INTERVAL_MS,
  FRIEND_MAX_RUN_COUNT_EXPONENT,
  FRIEND_NODES,
  FRIEND_RUN_COUNT_BEGINNING,
  FRIEND_SEARCH_BEGINNING_MS,
  FRIEND_SEARCH_MAX_MS,
} from '../constants.js';
import { OnionNodeList, type OnionNode } from './node-list.js';

export const NEVER = -Infinity;

/** A DHT-PK or a "stored" answer this recent (two of the friend's DHT-PK rounds) shows the friend is online. */
const SEEN_WINDOW_MS = 2 * DHTPK_ONION_INTERVAL_MS;

/** The search list holds 8 nodes; a few more cover nodes replaced while their answers are in flight. */
const SEARCH_KEY_CACHE_SIZE = 32;

export class OnionFriend {
  readonly searchKeys: EphemeralKeyPair;
  /** Shared keys of `searchKeys` with the nodes searched (each search and its response use the same one). */
  readonly searchKeyCache: SharedKeyCache;
  readonly nodes: OnionNodeList;
  dhtPk: DhtPublicKey | undefined;
  /** Lock on the DHT search for `dhtPk`. */
  dhtToken: number | undefined;
  lastNoReplay = 0n;
  online = false;
  /** c-toxcore's run_count: grows by one per 4 searches sent. */
  runCount = 0;
  /** Searches sent (c-toxcore's `pings`). */
  searches = 0;
  /** When the last search went out (spaces searches by interval / 4). */
  lastSearch = NEVER;
  /** Last top-up of the list from random path nodes. */
  lastPopulated = NEVER;
  lastDhtPkOnion = NEVER;
  /** DHT-PKs sent through the onion at the fast cadence since the friend went offline. */
  fastDhtPkSends = 0;
  lastDhtPkDht = NEVER;
  /** When the friend's last DHT-PK announcement was accepted. */
  lastDhtPkReceived = NEVER;
  /** When a search response last said a node stores the friend. */
  lastSeenStored = NEVER;

  constructor(
    readonly realPk: LongTermPublicKey,
    random: Random,
    clock: Clock,
  ) {
    this.searchKeys = generateKeyPair(random);
    this.searchKeyCache = new SharedKeyCache(this.searchKeys.secretKey, clock, { capacity: SEARCH_KEY_CACHE_SIZE });
    this.nodes = new OnionNodeList(realPk, FRIEND_NODES);
  }

  /**
   * The nodes to send onion data through (c-toxcore's `send_onion_data` rule):
   * the live ones storing the friend, if at least (live − 1) / 4 + 1 do; else none.
   */
  dataNodes(now: number): OnionNode[] {
    const live = this.nodes.live(now);
    const good = live.filter((n) => n.isStored !== 0 && n.dataPk !== undefined);
    return good.length > 0 && good.length >= Math.floor((live.length - 1) / 4) + 1 ? good : [];
  }

  /**
   * The friend is evidently online (a live node stores it, a search found it
   * stored or its DHT-PK arrived in the last minute) but we cannot send it data yet.
   */
  seenButUnreachable(now: number): boolean {
    if (this.dataNodes(now).length > 0) return false;
    return this.lastDhtPkReceived + SEEN_WINDOW_MS > now || this.lastSeenStored + SEEN_WINDOW_MS > now || this.nodes.live(now).some((n) => n.isStored !== 0);
  }

  /** Still in the first searches (3 s per node). */
  get isNew(): boolean {
    return this.runCount <= FRIEND_RUN_COUNT_BEGINNING;
  }

  /** How often each node of the list is asked. */
  searchInterval(): number {
    if (this.isNew) return FRIEND_SEARCH_BEGINNING_MS;
    return Math.min(2 ** Math.min(FRIEND_MAX_RUN_COUNT_EXPONENT, this.runCount - 2) * 1000, FRIEND_SEARCH_MAX_MS);
  }
}
