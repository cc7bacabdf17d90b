/**
 * The onion client (tox-protocol.md §4.6–§4.9): keeps two path sets over the
 * path nodes (or, without a DHT, over a TCP relay and bootstrap path nodes),
 * announces our real key to the nodes closest to it, reports "onion
 * connected", searches friends through the nodes closest to theirs, exchanges
 * DHT-PK announcements through the onion and through routed DHT packets (with
 * no-replay checks) and carries other onion data (friend requests) for the
 * layers above. Runs on a 1 s tick with c-toxcore's cadences (cadence.ts);
 * untrusted input is counted and dropped, never thrown.
 */
import { EventEmitter } from 'eventemitter3';
import { InvalidArgumentError, InvalidStateError, type Logger, type Random, type Scheduler, type TimerHandle } from '../../base/index.js';
import {
  generateKeyPair,
  keyId,
  keysEqual,
  open,
  randomNonce,
  seal,
  SharedKeyCache,
  tryPrecompute,
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
import { isLan, type IpPort, type PackedNode, type PacketRouter } from '../../net/index.js';
import {
  ANNOUNCE_NODES,
  CLIENT_TICK_MS,
  CONNECTED_TICKS,
  EARLY_ANNOUNCE_PATH_NODES,
  FRIEND_NODES,
  MAX_FRIENDS,
  MAX_SENT_NODES,
  ONION_CLIENT_MAX_DATA_SIZE,
  ONION_DATA_KIND,
  ONION_PACKET_ID as ID,
  PING_ID_SIZE,
  RECONNECTED_RESET_MS,
  SAVED_PATH_NODES,
  TCP_ONION_STATUS_DELAY_MS,
  STARTUP_TICK_MS,
  STARTUP_WINDOW_MS,
  WARM_UP_MS,
} from '../constants.js';
import { DropCounter, tryEncode, tryShared } from '../drops.js';
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
} from '../wire/packets.js';
import { AnnounceState, isAnnounced, runAnnounce, runFriend, type CadenceHost } from './cadence.js';
import { NEVER, OnionFriend } from './friend.js';
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

const ZERO_PING_ID = new Uint8Array(PING_ID_SIZE);

export class OnionClient extends EventEmitter<OnionClientEvents> {
  readonly drops: DropCounter;
  readonly counters = { announcesSent: 0, searchesSent: 0, announceResponses: 0, dataSent: 0, dataReceived: 0, dhtPkOnionSent: 0, dhtPkDhtSent: 0, dhtPkReceived: 0 };
  private readonly pathNodes: PathNodePool;
  private readonly bootstrapNodes: PathNodePool;
  private readonly selfNodes: OnionNodeList;
  private readonly selfPaths: PathSet;
  private readonly friendPaths: PathSet;
  private readonly cadence: CadenceHost;
  private readonly friends = new Map<string, OnionFriend>();
  private readonly announceState = new AnnounceState();
  private readonly sendbacks: Sendbacks;
  private readonly realKeys: SharedKeyCache;
  private dataKeys: EphemeralKeyPair;
  private timer: TimerHandle | undefined;
  private detachTcp: (() => void) | undefined;
  private startedAt = NEVER;
  /** c-toxcore's onion_connected: +1 per announced tick (up to 6), −1 otherwise; connected from 3. */
  private connectedTicks = 0;
  /** In the startup window: ticking every STARTUP_TICK_MS, then c-toxcore's 1 s. */
  private fastTicks = false;
  private lastTimeConnected = NEVER;
  private tcpOnion: boolean | undefined;
  private connectedReported = false;
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
    this.pathNodes = new PathNodePool(() => deps.dht.publicKey);
    this.bootstrapNodes = new PathNodePool(() => deps.dht.publicKey);
    this.sendbacks = new Sendbacks(deps.random);
    this.realKeys = new SharedKeyCache(deps.realKeyPair.secretKey, deps.scheduler);
    this.dataKeys = generateKeyPair(deps.random);
    this.cadence = {
      random: deps.random,
      pathNodes: this.pathNodes,
      bootstrapNodes: this.bootstrapNodes,
      selfNodes: this.selfNodes,
      selfPaths: this.selfPaths,
      announce: (friend, node, pingId, pathNum, now) => this.announce(friend, node, pingId, pathNum, now),
      sendDhtPk: (friend, via) => this.sendDhtPk(friend, via),
    };
  }

  // ------------------------------------------------------------------ lifecycle

  start(): void {
    if (this.timer) throw new InvalidStateError('onion client already started');
    this.dataKeys = generateKeyPair<EphemeralPublicKey, EphemeralSecretKey>(this.deps.random);
    const r = this.deps.router;
    r.register(ID.announceResponse, (d, from) => this.handleResponse(d, from));
    r.register(ID.dataResponse, (d, from) => this.handleResponse(d, from));
    r.register(ID.announceResponseNew, () => this.drops.drop('announceResponseNew'));
    this.deps.dht.registerCryptoHandler(ONION_DATA_KIND.dhtPk, (sender, payload) => this.handleRoutedDhtPk(sender, payload));
    for (const friend of this.friends.values()) if (friend.dhtPk) this.lockDhtSearch(friend);
    this.detachTcp = this.deps.tcp?.subscribeOnion({ onionResponse: (payload) => this.handleResponse(payload, undefined) });
    this.startedAt = this.deps.scheduler.now();
    this.fastTicks = this.options.tickIntervalMs === undefined;
    this.armTimer(this.options.tickIntervalMs ?? STARTUP_TICK_MS);
  }

  /** Connected, and every friend online or its DHT key known: nothing left that fast ticks would speed up. */
  private startupDone(): boolean {
    if (!this.isConnected()) return false;
    for (const friend of this.friends.values()) if (!friend.online && !friend.dhtPk) return false;
    return true;
  }

  private armTimer(ms: number): void {
    this.timer?.cancel();
    this.timer = this.deps.scheduler.every(ms, (now) => this.tick(now));
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
    this.sendbacks.clear();
    this.announceState.reset();
    this.connectedTicks = 0;
    this.lastTimeConnected = NEVER;
    this.tcpOnion = undefined;
    this.setConnected(false);
  }

  // ------------------------------------------------------------------ public API

  /** Our session key for receiving onion data (announced with our real key). */
  get dataPublicKey(): EphemeralPublicKey {
    return this.dataKeys.publicKey;
  }

  /** "Onion connected": announced to enough of the nodes closest to us for 3 ticks (drives the self connection status). */
  isConnected(): boolean {
    return this.connectedTicks >= CONNECTED_TICKS;
  }

  /** c-toxcore's self status: UDP only if the DHT reaches a non-LAN node, else TCP (even on loopback UDP). */
  connectionStatus(): OnionConnectionStatus {
    if (!this.isConnected()) return 'none';
    return this.deps.dht.isNonLanConnected() ? 'udp' : 'tcp';
  }

  /**
   * A bootstrap path node (c-toxcore's `onion_add_bs_path_node`, fed by
   * `tox_bootstrap` and the profile): used to top up the announce list while no
   * path node is known, and as hops after a TCP relay while fewer than 2 are.
   */
  addBootstrapPathNode(node: { address: IpPort; publicKey: Uint8Array }): boolean {
    return this.bootstrapNodes.add({ transport: 'udp', address: node.address, publicKey: node.publicKey as DhtPublicKey });
  }

  /** The profile's PATH_NODE section, as bootstrap path nodes. */
  loadPathNodes(nodes: readonly PackedNode[]): void {
    for (const node of nodes) if (node.transport === 'udp') this.addBootstrapPathNode(node);
  }

  /** What to save as the PATH_NODE section (c-toxcore's `onion_backup_nodes`): newest path nodes, then bootstrap ones. */
  pathNodesToSave(max = SAVED_PATH_NODES): PackedNode[] {
    const out = this.pathNodes.newestFirst().slice(0, max);
    for (const node of this.bootstrapNodes.newestFirst().reverse()) {
      if (out.length >= max) break;
      if (!out.some((n) => keysEqual(n.publicKey, node.publicKey))) out.push(node);
    }
    return out;
  }

  /** Starts searching for a friend (idempotent). */
  addFriend(realPk: LongTermPublicKey): void {
    if (keysEqual(realPk, this.deps.realKeyPair.publicKey)) throw new InvalidArgumentError('cannot add our own key as an onion friend');
    const id = keyId(realPk);
    if (this.friends.has(id)) return;
    if (this.friends.size >= MAX_FRIENDS) throw new InvalidArgumentError(`at most ${MAX_FRIENDS} onion friends`);
    this.friends.set(id, new OnionFriend(realPk, this.deps.random, this.deps.scheduler));
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

  /** Online friends are not searched (c-toxcore); going offline restarts the cadence and the no-replay counter. */
  setFriendOnline(realPk: LongTermPublicKey, online: boolean): void {
    const friend = this.friends.get(keyId(realPk));
    if (!friend || friend.online === online) return;
    friend.online = online;
    if (!online) {
      friend.runCount = 0;
      friend.lastNoReplay = 0n;
      friend.fastDhtPkSends = 0;
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
    const friendLists = [...this.friends.values()];
    return {
      friends: this.friends.size,
      selfNodes: this.selfNodes.size,
      friendNodes: friendLists.reduce((n, f) => n + f.nodes.size, 0),
      pathNodes: this.pathNodes.size,
      bootstrapPathNodes: this.bootstrapNodes.size,
      selfPaths: this.selfPaths.size,
      friendPaths: this.friendPaths.size,
      sendbacks: this.sendbacks.size,
      recentlyAsked: this.selfNodes.pingedMemory + friendLists.reduce((n, f) => n + f.nodes.pingedMemory, 0),
    };
  }

  // ------------------------------------------------------------------ periodic work

  /** c-toxcore's `do_onion_client`, once per tick. */
  private tick(now: number): void {
    const dht = this.deps.dht;
    for (const node of dht.pathNodes(FRIEND_NODES)) this.pathNodes.add(node);
    const warm = now - this.startedAt >= WARM_UP_MS;
    if (!warm && this.pathNodes.size < EARLY_ANNOUNCE_PATH_NODES) for (const node of dht.closestNodes(dht.publicKey, FRIEND_NODES)) this.pathNodes.add(node);
    if (warm || this.pathNodes.size >= EARLY_ANNOUNCE_PATH_NODES) runAnnounce(this.cadence, this.announceState, now);
    if (isAnnounced(this.cadence, this.announceState, now)) {
      if (this.lastTimeConnected + RECONNECTED_RESET_MS <= now) for (const friend of this.friends.values()) friend.runCount = 0;
      this.lastTimeConnected = now;
      this.connectedTicks = Math.min(this.connectedTicks + 1, 2 * CONNECTED_TICKS);
    } else {
      this.connectedTicks = Math.max(this.connectedTicks - 1, 0);
    }
    if (now - this.startedAt >= TCP_ONION_STATUS_DELAY_MS) this.updateTcpOnion();
    this.setConnected(this.isConnected());
    if (this.isConnected()) for (const friend of this.friends.values()) runFriend(this.cadence, friend, now);
    if (this.fastTicks && (now - this.startedAt >= STARTUP_WINDOW_MS || this.startupDone())) {
      this.fastTicks = false;
      this.armTimer(CLIENT_TICK_MS);
    }
  }

  /** TCP relays carry onion paths while the DHT reaches no non-LAN node (c-toxcore's `set_tcp_onion_status`). */
  private updateTcpOnion(): void {
    const wanted = !this.deps.dht.isNonLanConnected();
    if (this.tcpOnion === wanted) return;
    this.tcpOnion = wanted;
    this.deps.tcp?.setOnionEnabled(wanted);
  }

  private setConnected(connected: boolean): void {
    if (connected === this.connectedReported) return;
    this.connectedReported = connected;
    this.log.info(connected ? 'onion connected' : 'onion disconnected');
    this.emit(connected ? 'connected' : 'disconnected');
  }

  // ------------------------------------------------------------------ sending

  /**
   * c-toxcore's `random_nodes_path_onion`: with the DHT connected three random
   * path nodes (repeats allowed); without it a random TCP relay followed by two
   * path nodes, or bootstrap path nodes while fewer than 2 path nodes are known.
   */
  private pickHops(): [PathHop, PathHop, PathHop] | undefined {
    const random = this.deps.random;
    if (this.deps.dht.isConnected()) {
      if (this.pathNodes.size === 0) return undefined;
      return [this.pathNodes.random(random)!, this.pathNodes.random(random)!, this.pathNodes.random(random)!];
    }
    const relays = this.deps.tcp?.onionRelays() ?? [];
    const pool = this.pathNodes.size >= 2 ? this.pathNodes : this.bootstrapNodes;
    if (relays.length === 0 || pool.size === 0) return undefined;
    return [{ ...relays[random.int(relays.length)]!, viaTcp: true }, pool.random(random)!, pool.random(random)!];
  }

  private usePath(paths: PathSet, pathNum: number | undefined, now: number): OnionPath | undefined {
    return paths.use(
      pathNum,
      now,
      () => this.pickHops(),
      (hops, num) => createPath(hops, num, this.deps.dht.keyPair, this.deps.random, now),
    );
  }

  private sendThroughPath(path: OnionPath, destination: IpPort, payload: Uint8Array): boolean {
    const out = wrapOnion(path, this.deps.dht.publicKey, destination, payload, this.deps.random);
    if (out.kind === 'udp') return this.deps.socket.send(out.to, out.data);
    return this.deps.tcp?.sendOnionRequest(out.relay, out.request) ?? false;
  }

  /** An announce (no friend) or a search for `friend` to node D (c-toxcore's `client_send_announce_request`). */
  private announce(friend: OnionFriend | undefined, node: { publicKey: DhtPublicKey; address: IpPort }, pingId: Uint8Array | undefined, pathNum: number | undefined, now: number): boolean {
    const sender = friend ? friend.searchKeys : this.deps.realKeyPair;
    const key = tryShared(friend ? friend.searchKeyCache : this.realKeys, node.publicKey);
    if (!key) return false;
    const path = this.usePath(friend ? this.friendPaths : this.selfPaths, pathNum, now);
    if (!path) return false;
    const sendback = this.sendbacks.add({ target: friend ? keyId(friend.realPk) : '', nodePk: node.publicKey, address: node.address, pathNum: path.pathNum, sentAt: now });
    const plain = friend
      ? AnnounceRequestPlain.encode({ pingId: pingId ?? ZERO_PING_ID, searchedPk: friend.realPk, dataPk: ZERO_PING_ID, sendback })
      : AnnounceRequestPlain.encode({ pingId: pingId ?? ZERO_PING_ID, searchedPk: this.deps.realKeyPair.publicKey, dataPk: this.dataKeys.publicKey, sendback });
    const nonce = randomNonce(this.deps.random);
    const request = AnnounceRequest.encode({ nonce, senderPk: sender.publicKey, sealed: seal(key, nonce, plain) });
    if (friend) this.counters.searchesSent++;
    else this.counters.announcesSent++;
    return this.sendThroughPath(path, node.address, request);
  }

  /** c-toxcore's `send_onion_data`: one copy through each node storing the friend, if enough of them do. */
  private sendData(friend: OnionFriend, innerPlain: Uint8Array): number {
    const now = this.deps.scheduler.now();
    const good = friend.dataNodes(now);
    if (good.length === 0) return 0;
    const toFriend = tryShared(this.realKeys, friend.realPk);
    if (!toFriend) return 0;
    const nonce = randomNonce(this.deps.random);
    const inner = InnerData.encode({ senderPk: this.deps.realKeyPair.publicKey, sealed: seal(toFriend, nonce, innerPlain) });
    let sent = 0;
    for (const node of good) {
      const path = this.usePath(this.friendPaths, undefined, now);
      if (!path) continue;
      const temp = generateKeyPair<EphemeralPublicKey, EphemeralSecretKey>(this.deps.random);
      const key = tryPrecompute(node.dataPk as PublicKey, temp.secretKey);
      const request = key && tryEncode(DataRequest, { destinationPk: friend.realPk, nonce, temporaryPk: temp.publicKey, sealed: seal(key, nonce, inner) });
      if (request && this.sendThroughPath(path, node.address, request)) sent++;
    }
    this.counters.dataSent += sent;
    return sent;
  }

  private dhtPkPlain(): Uint8Array {
    const relays: PackedNode[] = (this.deps.tcp?.onionRelays() ?? []).slice(0, MAX_SENT_NODES / 2).map((r) => ({ transport: 'tcp', ...r }));
    const dht = this.deps.dht;
    // Beyond c-toxcore (content only): bound to a concrete address, we list ourselves first. The friend asks
    // each listed node for our DHT key, so it finds our address even when our DHT knows nobody near us but the
    // friend itself (a 2-node network, where c-toxcore's list would only name the friend).
    const local = this.deps.socket.local;
    const self: PackedNode[] = local && !isWildcard(local.ip) ? [{ transport: 'udp', address: local, publicKey: dht.publicKey }] : [];
    const nodes = [...relays, ...self, ...dht.closestNodes(dht.publicKey, MAX_SENT_NODES - relays.length - self.length)];
    return DhtPkPayload.encode({ noReplay: BigInt(this.deps.scheduler.unixSeconds()), dhtPk: dht.publicKey, nodes });
  }

  /** c-toxcore's `send_dhtpk_announce` through the onion or as a routed DHT packet (needs the friend's DHT key). */
  private sendDhtPk(friend: OnionFriend, via: 'onion' | 'dht'): number {
    if (via === 'onion') {
      const sent = this.sendData(friend, this.dhtPkPlain());
      this.counters.dhtPkOnionSent += sent;
      return sent;
    }
    const toFriend = tryShared(this.realKeys, friend.realPk);
    if (!friend.dhtPk || !toFriend) return 0;
    const nonce = randomNonce(this.deps.random);
    const payload = DhtPkRouted.encode({ senderPk: this.deps.realKeyPair.publicKey, nonce, sealed: seal(toFriend, nonce, this.dhtPkPlain()) });
    // Beyond c-toxcore: its route_to_friend sends nothing once the DHT reaches the friend directly (net_crypto
    // takes over there); we then send the routed packet straight to the friend, which c-toxcore accepts alike.
    const direct = this.deps.dht.getFriendIp(friend.dhtPk);
    const sent = direct
      ? Number(this.deps.socket.send(direct, this.deps.dht.createRoutedPacket(friend.dhtPk, ONION_DATA_KIND.dhtPk, payload)))
      : this.deps.dht.sendRoutedPacket(friend.dhtPk, ONION_DATA_KIND.dhtPk, payload);
    this.counters.dhtPkDhtSent += sent;
    return sent;
  }

  // ------------------------------------------------------------------ receiving

  /** A bare onion response from node A (UDP, `from` set) or from a TCP relay. */
  private handleResponse(data: Uint8Array, from: IpPort | undefined): void {
    if (!this.timer) return;
    if (data[0] === ID.announceResponse) this.handleAnnounceResponse(data, from);
    else if (data[0] === ID.dataResponse) this.handleDataResponse(data);
    else this.drops.drop('unexpectedResponse');
  }

  /** c-toxcore's `handle_announce_response`. */
  private handleAnnounceResponse(data: Uint8Array, from: IpPort | undefined): void {
    const packet = AnnounceResponse.tryDecode(data);
    if (!packet.ok) return this.drops.drop('announceResponseMalformed');
    const now = this.deps.scheduler.now();
    const request = this.sendbacks.take(packet.value.sendback, now);
    if (!request) return this.drops.drop('unknownSendback');
    const friend = request.target === '' ? undefined : this.friends.get(request.target);
    if (request.target !== '' && !friend) return this.drops.drop('friendGone');
    const key = tryShared(friend ? friend.searchKeyCache : this.realKeys, request.nodePk);
    const opened = key && open(key, packet.value.nonce as Nonce, packet.value.sealed);
    if (!opened) return this.drops.drop('announceResponseDecrypt');
    const plain = AnnounceResponsePlain.tryDecode(opened);
    if (!plain.ok) return this.drops.drop('announceResponsePlain');
    this.counters.announceResponses++;
    const path = (friend ? this.friendPaths : this.selfPaths).succeeded(request.pathNum, now);
    if (path) for (const hop of path.hops) if (!hop.viaTcp) this.pathNodes.add({ transport: 'udp', address: hop.address, publicKey: hop.publicKey });
    let { isStored } = plain.value;
    if (friend && isStored >= 2) return this.drops.drop('searchResponseStored2');
    // "Stored" under another data key means an old session of ours: not announced.
    if (!friend && isStored === 1 && !keysEqual(plain.value.pingIdOrKey, this.dataKeys.publicKey)) isStored = 0;
    if (friend && isStored === 1) friend.lastSeenStored = now;
    const list = friend ? friend.nodes : this.selfNodes;
    const previousPingId = friend ? undefined : list.find(request.nodePk)?.pingId;
    const entered = list.update({ publicKey: request.nodePk, address: request.address, isStored, pingIdOrKey: plain.value.pingIdOrKey, pathUsed: path?.pathNum }, now);
    if (entered) this.pathNodes.add({ transport: 'udp', address: request.address, publicKey: request.nodePk });
    // Beyond c-toxcore (timing only): a node that does not store us yet answered with a new ping id; announce
    // with it now rather than at the next 3 s pass. Ping ids change every 20 s, so this is once per node per id.
    if (entered && !friend && isStored === 0 && entered.pingId.length > 0 && !(previousPingId && keysEqual(previousPingId, entered.pingId))) {
      if (this.announce(undefined, entered, entered.pingId, entered.pathUsed, now)) {
        entered.lastPinged = now;
        entered.pingsSinceResponse++;
        this.announceState.lastAnnounce = now;
      }
    }
    const lanAccepted = from !== undefined && isLan(from);
    for (const node of plain.value.nodes) {
      if (!lanAccepted && isLan(node.address)) continue;
      if (list.shouldAsk(node.publicKey, now)) this.announce(friend, node, undefined, undefined, now);
    }
    this.announceState.lastResponse = now;
  }

  private handleDataResponse(data: Uint8Array): void {
    const packet = DataResponse.tryDecode(data);
    if (!packet.ok) return this.drops.drop('dataResponseMalformed');
    const nonce = packet.value.nonce as Nonce;
    const key = tryPrecompute(packet.value.temporaryPk as PublicKey, this.dataKeys.secretKey);
    const outer = key && open(key, nonce, packet.value.sealed);
    if (!outer) return this.drops.drop('dataResponseDecrypt');
    const inner = InnerData.tryDecode(outer);
    if (!inner.ok) return this.drops.drop('dataInnerMalformed');
    const sender = inner.value.senderPk as LongTermPublicKey;
    const fromSender = tryShared(this.realKeys, sender);
    const opened = fromSender && open(fromSender, nonce, inner.value.sealed);
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
    const fromSender = tryShared(this.realKeys, sender);
    const plain = fromSender && open(fromSender, packet.value.nonce as Nonce, packet.value.sealed);
    if (!plain) return this.drops.drop('routedDhtPkDecrypt');
    this.handleDhtPk(sender, plain, senderDhtPk);
  }

  /** c-toxcore's `handle_dhtpk_announce`; a routed copy must come from the DHT key it announces. */
  private handleDhtPk(sender: LongTermPublicKey, plain: Uint8Array, routedFrom: DhtPublicKey | undefined): void {
    const friend = this.friends.get(keyId(sender));
    if (!friend) return this.drops.drop('dhtPkNotFriend');
    const decoded = DhtPkPayload.tryDecode(plain);
    if (!decoded.ok) return this.drops.drop('dhtPkMalformed');
    const { noReplay, nodes } = decoded.value;
    const dhtPk = decoded.value.dhtPk as DhtPublicKey;
    if (routedFrom && !keysEqual(routedFrom, dhtPk)) return this.drops.drop('dhtPkSenderMismatch');
    if (noReplay <= friend.lastNoReplay) return this.drops.drop('dhtPkReplay');
    friend.lastNoReplay = noReplay;
    friend.lastDhtPkReceived = this.deps.scheduler.now();
    this.counters.dhtPkReceived++;
    this.adoptDhtKey(friend, dhtPk);
    this.emit('friendDhtKey', friend.realPk, dhtPk, nodes);
    // Ask the friend's UDP nodes for it (TCP relays are for the layers above, through the event).
    if (!keysEqual(dhtPk, this.deps.dht.publicKey)) for (const node of nodes) if (node.transport === 'udp' && !keysEqual(node.publicKey, this.deps.dht.publicKey)) this.deps.dht.getNodes(node, dhtPk);
  }

  /** Records the friend's DHT key and keeps a DHT search running for it (needed for routed DHT-PK packets). */
  private adoptDhtKey(friend: OnionFriend, dhtPk: DhtPublicKey): void {
    if (friend.dhtPk && keysEqual(friend.dhtPk, dhtPk)) return;
    this.releaseDhtSearch(friend);
    friend.dhtPk = dhtPk;
    friend.lastDhtPkDht = NEVER;
    if (this.timer) this.lockDhtSearch(friend);
  }

  private lockDhtSearch(friend: OnionFriend): void {
    if (friend.dhtPk && !keysEqual(friend.dhtPk, this.deps.dht.publicKey)) friend.dhtToken = this.deps.dht.addFriend(friend.dhtPk);
  }

  private releaseDhtSearch(friend: OnionFriend): void {
    if (friend.dhtPk && friend.dhtToken !== undefined) this.deps.dht.removeFriend(friend.dhtPk, friend.dhtToken);
    friend.dhtToken = undefined;
  }
}

function isWildcard(ip: string): boolean {
  return ip === '0.0.0.0' || ip === '::';
}
