/**
 * Per-friend onion state (tox-protocol.md §4.7–§4.8): the temporary search key,
 * the 8-node search list, the friend's DHT key with its no-replay counter, and
 * the DHT-PK send timers.
 */
import type { Random } from '../../base/index.js';
import { generateKeyPair, type DhtPublicKey, type EphemeralKeyPair, type LongTermPublicKey } from '../../crypto/index.js';
import { FRIEND_NODES, FRIEND_RUN_COUNT_BEGINNING, FRIEND_SEARCH_BEGINNING_MS, FRIEND_SEARCH_MAX_MS } from '../constants.js';
import { OnionNodeList } from './node-list.js';

export const NEVER = -Infinity;

export class OnionFriend {
  readonly searchKeys: EphemeralKeyPair;
  readonly nodes: OnionNodeList;
  dhtPk: DhtPublicKey | undefined;
  /** Lock on the DHT search for `dhtPk`. */
  dhtToken: number | undefined;
  lastNoReplay = 0n;
  online = false;
  /** c-toxcore's run_count: ticks spent with the friend found. */
  runCount = 0;
  lastDhtPkOnion = NEVER;
  lastDhtPkDht = NEVER;

  constructor(
    readonly realPk: LongTermPublicKey,
    random: Random,
  ) {
    this.searchKeys = generateKeyPair(random);
    this.nodes = new OnionNodeList(realPk, FRIEND_NODES);
  }

  /** c-toxcore: 3 s while new, then 2^(run_count−2) s up to an hour. */
  searchInterval(): number {
    if (this.runCount <= FRIEND_RUN_COUNT_BEGINNING) return FRIEND_SEARCH_BEGINNING_MS;
    return Math.min(2 ** Math.min(this.runCount - 2, 30) * 1000, FRIEND_SEARCH_MAX_MS);
  }
}
