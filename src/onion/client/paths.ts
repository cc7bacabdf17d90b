/**
 * Onion paths (tox-protocol.md §4.3, §4.6): the 32-node rings paths are drawn
 * from (path nodes, and bootstrap path nodes from `tox_bootstrap` or the
 * profile), a set of 6 paths with c-toxcore's use counts and timeouts, and
 * building the 0x80 packet (or, when node A is a TCP relay, the TCP onion
 * request) for a path.
 */
import { bytesEqual, type Random } from '../../base/index.js';
import {
  generateKeyPair,
  randomNonce,
  seal,
  tryPrecompute,
  type DhtKeyPair,
  type DhtPublicKey,
  type EphemeralPublicKey,
  type EphemeralSecretKey,
  type SharedKey,
} from '../../crypto/index.js';
import { ipPortEqual, type IpPort, type PackedNode } from '../../net/index.js';
import type { OnionRequest } from '../../tcp/index.js';
import {
  MAX_PATH_NODES,
  PATH_FIRST_TIMEOUT_MS,
  PATH_MAX_LIFETIME_MS,
  PATH_MAX_NO_RESPONSE_USES,
  PATH_TIMEOUT_MS,
  PATHS_PER_SET,
} from '../constants.js';
import { OnionExitLayer, OnionHopLayer, OnionRequest0 } from '../wire/packets.js';

/** A path hop: a UDP DHT node, or (first hop only) one of our TCP relays. */
export interface PathHop {
  readonly publicKey: DhtPublicKey;
  readonly address: IpPort;
  readonly viaTcp?: boolean;
}

export interface OnionPath {
  readonly hops: readonly [PathHop, PathHop, PathHop];
  readonly pathNum: number;
  readonly keyA: SharedKey;
  readonly keyB: SharedKey;
  readonly keyC: SharedKey;
  readonly pk1: EphemeralPublicKey;
  readonly pk2: EphemeralPublicKey;
  readonly createdAt: number;
  /** Some response came back through this path. */
  confirmed: boolean;
  lastSuccess: number;
  /** When the path was last used while it had fewer than 4 unanswered uses. */
  lastUsed: number;
  /** Uses since the last response (a new path starts at 2, as in c-toxcore). */
  usedTimes: number;
}

/** What to send for one onion request: a UDP datagram to node A, or a TCP onion request to relay A. */
export type OnionSend = { kind: 'udp'; to: IpPort; data: Uint8Array } | { kind: 'tcp'; relay: DhtPublicKey; request: OnionRequest };

/** A ring of path candidates: a known key is updated in place, a new one replaces the oldest when full; never our own key. */
export class PathNodePool {
  private readonly nodes: PackedNode[] = [];
  private next = 0;

  constructor(private readonly self: () => Uint8Array) {}

  get size(): number {
    return this.nodes.length;
  }

  /** Adds a UDP node; false for TCP nodes and our own key. */
  add(node: PackedNode): boolean {
    // Public keys: an early-exit comparison is safe here and this runs for every path node on every tick.
    if (node.transport !== 'udp' || bytesEqual(node.publicKey, this.self())) return false;
    const at = this.nodes.findIndex((n) => bytesEqual(n.publicKey, node.publicKey));
    if (at >= 0) {
      this.nodes[at] = node;
      return true;
    }
    if (this.nodes.length < MAX_PATH_NODES) this.nodes.push(node);
    else {
      this.nodes[this.next] = node;
      this.next = (this.next + 1) % MAX_PATH_NODES;
    }
    return true;
  }

  random(random: Random): PackedNode | undefined {
    return this.nodes.length === 0 ? undefined : this.nodes[random.int(this.nodes.length)];
  }

  /** Newest first. */
  newestFirst(): PackedNode[] {
    const n = this.nodes.length;
    const start = n < MAX_PATH_NODES ? n : this.next;
    return Array.from({ length: n }, (_, i) => this.nodes[(start - 1 - i + n) % n]!);
  }

  clear(): void {
    this.nodes.length = 0;
    this.next = 0;
  }
}

/** Builds a path over three hops (repeats allowed) with fresh layer keys; undefined when a hop has a weak key. */
export function createPath(hops: readonly [PathHop, PathHop, PathHop], pathNum: number, ourDhtKeys: DhtKeyPair, random: Random, now: number): OnionPath | undefined {
  const k1 = generateKeyPair<EphemeralPublicKey, EphemeralSecretKey>(random);
  const k2 = generateKeyPair<EphemeralPublicKey, EphemeralSecretKey>(random);
  const keyA = tryPrecompute(hops[0].publicKey, ourDhtKeys.secretKey);
  const keyB = tryPrecompute(hops[1].publicKey, k1.secretKey);
  const keyC = tryPrecompute(hops[2].publicKey, k2.secretKey);
  if (!keyA || !keyB || !keyC) return undefined;
  return {
    hops,
    pathNum,
    keyA,
    keyB,
    keyC,
    pk1: k1.publicKey,
    pk2: k2.publicKey,
    createdAt: now,
    confirmed: false,
    lastSuccess: now,
    lastUsed: now,
    usedTimes: PATH_MAX_NO_RESPONSE_USES / 2,
  };
}

/** Wraps `payload` for node D at `destination` in the three layers of `path`. */
export function wrapOnion(path: OnionPath, ourDhtPk: DhtPublicKey, destination: IpPort, payload: Uint8Array, random: Random): OnionSend {
  const nonce = randomNonce(random);
  const sealedC = seal(path.keyC, nonce, OnionExitLayer.encode({ destination, payload }));
  const sealedB = seal(path.keyB, nonce, OnionHopLayer.encode({ nextHop: path.hops[2].address, publicKey: path.pk2, sealed: sealedC }));
  const a = path.hops[0];
  if (a.viaTcp) return { kind: 'tcp', relay: a.publicKey, request: { nonce, nextHop: path.hops[1].address, temporaryKey: path.pk1, payload: sealedB } };
  const sealedA = seal(path.keyA, nonce, OnionHopLayer.encode({ nextHop: path.hops[1].address, publicKey: path.pk1, sealed: sealedB }));
  return { kind: 'udp', to: a.address, data: OnionRequest0.encode({ nonce, senderPk: ourDhtPk, sealed: sealedA }) };
}

/**
 * Six paths (c-toxcore's `Onion_Client_Paths`); a path's number is ≡ its slot
 * (mod 6) so responses credit the right one. A path dies 4 s (never answered)
 * or 10 s (answered before) after its 4th unanswered use, or after 1200 s.
 */
export class PathSet {
  private readonly slots: Array<OnionPath | undefined> = new Array(PATHS_PER_SET).fill(undefined);

  constructor(private readonly random: Random) {}

  timedOut(path: OnionPath, now: number): boolean {
    const timeout = path.confirmed ? PATH_TIMEOUT_MS : PATH_FIRST_TIMEOUT_MS;
    return (path.usedTimes >= PATH_MAX_NO_RESPONSE_USES && path.lastUsed + timeout <= now) || path.createdAt + PATH_MAX_LIFETIME_MS <= now;
  }

  /**
   * The path in `pathNum`'s slot (a random slot when undefined). A missing or
   * timed-out one is replaced by a path over the hops from `pick`, unless a live
   * path already starts where the new one would end (c-toxcore's `is_path_used`):
   * then that path is used. Undefined when no path can be built.
   */
  use(pathNum: number | undefined, now: number, pick: () => readonly [PathHop, PathHop, PathHop] | undefined, build: (hops: readonly [PathHop, PathHop, PathHop], pathNum: number) => OnionPath | undefined): OnionPath | undefined {
    let slot = pathNum === undefined ? this.random.int(PATHS_PER_SET) : pathNum % PATHS_PER_SET;
    const current = this.slots[slot];
    if (!current || this.timedOut(current, now)) {
      const hops = pick();
      if (!hops) return undefined;
      const reuse = this.slots.findIndex((p) => p !== undefined && p.lastSuccess + PATH_TIMEOUT_MS > now && p.createdAt + PATH_MAX_LIFETIME_MS > now && ipPortEqual(p.hops[0].address, hops[2].address));
      if (reuse >= 0) slot = reuse;
      else {
        const built = build(hops, this.random.int(Math.floor(2 ** 32 / PATHS_PER_SET)) * PATHS_PER_SET + slot);
        if (!built) return undefined;
        this.slots[slot] = built;
      }
    }
    const path = this.slots[slot]!;
    if (path.usedTimes < PATH_MAX_NO_RESPONSE_USES) path.lastUsed = now;
    path.usedTimes++;
    return path;
  }

  /** Credits a response to its path; returns the path when it is still the one in its slot. */
  succeeded(pathNum: number, now: number): OnionPath | undefined {
    const path = this.slots[pathNum % PATHS_PER_SET];
    if (!path || path.pathNum !== pathNum) return undefined;
    path.confirmed = true;
    path.lastSuccess = now;
    path.usedTimes = 0;
    return path;
  }

  /** The live path numbered `pathNum` (c-toxcore's `path_exists`). */
  current(pathNum: number, now: number): OnionPath | undefined {
    const path = this.slots[pathNum % PATHS_PER_SET];
    return path !== undefined && path.pathNum === pathNum && !this.timedOut(path, now) ? path : undefined;
  }

  clear(): void {
    this.slots.fill(undefined);
  }

  get size(): number {
    return this.slots.filter((p) => p !== undefined).length;
  }
}
