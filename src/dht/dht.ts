/**
 * The DHT engine (tox-protocol.md §3): owns the DHT key pair (fresh per start),
 * answers and sends pings and nodes requests, keeps the tables filled on c-toxcore's
 * timers, routes 0x20 packets (dispatching our own by inner kind to registered
 * handlers), runs NAT pings / hole punching and LAN discovery, and reports DHT
 * connectivity. Synchronous: packet handlers and `tick` run to completion; every
 * untrusted-input failure is counted and dropped, never thrown.
 */
import { EventEmitter } from 'eventemitter3';
import { InvalidArgumentError, InvalidStateError, type Logger, type Random, type Scheduler, type TimerHandle } from '../base/index.js';
import type { PacketDef } from '../binary/index.js';
import {
  generateKeyPair,
  keyId,
  keysEqual,
  open,
  randomNonce,
  seal,
  SharedKeyCache,
  type DhtKeyPair,
  type DhtPublicKey,
  type DhtSecretKey,
  type SharedKey,
} from '../crypto/index.js';
import { formatIpPort, ipPort, ipPortEqual, isLan, type IpPort, type PackedNode, type PacketRouter } from '../net/index.js';
import { isBad, NEVER, type ClientList } from './client-list.js';
import {
  BAD_NODE_TIMEOUT_MS,
  DEFAULT_REQUESTS_PER_SECOND,
  DEFAULT_REQUESTS_PER_SOURCE_PER_SECOND,
  BOOTSTRAP_QUEUE_FLUSH_MS,
  DEFAULT_TICK_INTERVAL_MS,
  FAKE_FRIEND_COUNT,
  GET_NODE_INTERVAL_MS,
  KILL_NODE_TIMEOUT_MS,
  LAN_DISCOVERY_INTERVAL_MS,
  MAX_BOOTSTRAP_TIMES,
  MAX_REMEMBERED_BOOTSTRAP_NODES,
  MAX_SENT_NODES,
  NAT_PING_INTERVAL_MS,
  NAT_PING_KIND,
  PING_INTERVAL_MS,
  PUNCH_INTERVAL_MS,
  PUNCH_RESET_TIME_MS,
  SAVED_NODES_PER_TICK,
  FRIEND_LIST_SIZE,
  TO_PING_INTERVAL_MS,
} from './constants.js';
import { DhtCounters, type DhtDropReason, type DhtPacketKind } from './counters.js';
import type { DhtFriend, FriendAddressCallback } from './dht-friend.js';
import { compareDistance } from './distance.js';
import { LanDiscoveryRounds, type LanDiscoveryOptions } from './lan-discovery.js';
import { commonIp, friendReports, punchingPorts } from './nat-punch.js';
import { RequestRateLimiter } from './rate-limit.js';
import { RequestTable } from './requests.js';
import { DhtTables, type CloseListNode } from './tables.js';
import {
  IGNORED_PACKET_IDS,
  LanDiscovery,
  NatPingPayload,
  NodesRequest,
  NodesRequestPayload,
  NodesResponse,
  NodesResponsePayload,
  PACKET_ID,
  PingRequest,
  PingRequestPayload,
  PingResponse,
  PingResponsePayload,
  RoutedPacket,
  RoutedPayload,
  type DhtEnvelope,
} from './wire/packets.js';

/** What the DHT needs from the UDP socket. */
export interface DhtSendPort {
  send(to: IpPort, data: Uint8Array): boolean;
}

export interface DhtDeps {
  scheduler: Scheduler;
  random: Random;
  log: Logger;
  socket: DhtSendPort;
  router: PacketRouter;
}

export interface DhtOptions {
  /** Fixed key pair (tests only); by default a fresh one is generated on every start. */
  keyPair?: DhtKeyPair;
  tickIntervalMs?: number;
  holePunching?: boolean;
  /** The socket can reach IPv6 destinations (adds ::1 to LAN discovery). */
  ipv6?: boolean;
  lanDiscovery?: LanDiscoveryOptions;
  requestsPerSourcePerSecond?: number;
  requestsPerSecond?: number;
}

export interface DhtEvents {
  connected: () => void;
  disconnected: () => void;
  /** A nodes response we sent (the interop tests' evidence of what we handed out). */
  nodesSent: (to: PackedNode, nodes: readonly PackedNode[]) => void;
}

/** Handler for routed (0x20) packets addressed to us, by inner kind. */
export type CryptoPacketHandler = (senderPk: DhtPublicKey, payload: Uint8Array, from: IpPort) => void;

export interface ClosestNodesOptions {
  /** Include LAN (and loopback) addresses (default true). */
  includeLan?: boolean;
}

/** Converts `::ffff:a.b.c.d` sources to plain IPv4 (sockets normally do this already). */
function normalized(from: IpPort): IpPort {
  return from.family === 6 && from.ip.startsWith('::ffff:') && from.ip.includes('.') ? ipPort(from.ip, from.port) : from;
}

export class Dht extends EventEmitter<DhtEvents> {
  readonly counters = new DhtCounters();
  private keys: DhtKeyPair;
  private keyCache: SharedKeyCache;
  private tables: DhtTables;
  private pingRequests: RequestTable;
  private nodesRequests: RequestTable;
  private readonly limiter: RequestRateLimiter;
  private readonly cryptoHandlers = new Map<number, CryptoPacketHandler>();
  private lanRounds: LanDiscoveryRounds;
  private timer: TimerHandle | undefined;
  private queueFlush: TimerHandle | undefined;
  private running = false;
  private startedBefore = false;
  private connected = false;
  private closeLastGetNodes = NEVER;
  private closeBootstrapTimes = 0;
  private lastToPing = NEVER;
  private lastLanRound = NEVER;
  private savedNodes: PackedNode[] = [];
  private bootstrapNodes: PackedNode[] = [];
  private retryIndex = 0;
  private readonly log: Logger;

  constructor(
    private readonly deps: DhtDeps,
    private readonly options: DhtOptions = {},
  ) {
    super();
    this.log = deps.log.child({ layer: 'dht' });
    this.limiter = new RequestRateLimiter(
      options.requestsPerSourcePerSecond ?? DEFAULT_REQUESTS_PER_SOURCE_PER_SECOND,
      options.requestsPerSecond ?? DEFAULT_REQUESTS_PER_SECOND,
    );
    this.keys = options.keyPair ?? generateKeyPair<DhtPublicKey, DhtSecretKey>(deps.random);
    this.keyCache = new SharedKeyCache(this.keys.secretKey, deps.scheduler);
    this.tables = new DhtTables(this.keys.publicKey, deps.random);
    this.pingRequests = new RequestTable(deps.random);
    this.nodesRequests = new RequestTable(deps.random);
    this.lanRounds = new LanDiscoveryRounds(options.lanDiscovery ?? {}, options.ipv6 ?? false);
    this.registerCryptoHandler(NAT_PING_KIND, (sender, payload) => this.handleNatPing(sender, payload));
  }

  // ------------------------------------------------------------------ lifecycle

  get publicKey(): DhtPublicKey {
    return this.keys.publicKey;
  }

  get keyPair(): DhtKeyPair {
    return this.keys;
  }

  get isRunning(): boolean {
    return this.running;
  }

  start(): void {
    if (this.running) throw new InvalidStateError('DHT already started');
    if (this.startedBefore) this.renewSession();
    this.startedBefore = true;
    const r = this.deps.router;
    r.register(PACKET_ID.pingRequest, (d, f) => this.guard(d, f, this.handlePingRequest));
    r.register(PACKET_ID.pingResponse, (d, f) => this.guard(d, f, this.handlePingResponse));
    r.register(PACKET_ID.nodesRequest, (d, f) => this.guard(d, f, this.handleNodesRequest));
    r.register(PACKET_ID.nodesResponse, (d, f) => this.guard(d, f, this.handleNodesResponse));
    r.register(PACKET_ID.routed, (d, f) => this.guard(d, f, this.handleRouted));
    r.register(PACKET_ID.lanDiscovery, (d, f) => this.guard(d, f, this.handleLanDiscovery));
    for (const id of IGNORED_PACKET_IDS) {
      r.register(id, () => {
        this.counters.received.ignoredAnnouncement++;
        this.counters.drop('ignoredAnnouncement');
      });
    }
    this.running = true;
    this.timer = this.deps.scheduler.every(this.options.tickIntervalMs ?? DEFAULT_TICK_INTERVAL_MS, (now) => this.tick(now));
    this.tick(this.deps.scheduler.now());
  }

  stop(): void {
    if (!this.running) return;
    this.running = false;
    this.timer?.cancel();
    this.timer = undefined;
    this.queueFlush?.cancel();
    this.queueFlush = undefined;
    const r = this.deps.router;
    for (const id of [...Object.values(PACKET_ID), ...IGNORED_PACKET_IDS]) r.unregister(id);
    if (this.connected) {
      this.connected = false;
      this.emit('disconnected');
    }
  }

  /** A new key pair and empty tables; real friends and their callbacks carry over. */
  private renewSession(): void {
    this.keys = generateKeyPair<DhtPublicKey, DhtSecretKey>(this.deps.random);
    this.keyCache = new SharedKeyCache(this.keys.secretKey, this.deps.scheduler);
    const previous = this.tables;
    this.tables = new DhtTables(this.keys.publicKey, this.deps.random);
    this.tables.adoptFriends(previous);
    this.pingRequests.clear();
    this.nodesRequests.clear();
    this.lanRounds = new LanDiscoveryRounds(this.options.lanDiscovery ?? {}, this.options.ipv6 ?? false);
    this.closeLastGetNodes = NEVER;
    this.closeBootstrapTimes = 0;
    this.lastToPing = NEVER;
    this.lastLanRound = NEVER;
  }

  // ------------------------------------------------------------------ public API

  /**
   * Sends a nodes request for our own key to `node` (c-toxcore's `dht_bootstrap`)
   * and remembers the node: while the DHT is not connected, remembered nodes are
   * asked again every tick (as clients re-bootstrap). Our own key is a no-op.
   */
  bootstrap(node: { address: IpPort; publicKey: Uint8Array }): boolean {
    if (keysEqual(node.publicKey, this.keys.publicKey)) return true;
    const address = normalized(node.address);
    const publicKey = node.publicKey as DhtPublicKey;
    if (!this.bootstrapNodes.some((n) => keysEqual(n.publicKey, publicKey) && ipPortEqual(n.address, address))) {
      this.bootstrapNodes.push({ transport: 'udp', address, publicKey });
      if (this.bootstrapNodes.length > MAX_REMEMBERED_BOOTSTRAP_NODES) this.bootstrapNodes.shift();
    }
    return this.sendNodesRequest(address, publicKey, this.keys.publicKey);
  }

  /**
   * Asks `node` for the nodes closest to `searchKey` (c-toxcore's `dht_getnodes`,
   * used for the UDP nodes in a friend's DHT-PK announcement); a valid response
   * feeds every list, the searched friend's included. False if not sent.
   */
  getNodes(node: { address: IpPort; publicKey: Uint8Array }, searchKey: Uint8Array): boolean {
    return this.sendNodesRequest(normalized(node.address), node.publicKey as DhtPublicKey, searchKey);
  }

  /** Nodes from a profile: tried (8 per tick) until the DHT is connected. */
  loadSavedNodes(nodes: readonly PackedNode[]): void {
    this.savedNodes = nodes.filter((n) => n.transport === 'udp');
  }

  /** Nodes to store in the profile: unused saved nodes plus everything in the close and fake-friend lists. */
  nodesToSave(): PackedNode[] {
    return [...this.savedNodes, ...this.tables.knownNodes()];
  }

  isConnected(): boolean {
    return this.tables.isConnected(this.deps.scheduler.now());
  }

  /** Connected through at least one non-LAN node (decides UDP vs TCP self status upstream). */
  isNonLanConnected(): boolean {
    return this.tables.isConnected(this.deps.scheduler.now(), true);
  }

  /**
   * Close-list nodes with their buckets: good ones, or with `includeBad` every
   * occupied slot (bad nodes are still probed until replaced or killed).
   */
  getCloseList(options: { includeBad?: boolean } = {}): CloseListNode[] {
    return this.tables.closeListNodes(this.deps.scheduler.now(), options.includeBad ?? false);
  }

  /** Up to `max` good nodes closest to `key` from every list (what a nodes response would carry). */
  closestNodes(key: Uint8Array, max = MAX_SENT_NODES, options: ClosestNodesOptions = {}): PackedNode[] {
    return this.tables.closestNodes(key, max, options.includeLan ?? true, this.deps.scheduler.now());
  }

  /** Good nodes from the two random fake friends' lists: onion path candidates. */
  pathNodes(max: number): PackedNode[] {
    return this.tables.pathNodes(max, this.deps.scheduler.now());
  }

  /** Starts (or joins) a search for `publicKey`; `onAddress` fires whenever it answers us directly. Returns a lock token. */
  addFriend(publicKey: DhtPublicKey, onAddress?: FriendAddressCallback): number {
    if (keysEqual(publicKey, this.keys.publicKey)) throw new InvalidArgumentError('cannot search for our own DHT key');
    return this.tables.addFriend(publicKey, onAddress, this.deps.scheduler.now());
  }

  /** Releases a lock from `addFriend`; the search ends with its last lock. */
  removeFriend(publicKey: DhtPublicKey, token: number): boolean {
    return this.tables.removeFriend(publicKey, token);
  }

  /** The friend's directly confirmed address, if good. */
  getFriendIp(publicKey: DhtPublicKey): IpPort | undefined {
    const found = this.tables.friendAddress(publicKey, this.deps.scheduler.now());
    return found === 'unknown' ? undefined : found;
  }

  /** The precomputed key for DHT packets with `publicKey` (shared with upper layers). */
  sharedKey(publicKey: DhtPublicKey): SharedKey {
    return this.keyCache.get(publicKey);
  }

  /** Registers the handler for routed packets of inner kind `kind` addressed to us. */
  registerCryptoHandler(kind: number, handler: CryptoPacketHandler): void {
    if (!Number.isInteger(kind) || kind < 0 || kind > 255) throw new InvalidArgumentError(`routed packet kind must be 0..255, got ${kind}`);
    if (this.cryptoHandlers.has(kind)) throw new InvalidArgumentError(`routed packet kind ${kind} already has a handler`);
    this.cryptoHandlers.set(kind, handler);
  }

  unregisterCryptoHandler(kind: number): void {
    if (kind !== NAT_PING_KIND) this.cryptoHandlers.delete(kind);
  }

  /** A 0x20 packet for `receiver` carrying `kind` + `payload` (1..918 bytes), sealed with our DHT key. */
  createRoutedPacket(receiver: DhtPublicKey, kind: number, payload: Uint8Array): Uint8Array {
    const nonce = randomNonce(this.deps.random);
    const plain = RoutedPayload.encode({ kind, data: payload });
    return RoutedPacket.encode({ receiverPk: receiver, senderPk: this.keys.publicKey, nonce, sealed: seal(this.keyCache.get(receiver), nonce, plain) });
  }

  /**
   * Sends a routed packet to DHT friend `receiver` through the nodes that report
   * knowing it: `all` of them (needs at least 2 reports) or `one` at random.
   * Returns how many nodes it went to.
   */
  sendRoutedPacket(receiver: DhtPublicKey, kind: number, payload: Uint8Array, via: 'all' | 'one' = 'all'): number {
    const friend = this.tables.friend(keyId(receiver));
    if (!friend || !this.running) return 0;
    const packet = this.createRoutedPacket(receiver, kind, payload);
    return via === 'all' ? this.routeToFriend(friend, packet) : this.routeOneToFriend(friend, packet);
  }

  /** Sizes of every bounded structure (for hostile-input tests). */
  memoryFootprint(): Record<string, number> {
    return {
      pendingPings: this.pingRequests.size,
      pendingNodesRequests: this.nodesRequests.size,
      toPing: this.tables.toPing.size,
      closeList: this.tables.closeList.occupied,
      closeToBootstrap: this.tables.closeToBootstrap.length,
      rateLimitedSources: this.limiter.trackedSources,
      friends: this.tables.friends.length,
    };
  }

  // ------------------------------------------------------------------ timers

  /** c-toxcore's `do_dht`: run once per tick interval. */
  tick(now: number): void {
    if (!this.running) return;
    this.retryBootstrap(now);
    this.flushBootstrapQueues();
    this.doClose(now);
    this.doFriends(now);
    this.doNat(now);
    this.flushToPing(now);
    this.doLanDiscovery(now);
    this.updateConnected(now);
  }

  /** While not connected: nodes requests to up to 8 saved or explicit bootstrap nodes per tick, round robin. */
  private retryBootstrap(now: number): void {
    if (this.tables.isConnected(now)) {
      this.savedNodes = [];
      return;
    }
    const candidates = [...this.savedNodes, ...this.bootstrapNodes];
    for (let i = 0; i < Math.min(SAVED_NODES_PER_TICK, candidates.length); i++) {
      const node = candidates[this.retryIndex++ % candidates.length]!;
      this.sendNodesRequest(node.address, node.publicKey, this.keys.publicKey);
    }
  }

  /** Nodes requests to the nodes responses told us about (close list and every DHT friend). */
  private flushBootstrapQueues(): void {
    const queued = this.tables.closeToBootstrap;
    this.tables.closeToBootstrap = [];
    for (const node of queued) this.sendNodesRequest(node.address, node.publicKey, this.keys.publicKey);
    for (const friend of this.tables.friends) {
      const forFriend = friend.toBootstrap;
      friend.toBootstrap = [];
      for (const node of forFriend) this.sendNodesRequest(node.address, node.publicKey, friend.publicKey);
    }
  }

  private scheduleQueueFlush(): void {
    if (this.queueFlush || !this.running) return;
    this.queueFlush = this.deps.scheduler.after(BOOTSTRAP_QUEUE_FLUSH_MS, () => {
      this.queueFlush = undefined;
      if (this.running) this.flushBootstrapQueues();
    });
  }

  private doClose(now: number): void {
    const schedule = { lastGetNodes: this.closeLastGetNodes, bootstrapTimes: this.closeBootstrapTimes };
    const alive = this.probeList(this.tables.closeList, this.keys.publicKey, schedule, false, now);
    this.closeLastGetNodes = schedule.lastGetNodes;
    this.closeBootstrapTimes = schedule.bootstrapTimes;
    if (alive > 0) return;
    // Everything is past the kill timeout: make it merely bad so probing resumes.
    this.tables.closeList.markAllBad(now);
  }

  private doFriends(now: number): void {
    for (const friend of this.tables.friends) {
      this.probeList(friend.list, friend.publicKey, friend, true, now);
    }
  }

  /**
   * c-toxcore's `do_ping_and_sendnode_requests`: a nodes request (searching `base`)
   * to every live association every 60 s, and one to a random good node every 20 s
   * (every tick for the first 5). Returns the number of associations not yet killed.
   */
  private probeList(
    list: ClientList,
    base: DhtPublicKey,
    schedule: { lastGetNodes: number; bootstrapTimes: number },
    sortable: boolean,
    now: number,
  ): number {
    let alive = 0;
    let anyKilled = false;
    let good = 0;
    for (const entry of list.entries()) {
      // IPv6 before IPv4, as c-toxcore walks a client's associations.
      for (let family = 0; family < 2; family++) {
        const assoc = family === 0 ? entry.v6 : entry.v4;
        if (!assoc.address) continue;
        if (assoc.heardAt + KILL_NODE_TIMEOUT_MS <= now) {
          anyKilled = true;
          continue;
        }
        alive++;
        if (assoc.pingedAt + PING_INTERVAL_MS <= now) {
          this.sendNodesRequest(assoc.address, entry.publicKey, base);
          assoc.pingedAt = now;
        }
        if (!isBad(assoc, now)) good++;
      }
    }
    if (sortable && anyKilled) list.sortForReplacement(base, now, compareDistance);
    if (good > 0 && (schedule.lastGetNodes + GET_NODE_INTERVAL_MS <= now || schedule.bootstrapTimes < MAX_BOOTSTRAP_TIMES)) {
      const pick = goodAssociation(list, this.deps.random.int(good), now);
      this.sendNodesRequest(pick.address, pick.publicKey, base);
      schedule.lastGetNodes = now;
      schedule.bootstrapTimes++;
    }
    return alive;
  }

  private flushToPing(now: number): void {
    if (this.lastToPing + TO_PING_INTERVAL_MS > now || this.tables.toPing.size === 0) return;
    for (const node of this.tables.toPing.drain()) {
      if (this.tables.closeList.canAdd(node.publicKey, now)) this.sendPingRequest(node.address, node.publicKey);
    }
    this.lastToPing = now;
  }

  private doLanDiscovery(now: number): void {
    const lan = this.options.lanDiscovery ?? {};
    if (lan.send === false || now - this.lastLanRound <= LAN_DISCOVERY_INTERVAL_MS) return;
    this.lastLanRound = now;
    const packet = LanDiscovery.encode({ senderPk: this.keys.publicKey });
    for (const to of this.lanRounds.nextRound()) this.send(to, packet, 'lanDiscovery');
  }

  private updateConnected(now: number): void {
    const connected = this.tables.isConnected(now);
    if (connected === this.connected) return;
    this.connected = connected;
    this.log.info(connected ? 'DHT connected' : 'DHT disconnected');
    this.emit(connected ? 'connected' : 'disconnected');
  }

  // ------------------------------------------------------------------ NAT traversal

  /** c-toxcore's `do_nat`: NAT pings to friends that others report but we cannot reach, and punching. */
  private doNat(now: number): void {
    for (const friend of this.tables.friends.slice(FAKE_FRIEND_COUNT)) {
      const reports = friendReports(friend.list, friend.id, now);
      if (reports === 'direct' || reports.length < FRIEND_LIST_SIZE / 2) continue;
      const nat = friend.nat;
      if (nat.pingSentAt + NAT_PING_INTERVAL_MS < now) {
        this.sendNatPing(friend, nat.pingId, 0);
        nat.pingSentAt = now;
      }
      if (!nat.holePunching || nat.punchedAt + PUNCH_INTERVAL_MS >= now || nat.pingReceivedAt + 2 * PUNCH_INTERVAL_MS < now) continue;
      const ip = commonIp(reports, FRIEND_LIST_SIZE / 2);
      if (ip === undefined) continue;
      if (nat.punchedAt + PUNCH_RESET_TIME_MS < now) {
        nat.tries = 0;
        nat.punchingIndex = 0;
        nat.punchingIndex2 = 0;
      }
      if (this.options.holePunching !== false) {
        const sameIp = reports.filter((r) => r.reported.ip === ip);
        for (const port of punchingPorts(nat, sameIp.map((r) => r.reported.port))) {
          this.sendPingRequest({ family: sameIp[0]!.reported.family, ip, port }, friend.publicKey);
        }
      }
      nat.punchedAt = now;
      nat.holePunching = false;
    }
  }

  private sendNatPing(friend: DhtFriend, pingId: bigint, type: 0 | 1): void {
    const plain = NatPingPayload.encode({ type, pingId });
    const packet = this.createRoutedPacket(friend.publicKey, NAT_PING_KIND, plain.subarray(1));
    const sent = type === 0 ? this.routeToFriend(friend, packet) : this.routeOneToFriend(friend, packet);
    this.counters.sent.natPing += sent;
  }

  private handleNatPing(sender: DhtPublicKey, payload: Uint8Array): void {
    this.counters.received.natPing++;
    const plain = new Uint8Array(payload.length + 1);
    plain[0] = NAT_PING_KIND;
    plain.set(payload, 1);
    const decoded = NatPingPayload.tryDecode(plain);
    if (!decoded.ok) return this.drop('malformed');
    const friend = this.tables.friend(keyId(sender));
    if (!friend) return this.drop('notFriend');
    const now = this.deps.scheduler.now();
    if (decoded.value.type === 0) {
      this.sendNatPing(friend, decoded.value.pingId, 1);
      friend.nat.pingReceivedAt = now;
    } else if (decoded.value.pingId === friend.nat.pingId) {
      const b = this.deps.random.bytes(8);
      friend.nat.pingId = new DataView(b.buffer, b.byteOffset, 8).getBigUint64(0);
      friend.nat.holePunching = true;
    } else {
      this.drop('natPingUnexpected');
    }
  }

  /** Nodes in the friend's list that report an address for it. */
  private reportingNodes(friend: DhtFriend): IpPort[] | undefined {
    const reports = friendReports(friend.list, friend.id, this.deps.scheduler.now());
    if (reports === 'direct') return undefined;
    const seen = new Set<string>();
    return reports.map((r) => r.via).filter((a) => !seen.has(formatIpPort(a)) && seen.add(formatIpPort(a)));
  }

  private routeToFriend(friend: DhtFriend, packet: Uint8Array): number {
    const via = this.reportingNodes(friend);
    if (!via || via.length < FRIEND_LIST_SIZE / 4) return 0;
    let n = 0;
    for (const to of via) if (this.send(to, packet, 'routed')) n++;
    return n;
  }

  private routeOneToFriend(friend: DhtFriend, packet: Uint8Array): number {
    const via = this.reportingNodes(friend);
    if (!via || via.length === 0) return 0;
    return this.send(via[this.deps.random.int(via.length)]!, packet, 'routed') ? 1 : 0;
  }

  // ------------------------------------------------------------------ sending

  private send(to: IpPort, data: Uint8Array, kind: DhtPacketKind): boolean {
    if (!this.running) return false;
    this.counters.sent[kind]++;
    return this.deps.socket.send(to, data);
  }

  private envelope(def: PacketDef<DhtEnvelope>, receiver: DhtPublicKey, plain: Uint8Array): Uint8Array {
    const nonce = randomNonce(this.deps.random);
    return def.encode({ senderPk: this.keys.publicKey, nonce, sealed: seal(this.keyCache.get(receiver), nonce, plain) });
  }

  private sendPingRequest(address: IpPort, publicKey: DhtPublicKey): void {
    if (keysEqual(publicKey, this.keys.publicKey)) return;
    const pingId = this.pingRequests.add(keyId(publicKey), address, this.deps.scheduler.now());
    this.send(address, this.envelope(PingRequest, publicKey, PingRequestPayload.encode({ pingId })), 'pingRequest');
  }

  private sendNodesRequest(address: IpPort, publicKey: DhtPublicKey, searchKey: Uint8Array): boolean {
    if (!this.running || keysEqual(publicKey, this.keys.publicKey)) return false;
    const requestId = this.nodesRequests.add(keyId(publicKey), address, this.deps.scheduler.now());
    return this.send(address, this.envelope(NodesRequest, publicKey, NodesRequestPayload.encode({ searchKey, requestId })), 'nodesRequest');
  }

  // ------------------------------------------------------------------ receiving

  /** Runs a handler on a normalised source; handlers drop (never throw) on bad input. */
  private guard(data: Uint8Array, from: IpPort, handler: (data: Uint8Array, from: IpPort, now: number) => void): void {
    if (!this.running) return;
    handler.call(this, data, normalized(from), this.deps.scheduler.now());
  }

  private drop(reason: DhtDropReason, from?: IpPort): void {
    this.counters.drop(reason);
    if (this.log.enabled('debug')) this.log.debug('dropped DHT packet', { reason, from: from ? formatIpPort(from) : undefined });
  }

  /** Decodes and opens an RPC envelope: the sender and plaintext, or undefined (already counted). */
  private openEnvelope(def: PacketDef<DhtEnvelope>, data: Uint8Array, from: IpPort, now: number): { sender: DhtPublicKey; plain: Uint8Array; key: SharedKey } | undefined {
    const decoded = def.tryDecode(data);
    if (!decoded.ok) return void this.drop('malformed', from);
    const sender = decoded.value.senderPk as DhtPublicKey;
    if (keysEqual(sender, this.keys.publicKey)) return void this.drop('fromSelf', from);
    if (!this.limiter.admit(from, now)) return void this.drop('rateLimited', from);
    const key = this.keyCache.get(sender);
    const plain = open(key, decoded.value.nonce as never, decoded.value.sealed);
    if (!plain) return void this.drop('decryptFailed', from);
    return { sender, plain, key };
  }

  private handlePingRequest(data: Uint8Array, from: IpPort, now: number): void {
    this.counters.received.pingRequest++;
    const opened = this.openEnvelope(PingRequest, data, from, now);
    if (!opened) return;
    const payload = PingRequestPayload.tryDecode(opened.plain);
    if (!payload.ok) return this.drop('wrongInnerType', from);
    const nonce = randomNonce(this.deps.random);
    const sealed = seal(opened.key, nonce, PingResponsePayload.encode({ pingId: payload.value.pingId }));
    this.send(from, PingResponse.encode({ senderPk: this.keys.publicKey, nonce, sealed }), 'pingResponse');
    this.pingBack(opened.sender, from, now);
  }

  private handlePingResponse(data: Uint8Array, from: IpPort, now: number): void {
    this.counters.received.pingResponse++;
    const opened = this.openEnvelope(PingResponse, data, from, now);
    if (!opened) return;
    const payload = PingResponsePayload.tryDecode(opened.plain);
    if (!payload.ok) return this.drop('wrongInnerType', from);
    if (!this.acceptResponse(this.pingRequests, payload.value.pingId, opened.sender, from, now)) return;
    this.tables.addToLists(opened.sender, from, now);
    if (!this.connected) this.updateConnected(now);
  }

  private handleNodesRequest(data: Uint8Array, from: IpPort, now: number): void {
    this.counters.received.nodesRequest++;
    const opened = this.openEnvelope(NodesRequest, data, from, now);
    if (!opened) return;
    const payload = NodesRequestPayload.tryDecode(opened.plain);
    if (!payload.ok) return this.drop('malformed', from);
    const nodes = this.tables.closestNodes(payload.value.searchKey, MAX_SENT_NODES, isLan(from), now);
    const nonce = randomNonce(this.deps.random);
    const sealed = seal(opened.key, nonce, NodesResponsePayload.encode({ nodes, requestId: payload.value.requestId }));
    this.send(from, NodesResponse.encode({ senderPk: this.keys.publicKey, nonce, sealed }), 'nodesResponse');
    if (nodes.length > 0) {
      this.counters.nodesResponsesWithNodes++;
      this.counters.nodesHandedOut += nodes.length;
    }
    this.emit('nodesSent', { transport: 'udp', address: from, publicKey: opened.sender }, nodes);
    this.pingBack(opened.sender, from, now);
  }

  private handleNodesResponse(data: Uint8Array, from: IpPort, now: number): void {
    this.counters.received.nodesResponse++;
    const opened = this.openEnvelope(NodesResponse, data, from, now);
    if (!opened) return;
    const payload = NodesResponsePayload.tryDecode(opened.plain);
    if (!payload.ok) return this.drop('malformed', from);
    // c-toxcore drops empty responses before looking at the request id.
    if (payload.value.nodes.length === 0) return this.drop('emptyNodesResponse', from);
    if (!this.acceptResponse(this.nodesRequests, payload.value.requestId, opened.sender, from, now)) return;
    this.tables.addToLists(opened.sender, from, now);
    const reporter = keyId(opened.sender);
    for (const node of payload.value.nodes) {
      if (node.address.port === 0) continue;
      this.tables.considerReturnedNode(node, now);
      this.tables.recordReturned(node, reporter, now);
    }
    this.scheduleQueueFlush();
    if (!this.connected) this.updateConnected(now);
  }

  private acceptResponse(table: RequestTable, requestId: bigint, sender: DhtPublicKey, from: IpPort, now: number): boolean {
    const check = table.take(requestId, keyId(sender), from, now);
    if (check === 'ok') return true;
    this.drop(check === 'unknown' ? 'unknownRequest' : check === 'expired' ? 'expiredRequest' : 'requestMismatch', from);
    return false;
  }

  /** Requesters are never added directly: they get pinged (now or from the queue) and their response adds them. */
  private pingBack(sender: DhtPublicKey, from: IpPort, now: number): void {
    if (this.tables.pingDecision(sender, from, now) === 'ping-now') this.sendPingRequest(from, sender);
  }

  private handleRouted(data: Uint8Array, from: IpPort, now: number): void {
    this.counters.received.routed++;
    const decoded = RoutedPacket.tryDecode(data);
    if (!decoded.ok) return this.drop('malformed', from);
    if (!this.limiter.admit(from, now)) return this.drop('rateLimited', from);
    const { receiverPk, senderPk, nonce, sealed } = decoded.value;
    if (!keysEqual(receiverPk, this.keys.publicKey)) {
      const entry = this.tables.closeList.get(keyId(receiverPk));
      const to = entry?.v6.address ?? entry?.v4.address;
      if (!to) return this.drop('noRoute', from);
      if (this.send(to, data, 'routed')) this.counters.forwarded++;
      return;
    }
    const plain = open(this.keyCache.get(senderPk as DhtPublicKey), nonce as never, sealed);
    if (!plain) return this.drop('decryptFailed', from);
    const payload = RoutedPayload.tryDecode(plain);
    if (!payload.ok) return this.drop('malformed', from);
    const handler = this.cryptoHandlers.get(payload.value.kind);
    if (!handler) return this.drop('noCryptoHandler', from);
    handler(senderPk as DhtPublicKey, payload.value.data, from);
  }

  private handleLanDiscovery(data: Uint8Array, from: IpPort, now: number): void {
    this.counters.received.lanDiscovery++;
    const decoded = LanDiscovery.tryDecode(data);
    if (!decoded.ok) return this.drop('malformed', from);
    if (this.options.lanDiscovery?.answer === false) return this.drop('lanDiscoveryDisabled', from);
    if (!isLan(from)) return this.drop('notLan', from);
    if (keysEqual(decoded.value.senderPk, this.keys.publicKey)) return this.drop('fromSelf', from);
    if (!this.limiter.admit(from, now)) return this.drop('rateLimited', from);
    this.sendNodesRequest(from, decoded.value.senderPk as DhtPublicKey, this.keys.publicKey);
  }
}

/** The `index`-th good association of `list` in probing order (IPv6 before IPv4 per entry); a pick without building the list. */
function goodAssociation(list: ClientList, index: number, now: number): { address: IpPort; publicKey: DhtPublicKey } {
  let seen = 0;
  for (const entry of list.entries()) {
    for (let family = 0; family < 2; family++) {
      const assoc = family === 0 ? entry.v6 : entry.v4;
      if (!assoc.address || isBad(assoc, now)) continue;
      if (seen++ === index) return { address: assoc.address, publicKey: entry.publicKey };
    }
  }
  throw new Error('goodAssociation: index out of range');
}
