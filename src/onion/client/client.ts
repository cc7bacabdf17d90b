/**
 * The onion client (tox-protocol.md §4.6–§4.9): keeps two path sets, announces
 * our real key to the nodes closest to it, reports "onion connected", searches
 * friends through the nodes closest to theirs, exchanges DHT-PK announcements
 * through the onion and through routed DHT packets (with no-replay checks) and
 * carries other onion data (friend requests) for the layers above. Runs on a
 * 1 s tick; untrusted input is counted and dropped, never thrown.
 */
import { EventEmitter } from 'eventemitter3';
import { InvalidArgumentError, InvalidStateError, type Logger, type Random, type Scheduler, type TimerHandle } from '../../base/index.js';
import {
  generateKeyPair,
  keyId,
  keysEqual,
  open,
  precompute,
  randomNonce,
  seal,
  SharedKeyCache,
  type DhtPublicKey,
  type EphemeralKeyPair,
  type EphemeralPublicKey,
  type EphemeralSecretKey,
  type LongTermKeyPair,
  type LongTermPublicKey,
  type Nonce,
  type PublicKey,
} from '../../crypto/index.js';
import type { Dht } from '../../dht/index.js';
import type { IpPort, PackedNode, PacketRouter } from '../../net/index.js';
import {
  ANNOUNCE_INTERVAL_ANNOUNCED_MS,
  ANNOUNCE_INTERVAL_NOT_ANNOUNCED_MS,
  ANNOUNCE_NODES,
  CLIENT_TICK_MS,
  CONNECTED_DEBOUNCE_MS,
  DHTPK_DHT_INTERVAL_MS,
  DHTPK_ONION_INTERVAL_MS,
  FRIEND_NODES,
  FRIEND_SEARCH_BEGINNING_MS,
  MAX_FRIENDS,
  MAX_PATH_NODES,
  MAX_SENT_NODES,
  NODE_MAX_PINGS,
  NODE_QUERY_MIN_INTERVAL_MS,
  OFFLINE_TIMEOUT_MS,
  ONION_CLIENT_MAX_DATA_SIZE,
  ONION_DATA_KIND,
  ONION_PACKET_ID as ID,
} from '../constants.js';
import { DropCounter, tryEncode } from '../drops.js';
import type { OnionRelayPort, OnionSendPort } from '../ports.js';
import {
  AnnounceRequest,
  AnnounceRequestPlain,
  AnnounceResponse,
  AnnounceResponsePlain,
  DataRequest,
  DataResponse,
  DhtPkPayload,
  DhtPkRouted,
  FriendRequestPayload,
  InnerData,
  InnerPlain,
  type AnnounceResponsePlainValue,
} from '../wire/packets.js';
import { NEVER, OnionFriend } from './friend.js';
import { ZERO_PING_ID, type OnionNode } from './node-list.js';
import { OnionNodeList } from './node-list.js';
import { createPath, PathNodePool, PathSet, wrapOnion, type OnionPath, type PathHop } from './paths.js';
import { Sendbacks } from './sendbacks.js';

export interface OnionClientDeps {
  scheduler: Scheduler;
  random: Random;
  log: Logger;
  socket: OnionSendPort;
  router: PacketRouter;
  dht: Dht;
  /** Our long-term identity (never the DHT key). */
  realKeyPair: LongTermKeyPair;
  /** Onion over TCP relays (§4.9), wired by runtime/ when available. */
  tcp?: OnionRelayPort;
}

export interface OnionClientOptions {
  tickIntervalMs?: number;
  /** How long the "connected" condition must hold (c-toxcore: 3 s). */
  connectedDebounceMs?: number;
}

export interface OnionClientEvents {
  connected: () => void;
  disconnected: () => void;
  /** A friend told us its DHT key (through the onion or a routed DHT packet); `nodes` may hold TCP relays. */
  friendDhtKey: (realPk: LongTermPublicKey, dhtPk: DhtPublicKey, nodes: readonly PackedNode[]) => void;
  /** Onion data other than DHT-PK (0x20 friend requests, from anyone), authenticated as from `senderRealPk`. */
  onionData: (kind: number, senderRealPk: LongTermPublicKey, data: Uint8Array) => void;
}

export type OnionConnectionStatus = 'none' | 'udp' | 'tcp';

const SELF = '';

export class OnionClient extends EventEmitter<OnionClientEvents> {
  readonly drops: DropCounter;
  readonly counters = { announcesSent: 0, searchesSent: 0, announceResponses: 0, dataSent: 0, dataReceived: 0, dhtPkOnionSent: 0, dhtPkDhtSent: 0, dhtPkReceived: 0 };
  private readonly friends = new Map<string, OnionFriend>();
  private readonly selfNodes: OnionNodeList;
  private readonly selfPaths: PathSet;
  private readonly friendPaths: PathSet;
  private readonly pool: PathNodePool;
  private readonly sendbacks: Sendbacks;
  /** Per target (self or friend): nodes from responses we queried in the last 10 s. */
  private readonly recentlyQueried = new Map<string, Map<string, number>>();
  private readonly realKeys: SharedKeyCache;
  private dataKeys: EphemeralKeyPair;
  private timer: TimerHandle | undefined;
  private detachTcp: (() => void) | undefined;
  private connected = false;
  private connectedSince = NEVER;
  private lastSelfResponse = NEVER;
  private readonly log: Logger;

  constructor(
    private readonly deps: OnionClientDeps,
    private readonly options: OnionClientOptions = {},
  ) {
    super();
    this.log = deps.log.child({ layer: 'onion-client' });
    this.drops = new DropCounter(this.log);
    this.selfNodes = new OnionNodeList(deps.realKeyPair.publicKey, ANNOUNCE_NODES);
    this.selfPaths = new PathSet(deps.random);
    this.friendPaths = new PathSet(deps.random);
    this.pool = new PathNodePool(() => deps.dht.publicKey);
    this.sendbacks = new Sendbacks(deps.random);
    this.realKeys = new SharedKeyCache(deps.realKeyPair.secretKey, deps.scheduler);
    this.dataKeys = generateKeyPair(deps.random);
  }

  // ------------------------------------------------------------------ lifecycle

  start(): void {
    if (this.timer) throw new InvalidStateError('onion client already started');
    this.dataKeys = generateKeyPair<EphemeralPublicKey, EphemeralSecretKey>(this.deps.random);
    const r = this.deps.router;
    r.register(ID.announceResponse, (d) => this.handleResponse(d));
    r.register(ID.dataResponse, (d) => this.handleResponse(d));
    r.register(ID.announceResponseNew, () => this.drops.drop('announceResponseNew'));
    this.deps.dht.registerCryptoHandler(ONION_DATA_KIND.dhtPk, (sender, payload) => this.handleRoutedDhtPk(sender, payload));
    for (const friend of this.friends.values()) if (friend.dhtPk) friend.dhtToken = this.deps.dht.addFriend(friend.dhtPk);
    this.detachTcp = this.deps.tcp?.subscribeOnion({ onionResponse: (payload) => this.handleResponse(payload) });
    this.timer = this.deps.scheduler.every(this.options.tickIntervalMs ?? CLIENT_TICK_MS, (now) => this.tick(now));
  }

  stop(): void {
    if (!this.timer) return;
    this.timer.cancel();
    this.timer = undefined;
    for (const id of [ID.announceResponse, ID.dataResponse, ID.announceResponseNew]) this.deps.router.unregister(id);
    this.deps.dht.unregisterCryptoHandler(ONION_DATA_KIND.dhtPk);
    this.detachTcp?.();
    this.detachTcp = undefined;
    for (const friend of this.friends.values()) this.releaseDhtSearch(friend);
    this.selfNodes.clear();
    this.selfPaths.clear();
    this.friendPaths.clear();
    this.pool.clear();
    this.sendbacks.clear();
    this.lastSelfResponse = NEVER;
    this.setConnected(false);
  }

  // ------------------------------------------------------------------ public API

  /** Our session key for receiving onion data (announced with our real key). */
  get dataPublicKey(): EphemeralPublicKey {
    return this.dataKeys.publicKey;
  }

  /** "Onion connected": announced to enough of the nodes closest to us (drives the self connection status). */
  isConnected(): boolean {
    return this.connected;
  }

  /** c-toxcore's self status: UDP only if the DHT reaches a non-LAN node, else TCP (even on loopback UDP). */
  connectionStatus(): OnionConnectionStatus {
    if (!this.connected) return 'none';
    return this.deps.dht.isNonLanConnected() ? 'udp' : 'tcp';
  }

  /** Starts searching for a friend (idempotent). */
  addFriend(realPk: LongTermPublicKey): void {
    if (keysEqual(realPk, this.deps.realKeyPair.publicKey)) throw new InvalidArgumentError('cannot add our own key as an onion friend');
    const id = keyId(realPk);
    if (this.friends.has(id)) return;
    if (this.friends.size >= MAX_FRIENDS) throw new InvalidArgumentError(`at most ${MAX_FRIENDS} onion friends`);
    this.friends.set(id, new OnionFriend(realPk, this.deps.random));
  }

  removeFriend(realPk: LongTermPublicKey): boolean {
    const friend = this.friends.get(keyId(realPk));
    if (!friend) return false;
    this.releaseDhtSearch(friend);
    return this.friends.delete(keyId(realPk));
  }

  /** The friend's DHT key, once it told us (or `setFriendDhtKey` did). */
  friendDhtKey(realPk: LongTermPublicKey): DhtPublicKey | undefined {
    return this.friends.get(keyId(realPk))?.dhtPk;
  }

  /** Adopts a DHT key learned elsewhere (e.g. from a net_crypto handshake). */
  setFriendDhtKey(realPk: LongTermPublicKey, dhtPk: DhtPublicKey): void {
    const friend = this.friends.get(keyId(realPk));
    if (friend) this.adoptDhtKey(friend, dhtPk);
  }

  /** Online friends are not searched (c-toxcore); going offline resets the cadence and the no-replay counter. */
  setFriendOnline(realPk: LongTermPublicKey, online: boolean): void {
    const friend = this.friends.get(keyId(realPk));
    if (!friend || friend.online === online) return;
    friend.online = online;
    if (!online) {
      friend.runCount = 0;
      friend.lastNoReplay = 0n;
      friend.lastDhtPkOnion = NEVER;
      friend.lastDhtPkDht = NEVER;
    }
  }

  /** Sends `[kind][data]` to a friend through the onion; returns the number of copies sent (0: not found yet). */
  sendOnionData(realPk: LongTermPublicKey, kind: number, data: Uint8Array): number {
    const friend = this.friends.get(keyId(realPk));
    if (!friend) throw new InvalidArgumentError('not an onion friend');
    if (data.length + 1 > ONION_CLIENT_MAX_DATA_SIZE) throw new InvalidArgumentError(`onion data is at most ${ONION_CLIENT_MAX_DATA_SIZE} bytes`);
    return this.sendData(friend, InnerPlain.encode({ kind, data }));
  }

  /** A friend request as onion data (kind 0x20): `nospam` is the 4 raw address bytes. */
  sendFriendRequest(realPk: LongTermPublicKey, nospam: Uint8Array, message: Uint8Array): number {
    const packet = FriendRequestPayload.encode({ nospam, message });
    return this.sendOnionData(realPk, packet[0]!, packet.subarray(1));
  }

  /** Sizes of every bounded structure (for hostile-input tests). */
  memoryFootprint(): Record<string, number> {
    return {
      friends: this.friends.size,
      selfNodes: this.selfNodes.size,
      pathNodes: this.pool.size,
      selfPaths: this.selfPaths.size,
      friendPaths: this.friendPaths.size,
      sendbacks: this.sendbacks.size,
      recentlyQueried: [...this.recentlyQueried.values()].reduce((n, m) => n + m.size, 0),
    };
  }

  // ------------------------------------------------------------------ periodic work

  /** c-toxcore's `do_onion_client`, once per tick. */
  tick(now: number): void {
    if (!this.timer) return;
    for (const node of this.deps.dht.pathNodes(MAX_PATH_NODES)) this.pool.add(node);
    this.doAnnounce(now);
    for (const friend of this.friends.values()) this.doFriend(friend, now);
    this.updateConnected(now);
    for (const [target, queried] of this.recentlyQueried) {
      for (const [id, at] of queried) if (at + NODE_QUERY_MIN_INTERVAL_MS <= now) queried.delete(id);
      if (queried.size === 0) this.recentlyQueried.delete(target);
    }
  }

  private doAnnounce(now: number): void {
    const live = this.selfNodes.live(now);
    for (const node of live) {
      if (node.fresh) {
        node.fresh = false;
        continue;
      }
      const stored = node.isStored !== 0 && this.selfPaths.alive(node.pathNum, now);
      const interval = stored ? ANNOUNCE_INTERVAL_ANNOUNCED_MS : ANNOUNCE_INTERVAL_NOT_ANNOUNCED_MS;
      if (node.lastPinged + interval > now) continue;
      // The ping id is bound to the path's last hop: reuse the path while it lives.
      const pathNum = node.pingsSinceResponse < NODE_MAX_PINGS - 1 ? node.pathNum : undefined;
      if (this.sendAnnounce(SELF, node.publicKey, node.address, node.pingIdOrKey, pathNum, now)) {
        node.lastPinged = now;
        node.pingsSinceResponse++;
      }
    }
    if (live.length < ANNOUNCE_NODES && live.length <= this.deps.random.int(ANNOUNCE_NODES / 2 + 1)) this.queryRandomPathNodes(SELF, now);
  }

  private doFriend(friend: OnionFriend, now: number): void {
    if (friend.online) return;
    const live = friend.nodes.live(now);
    const interval = friend.searchInterval();
    for (const node of live) {
      if (node.fresh) {
        node.fresh = false;
        continue;
      }
      if (node.pingsSinceResponse >= NODE_MAX_PINGS || node.lastPinged + interval > now) continue;
      if (this.sendAnnounce(keyId(friend.realPk), node.publicKey, node.address, ZERO_PING_ID, undefined, now)) {
        node.lastPinged = now;
        node.pingsSinceResponse++;
      }
    }
    // Back off only once the friend is found (some node stores its announcement) and its DHT key known.
    if (friend.dhtPk && live.some((n) => n.isStored === 1)) friend.runCount++;
    if (live.length < FRIEND_NODES && live.length <= this.deps.random.int(FRIEND_NODES / 2 + 1)) this.queryRandomPathNodes(keyId(friend.realPk), now);
    // c-toxcore resends every 30 s; until the friend's own DHT-PK reached us we retry at the search cadence,
    // since a lossy 8-hop round trip often loses the first copies (no_replay still rises: seconds).
    const dhtPkInterval = friend.dhtPk === undefined ? FRIEND_SEARCH_BEGINNING_MS : DHTPK_ONION_INTERVAL_MS;
    if (friend.lastDhtPkOnion + dhtPkInterval <= now && this.sendDhtPkOnion(friend) > 0) friend.lastDhtPkOnion = now;
    if (friend.dhtPk && friend.lastDhtPkDht + DHTPK_DHT_INTERVAL_MS <= now && this.sendDhtPkDht(friend) > 0) friend.lastDhtPkDht = now;
  }

  private queryRandomPathNodes(target: string, now: number): void {
    const count = Math.min(this.pool.size, MAX_PATH_NODES / 4);
    for (let i = 0; i < count; i++) {
      const node = this.pool.random(this.deps.random);
      if (node) this.sendAnnounce(target, node.publicKey, node.address, ZERO_PING_ID, undefined, now);
    }
  }

  private updateConnected(now: number): void {
    const live = this.selfNodes.live(now);
    const announced = live.filter((n) => n.isStored !== 0).length;
    const ok =
      this.lastSelfResponse + OFFLINE_TIMEOUT_MS > now &&
      this.pool.size > 0 &&
      live.length > 0 &&
      announced >= 1 &&
      announced >= live.length / 2 &&
      live.length >= Math.min(this.pool.size, ANNOUNCE_NODES) / 2;
    if (!ok) {
      this.connectedSince = NEVER;
      return this.setConnected(false);
    }
    if (this.connectedSince === NEVER) this.connectedSince = now;
    if (now - this.connectedSince >= (this.options.connectedDebounceMs ?? CONNECTED_DEBOUNCE_MS)) this.setConnected(true);
  }

  private setConnected(connected: boolean): void {
    if (connected === this.connected) return;
    this.connected = connected;
    this.log.info(connected ? 'onion connected' : 'onion disconnected');
    this.emit(connected ? 'connected' : 'disconnected');
  }

  // ------------------------------------------------------------------ sending

  /** Three random pool nodes (repeats allowed), or a TCP relay then two pool nodes when the DHT is down. */
  private pickPath(pathNum: number, now: number): OnionPath | undefined {
    const hop = (): PathHop | undefined => this.pool.random(this.deps.random);
    const relays = this.deps.tcp?.onionRelays() ?? [];
    const first: PathHop | undefined =
      !this.deps.dht.isConnected() && relays.length > 0 ? { ...relays[this.deps.random.int(relays.length)]!, viaTcp: true } : hop();
    const b = hop();
    const c = hop();
    if (!first || !b || !c) return undefined;
    return createPath([first, b, c], pathNum, this.deps.dht.keyPair, this.deps.random, now);
  }

  private sendThroughPath(path: OnionPath, destination: IpPort, payload: Uint8Array): boolean {
    const out = wrapOnion(path, this.deps.dht.publicKey, destination, payload, this.deps.random);
    if (out.kind === 'udp') return this.deps.socket.send(out.to, out.data);
    return this.deps.tcp?.sendOnionRequest(out.relay, out.request) ?? false;
  }

  /** An announce (target SELF) or a search (target = friend id) to node D. */
  private sendAnnounce(target: string, nodePk: DhtPublicKey, address: IpPort, pingId: Uint8Array, pathNum: number | undefined, now: number): boolean {
    const friend = target === SELF ? undefined : this.friends.get(target);
    if (target !== SELF && !friend) return false;
    const paths = friend ? this.friendPaths : this.selfPaths;
    const path = paths.use(pathNum, now, (n) => this.pickPath(n, now));
    if (!path) return false;
    const sendback = this.sendbacks.add({ target, nodePk, address, pathNum: path.pathNum, sentAt: now });
    const plain = friend
      ? AnnounceRequestPlain.encode({ pingId: ZERO_PING_ID, searchedPk: friend.realPk, dataPk: ZERO_PING_ID, sendback })
      : AnnounceRequestPlain.encode({ pingId, searchedPk: this.deps.realKeyPair.publicKey, dataPk: this.dataKeys.publicKey, sendback });
    const sender = friend ? friend.searchKeys : this.deps.realKeyPair;
    const nonce = randomNonce(this.deps.random);
    const request = AnnounceRequest.encode({ nonce, senderPk: sender.publicKey, sealed: seal(precompute(nodePk, sender.secretKey), nonce, plain) });
    if (friend) this.counters.searchesSent++;
    else this.counters.announcesSent++;
    return this.sendThroughPath(path, address, request);
  }

  /** c-toxcore's `send_onion_data`: one copy through each node storing the friend, if enough of them do. */
  private sendData(friend: OnionFriend, innerPlain: Uint8Array): number {
    const now = this.deps.scheduler.now();
    const live = friend.nodes.live(now);
    const good = live.filter((n) => n.isStored === 1);
    if (good.length === 0 || good.length < Math.floor((live.length - 1) / 4) + 1) return 0;
    const nonce = randomNonce(this.deps.random);
    const inner = InnerData.encode({ senderPk: this.deps.realKeyPair.publicKey, sealed: seal(this.realKeys.get(friend.realPk), nonce, innerPlain) });
    let sent = 0;
    for (const node of good) {
      const path = this.friendPaths.use(undefined, now, (n) => this.pickPath(n, now));
      if (!path) continue;
      const temp = generateKeyPair<EphemeralPublicKey, EphemeralSecretKey>(this.deps.random);
      const request = tryEncode(DataRequest, {
        destinationPk: friend.realPk,
        nonce,
        temporaryPk: temp.publicKey,
        sealed: seal(precompute(node.pingIdOrKey as PublicKey, temp.secretKey), nonce, inner),
      });
      if (request && this.sendThroughPath(path, node.address, request)) sent++;
    }
    this.counters.dataSent += sent;
    return sent;
  }

  private dhtPkPlain(): Uint8Array {
    const relays: PackedNode[] = (this.deps.tcp?.onionRelays() ?? []).slice(0, MAX_SENT_NODES / 2).map((r) => ({ transport: 'tcp', ...r }));
    const dht = this.deps.dht;
    const nodes = [...relays, ...dht.closestNodes(dht.publicKey, MAX_SENT_NODES - relays.length)];
    return DhtPkPayload.encode({ noReplay: BigInt(this.deps.scheduler.unixSeconds()), dhtPk: dht.publicKey, nodes });
  }

  private sendDhtPkOnion(friend: OnionFriend): number {
    const sent = this.sendData(friend, this.dhtPkPlain());
    this.counters.dhtPkOnionSent += sent;
    return sent;
  }

  private sendDhtPkDht(friend: OnionFriend): number {
    const nonce = randomNonce(this.deps.random);
    const payload = DhtPkRouted.encode({
      senderPk: this.deps.realKeyPair.publicKey,
      nonce,
      sealed: seal(this.realKeys.get(friend.realPk), nonce, this.dhtPkPlain()),
    });
    const sent = this.deps.dht.sendRoutedPacket(friend.dhtPk!, ONION_DATA_KIND.dhtPk, payload);
    this.counters.dhtPkDhtSent += sent;
    return sent;
  }

  // ------------------------------------------------------------------ receiving

  /** A bare onion response from node A (UDP) or from a TCP relay. */
  private handleResponse(data: Uint8Array): void {
    if (!this.timer) return;
    if (data[0] === ID.announceResponse) this.handleAnnounceResponse(data);
    else if (data[0] === ID.dataResponse) this.handleDataResponse(data);
    else this.drops.drop('unexpectedResponse');
  }

  private handleAnnounceResponse(data: Uint8Array): void {
    const packet = AnnounceResponse.tryDecode(data);
    if (!packet.ok) return this.drops.drop('announceResponseMalformed');
    const now = this.deps.scheduler.now();
    const request = this.sendbacks.take(packet.value.sendback, now);
    if (!request) return this.drops.drop('unknownSendback');
    const friend = request.target === SELF ? undefined : this.friends.get(request.target);
    if (request.target !== SELF && !friend) return this.drops.drop('friendGone');
    const secret = friend ? friend.searchKeys.secretKey : this.deps.realKeyPair.secretKey;
    const opened = open(precompute(request.nodePk, secret), packet.value.nonce as Nonce, packet.value.sealed);
    if (!opened) return this.drops.drop('announceResponseDecrypt');
    const plain = AnnounceResponsePlain.tryDecode(opened);
    if (!plain.ok) return this.drops.drop('announceResponsePlain');
    this.counters.announceResponses++;
    const path = (friend ? this.friendPaths : this.selfPaths).succeeded(request.pathNum, now);
    if (path) for (const hop of path.hops) if (!hop.viaTcp) this.pool.add({ transport: 'udp', address: hop.address, publicKey: hop.publicKey });
    this.pool.add({ transport: 'udp', address: request.address, publicKey: request.nodePk });
    if (friend) {
      this.recordNode(friend.nodes, request, plain.value.isStored === 1 ? 1 : 0, plain.value.pingIdOrKey, now);
    } else {
      this.lastSelfResponse = now;
      // "Stored" under another data key means an old session of ours: not announced.
      const isStored = plain.value.isStored === 1 && !keysEqual(plain.value.pingIdOrKey, this.dataKeys.publicKey) ? 0 : plain.value.isStored;
      this.recordNode(this.selfNodes, request, isStored, plain.value.pingIdOrKey, now);
    }
    this.queryReturnedNodes(request.target, friend ? friend.nodes : this.selfNodes, plain.value, now);
  }

  private recordNode(list: OnionNodeList, request: { nodePk: DhtPublicKey; address: IpPort; pathNum: number }, isStored: number, pingIdOrKey: Uint8Array, now: number): OnionNode | undefined {
    return list.update({ publicKey: request.nodePk, address: request.address, isStored, pingIdOrKey, pathNum: request.pathNum }, now);
  }

  /** Asks returned nodes that would enter the list (each at most once per 10 s). */
  private queryReturnedNodes(target: string, list: OnionNodeList, plain: AnnounceResponsePlainValue, now: number): void {
    let queried = this.recentlyQueried.get(target);
    for (const node of plain.nodes) {
      const id = keyId(node.publicKey);
      if (list.find(node.publicKey) || !list.wouldAccept(node.publicKey, now) || queried?.has(id)) continue;
      if (!queried) this.recentlyQueried.set(target, (queried = new Map()));
      if (queried.size >= MAX_PATH_NODES) continue;
      queried.set(id, now);
      this.sendAnnounce(target, node.publicKey, node.address, ZERO_PING_ID, undefined, now);
    }
  }

  private handleDataResponse(data: Uint8Array): void {
    const packet = DataResponse.tryDecode(data);
    if (!packet.ok) return this.drops.drop('dataResponseMalformed');
    const nonce = packet.value.nonce as Nonce;
    const outer = open(precompute(packet.value.temporaryPk as PublicKey, this.dataKeys.secretKey), nonce, packet.value.sealed);
    if (!outer) return this.drops.drop('dataResponseDecrypt');
    const inner = InnerData.tryDecode(outer);
    if (!inner.ok) return this.drops.drop('dataInnerMalformed');
    const sender = inner.value.senderPk as LongTermPublicKey;
    const opened = open(this.realKeys.get(sender), nonce, inner.value.sealed);
    if (!opened) return this.drops.drop('dataInnerDecrypt');
    const plain = InnerPlain.tryDecode(opened);
    if (!plain.ok) return this.drops.drop('dataPlainMalformed');
    this.counters.dataReceived++;
    if (plain.value.kind === ONION_DATA_KIND.dhtPk) return this.handleDhtPk(sender, opened, undefined);
    this.emit('onionData', plain.value.kind, sender, plain.value.data);
  }

  private handleRoutedDhtPk(senderDhtPk: DhtPublicKey, payload: Uint8Array): void {
    if (!this.timer) return;
    const packet = DhtPkRouted.tryDecode(payload);
    if (!packet.ok) return this.drops.drop('routedDhtPkMalformed');
    const sender = packet.value.senderPk as LongTermPublicKey;
    if (!this.friends.has(keyId(sender))) return this.drops.drop('dhtPkNotFriend');
    const plain = open(this.realKeys.get(sender), packet.value.nonce as Nonce, packet.value.sealed);
    if (!plain) return this.drops.drop('routedDhtPkDecrypt');
    this.handleDhtPk(sender, plain, senderDhtPk);
  }

  /** c-toxcore's `handle_dhtpk_announce`; a routed copy must come from the DHT key it announces. */
  private handleDhtPk(sender: LongTermPublicKey, plain: Uint8Array, routedFrom: DhtPublicKey | undefined): void {
    const friend = this.friends.get(keyId(sender));
    if (!friend) return this.drops.drop('dhtPkNotFriend');
    const decoded = DhtPkPayload.tryDecode(plain);
    if (!decoded.ok) return this.drops.drop('dhtPkMalformed');
    const { noReplay, dhtPk, nodes } = decoded.value;
    if (routedFrom && !keysEqual(routedFrom, dhtPk)) return this.drops.drop('dhtPkSenderMismatch');
    if (noReplay <= friend.lastNoReplay) return this.drops.drop('dhtPkReplay');
    friend.lastNoReplay = noReplay;
    this.counters.dhtPkReceived++;
    this.adoptDhtKey(friend, dhtPk as DhtPublicKey);
    this.emit('friendDhtKey', friend.realPk, dhtPk as DhtPublicKey, nodes);
  }

  /** Records the friend's DHT key and keeps a DHT search running for it (needed for routed DHT-PK packets). */
  private adoptDhtKey(friend: OnionFriend, dhtPk: DhtPublicKey): void {
    if (friend.dhtPk && keysEqual(friend.dhtPk, dhtPk)) return;
    this.releaseDhtSearch(friend);
    friend.dhtPk = dhtPk;
    friend.lastDhtPkDht = NEVER;
    if (this.timer && !keysEqual(dhtPk, this.deps.dht.publicKey)) friend.dhtToken = this.deps.dht.addFriend(dhtPk);
  }

  private releaseDhtSearch(friend: OnionFriend): void {
    if (friend.dhtPk && friend.dhtToken !== undefined) this.deps.dht.removeFriend(friend.dhtPk, friend.dhtToken);
    friend.dhtToken = undefined;
  }
}
