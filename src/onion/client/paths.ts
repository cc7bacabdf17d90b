/**
 * Onion paths (tox-protocol.md §4.3, §4.6): the 32-node pool paths are drawn
 * from, a set of 6 paths with c-toxcore's timeouts, and building the 0x80 packet
 * (or, when node A is a TCP relay, the TCP onion request) for a path.
 */
import type { Random } from '../../base/index.js';
import {
  generateKeyPair,
  keysEqual,
  precompute,
  randomNonce,
  seal,
  type DhtKeyPair,
  type DhtPublicKey,
  type EphemeralPublicKey,
  type EphemeralSecretKey,
  type SharedKey,
} from '../../crypto/index.js';
import type { IpPort, PackedNode } from '../../net/index.js';
import type { OnionRequest } from '../../tcp/index.js';
import {
  MAX_PATH_NODES,
  PATH_FIRST_TIMEOUT_MS,
  PATH_MAX_LIFETIME_MS,
  PATH_MAX_NO_RESPONSE_USES,
  PATH_NEW_MAX_NO_RESPONSE_USES,
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
  lastSuccess: number;
  usesWithoutResponse: number;
}

/** What to send for one onion request: a UDP datagram to node A, or a TCP onion request to relay A. */
export type OnionSend = { kind: 'udp'; to: IpPort; data: Uint8Array } | { kind: 'tcp'; relay: DhtPublicKey; request: OnionRequest };

/** Ring buffer of path candidates, newest replacing oldest, without duplicates or our own key. */
export class PathNodePool {
  private readonly nodes: PackedNode[] = [];
  private next = 0;

  constructor(private readonly self: () => Uint8Array) {}

  get size(): number {
    return this.nodes.length;
  }

  add(node: PackedNode): void {
    if (node.transport !== 'udp' || keysEqual(node.publicKey, this.self())) return;
    const at = this.nodes.findIndex((n) => keysEqual(n.publicKey, node.publicKey));
    if (at >= 0) {
      this.nodes[at] = node;
      return;
    }
    if (this.nodes.length < MAX_PATH_NODES) this.nodes.push(node);
    else {
      this.nodes[this.next] = node;
      this.next = (this.next + 1) % MAX_PATH_NODES;
    }
  }

  random(random: Random): PackedNode | undefined {
    return this.nodes.length === 0 ? undefined : this.nodes[random.int(this.nodes.length)];
  }

  clear(): void {
    this.nodes.length = 0;
    this.next = 0;
  }
}

/** Builds a path over three hops (repeats allowed) with fresh layer keys. */
export function createPath(hops: readonly [PathHop, PathHop, PathHop], pathNum: number, ourDhtKeys: DhtKeyPair, random: Random, now: number): OnionPath {
  const k1 = generateKeyPair<EphemeralPublicKey, EphemeralSecretKey>(random);
  const k2 = generateKeyPair<EphemeralPublicKey, EphemeralSecretKey>(random);
  return {
    hops,
    pathNum,
    keyA: precompute(hops[0].publicKey, ourDhtKeys.secretKey),
    keyB: precompute(hops[1].publicKey, k1.secretKey),
    keyC: precompute(hops[2].publicKey, k2.secretKey),
    pk1: k1.publicKey,
    pk2: k2.publicKey,
    createdAt: now,
    lastSuccess: now,
    usesWithoutResponse: 0,
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

/** Six paths; a path's number is ≡ its slot (mod 6) so responses credit the right one. */
export class PathSet {
  private readonly slots: Array<OnionPath | undefined> = new Array(PATHS_PER_SET).fill(undefined);

  constructor(private readonly random: Random) {}

  timedOut(path: OnionPath, now: number): boolean {
    const confirmed = path.lastSuccess !== path.createdAt;
    const maxUses = confirmed ? PATH_MAX_NO_RESPONSE_USES : PATH_NEW_MAX_NO_RESPONSE_USES;
    const timeout = confirmed ? PATH_TIMEOUT_MS : PATH_FIRST_TIMEOUT_MS;
    return (path.usesWithoutResponse >= maxUses && path.lastSuccess + timeout <= now) || path.createdAt + PATH_MAX_LIFETIME_MS <= now;
  }

  /**
   * The path in `pathNum`'s slot (a random slot when undefined), replaced by a new
   * one from `pick` when missing or timed out; undefined when no path can be built.
   */
  use(pathNum: number | undefined, now: number, pick: (pathNum: number) => OnionPath | undefined): OnionPath | undefined {
    const slot = pathNum === undefined ? this.random.int(PATHS_PER_SET) : pathNum % PATHS_PER_SET;
    let path = this.slots[slot];
    if (!path || this.timedOut(path, now)) {
      path = pick(this.random.int(Math.floor(2 ** 32 / PATHS_PER_SET)) * PATHS_PER_SET + slot);
      this.slots[slot] = path;
      if (!path) return undefined;
    }
    path.usesWithoutResponse++;
    return path;
  }

  /** Credits a response to its path; returns the path when it is still current. */
  succeeded(pathNum: number, now: number): OnionPath | undefined {
    const path = this.slots[pathNum % PATHS_PER_SET];
    if (!path || path.pathNum !== pathNum) return undefined;
    path.lastSuccess = now + (now === path.createdAt ? 1e-3 : 0);
    path.usesWithoutResponse = 0;
    return path;
  }

  /** Whether the path that carried `pathNum` is still current and alive. */
  alive(pathNum: number, now: number): boolean {
    const path = this.slots[pathNum % PATHS_PER_SET];
    return path !== undefined && path.pathNum === pathNum && !this.timedOut(path, now);
  }

  clear(): void {
    this.slots.fill(undefined);
  }

  get size(): number {
    return this.slots.filter((p) => p !== undefined).length;
  }
}
