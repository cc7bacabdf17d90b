/**
 * The net_crypto engine (tox-protocol.md §5): encrypted, reliable connections
 * to peers identified by their real keys, over UDP or TCP relays. Owns the
 * connection table, cookie and handshake flows, admission of incoming
 * handshakes, path choice, the per-connection timers (temp-packet resends,
 * request packets, timeouts), reconnection of wanted peers, and the send API.
 * Synchronous: packet handlers and `tick` run to completion, and every
 * untrusted-input failure is counted and dropped, never thrown.
 */
import { EventEmitter } from 'eventemitter3';
import { AdaptiveTicker, InvalidArgumentError, InvalidStateError, UntrustedInputError, type Logger, type Random, type Scheduler, type TimerHandle } from '../base/index.js';
import {
  generateKeyPair,
  keyId,
  keysEqual,
  randomNonce,
  BoxScratch,
  SharedKeyCache,
  tryPrecompute,
  WeakPublicKeyError,
  type DhtPublicKey,
  type EphemeralKeyPair,
  type EphemeralPublicKey,
  type EphemeralSecretKey,
  type LongTermKeyPair,
  type LongTermPublicKey,
  type SharedKey,
} from '../crypto/index.js';
import { formatIpPort, type IpPort, type PacketRouter } from '../net/index.js';
import { Channel, type ChannelHost } from './channel.js';
import {
  ACK_DELAY_MS,
  DEFAULT_ESTABLISHED_TIMEOUT_MS,
  DEFAULT_MAX_WINDOW,
  DEFAULT_TICK_INTERVAL_MS,
  IDLE_TICK_INTERVAL_MS,
  DIRECT_PROBE_MAX_SIZE,
  ECHO_ID_SIZE,
  HANDSHAKE_RESEND_MS,
  LOSSLESS_ID_MAX,
  LOSSLESS_ID_MIN,
  LOSSY_ID_MAX,
  LOSSY_ID_MIN,
  MAX_CRYPTO_DATA_SIZE,
  MAX_CRYPTO_PACKET_SIZE,
  MAX_HANDSHAKE_SENDS,
  NET_PACKET_ID,
  PACKET_BUFFER_SIZE,
  RECONNECT_DELAY_MS,
} from './constants.js';
import { Connection, newTemp, type ConnectionState, type ConnectionStateKind, type TempPacket } from './connection.js';
import { ConnectionTable } from './connection-table.js';
import { CookieJar } from './cookie-jar.js';
import { NetCryptoCounters, type NetCryptoDropReason, type NetCryptoPacketKind } from './counters.js';
import type { AdmissionHook, DisconnectReason, NetCryptoEvents, PacketSource, SendResult } from './events.js';
import {
  createCookieRequest,
  createCookieResponse,
  createHandshake,
  openCookieRequest,
  openCookieResponse,
  openHandshake,
  type OpenedHandshake,
} from './handshake-packets.js';
import type { DhtKeys, RelayId, TcpTransport, UdpSend } from './ports.js';
import { MAX_DATA_PLAIN_SIZE } from './wire/index.js';

export interface NetCryptoDeps {
  scheduler: Scheduler;
  random: Random;
  log: Logger;
  /** Our long-term ("real") identity. */
  keyPair: LongTermKeyPair;
  dht: DhtKeys;
  sendUdp: UdpSend;
  /** Relay transport; without it only UDP paths exist. */
  tcp?: TcpTransport;
  router: PacketRouter;
}

export interface NetCryptoOptions {
  tickIntervalMs?: number;
  /** Close an established connection after this long without a valid packet; 0 = never (c-toxcore). */
  establishedTimeoutMs?: number;
  /** Ceiling of each connection's congestion window (packets in flight). */
  maxWindow?: number;
  /** Decides on handshakes from peers we did not `connect` to with `reconnect` (default: refuse). */
  onNewConnection?: AdmissionHook;
}

export interface NetCryptoConnectOptions {
  /** Keep this peer connected: re-open the connection whenever it dies, until `killConnection`. */
  reconnect?: boolean;
}

/** A snapshot of one connection for tests, benches and diagnostics. */
export interface ConnectionInfo {
  readonly state: ConnectionStateKind;
  readonly dhtPk: DhtPublicKey;
  readonly endpoint: IpPort | undefined;
  readonly directUdp: boolean;
  readonly window: number;
  readonly inFlight: number;
  /** Lossless packets not yet acknowledged (holes included). */
  readonly queued: number;
  readonly unsent: number;
  readonly srttMs: number | undefined;
  readonly losses: number;
}

/** A peer to keep connected. */
interface Wanted {
  readonly peer: LongTermPublicKey;
  dhtPk: DhtPublicKey;
  endpoints: IpPort[];
  retryAt: number;
}

const SETUP_PACKETS: readonly number[] = [NET_PACKET_ID.cookieRequest, NET_PACKET_ID.handshake];
/** Shortest packet c-toxcore's UDP handler looks at (1 + 2 + MAC). */
const MIN_CONNECTION_PACKET_SIZE = 20;

export class NetCrypto extends EventEmitter<NetCryptoEvents> {
  readonly counters = new NetCryptoCounters();
  /** Admission of unsolicited handshakes; may be replaced at any time. */
  onNewConnection: AdmissionHook | undefined;
  private readonly log: Logger;
  private readonly table = new ConnectionTable();
  private readonly wanted = new Map<string, Wanted>();
  private readonly jar: CookieJar;
  private readonly realKeys: SharedKeyCache;
  private readonly pendingAcks = new Set<Connection>();
  private readonly tickIntervalMs: number;
  private readonly establishedTimeoutMs: number;
  private readonly maxWindow: number;
  /** Every 50 ms while any connection exists, every second while none does. */
  private ticker: AdaptiveTicker | undefined;
  private ackTimer: TimerHandle | undefined;
  private ackTimerUrgent = false;
  private running = false;
  private unsubscribeTcp: (() => void) | undefined;
  /** Data packets are sealed through this while running (one per instance). */
  private boxScratch: BoxScratch | undefined;

  constructor(
    private readonly deps: NetCryptoDeps,
    options: NetCryptoOptions = {},
  ) {
    super();
    this.log = deps.log.child({ layer: 'netcrypto' });
    this.jar = new CookieJar(deps.scheduler, deps.random);
    this.realKeys = new SharedKeyCache(deps.keyPair.secretKey, deps.scheduler, { capacity: 256 });
    this.tickIntervalMs = options.tickIntervalMs ?? DEFAULT_TICK_INTERVAL_MS;
    this.establishedTimeoutMs = options.establishedTimeoutMs ?? DEFAULT_ESTABLISHED_TIMEOUT_MS;
    this.maxWindow = Math.max(1, Math.min(PACKET_BUFFER_SIZE, options.maxWindow ?? DEFAULT_MAX_WINDOW));
    this.onNewConnection = options.onNewConnection;
  }

  get publicKey(): LongTermPublicKey {
    return this.deps.keyPair.publicKey;
  }

  get isRunning(): boolean {
    return this.running;
  }

  // ------------------------------------------------------------------ lifecycle

  start(): void {
    if (this.running) throw new InvalidStateError('net_crypto already started');
    const r = this.deps.router;
    r.register(NET_PACKET_ID.cookieRequest, (data, from) => this.guard(() => this.onUdpCookieRequest(data, from)));
    for (const id of [NET_PACKET_ID.cookieResponse, NET_PACKET_ID.handshake, NET_PACKET_ID.data]) {
      r.register(id, (data, from) => this.guard(() => this.onUdpPacket(data, from)));
    }
    this.unsubscribeTcp = this.deps.tcp?.subscribePeers({
      peerPacket: (peerDhtPk, packet) => this.guardTcp(() => this.onTcpPeerPacket(peerDhtPk, packet)),
      oobPacket: (sender, packet, relay) => this.guardTcp(() => this.onTcpOob(relay, sender, packet)),
    });
    this.boxScratch = new BoxScratch(MAX_DATA_PLAIN_SIZE);
    this.running = true;
    this.ticker = new AdaptiveTicker(this.deps.scheduler, this.tickIntervalMs, IDLE_TICK_INTERVAL_MS, (now) => this.tick(now), () => this.table.size > 0);
    this.ticker.start();
    const now = this.deps.scheduler.now();
    for (const w of this.wanted.values()) w.retryAt = now;
    this.tick(now);
  }

  /** Kills every connection (kill packets to established peers) and leaves no timer; wanted peers are kept for the next start. */
  stop(): void {
    if (!this.running) return;
    for (const conn of this.table.all()) this.close(conn, 'stopped');
    this.running = false;
    this.ticker?.stop();
    this.ticker = undefined;
    this.ackTimer?.cancel();
    this.ackTimer = undefined;
    this.pendingAcks.clear();
    for (const id of Object.values(NET_PACKET_ID)) this.deps.router.unregister(id);
    this.unsubscribeTcp?.();
    this.unsubscribeTcp = undefined;
    this.boxScratch?.dispose();
    this.boxScratch = undefined;
  }

  // ------------------------------------------------------------------ public API

  /**
   * Opens a connection to `peer` whose DHT key is `dhtPk` (cookie request, then
   * handshake), trying the given UDP endpoints. An existing connection to the
   * peer is kept as it is (c-toxcore's `new_crypto_connection`).
   */
  connect(peer: LongTermPublicKey, dhtPk: DhtPublicKey, endpoints: IpPort | readonly IpPort[] = [], options: NetCryptoConnectOptions = {}): void {
    if (keysEqual(peer, this.deps.keyPair.publicKey)) throw new InvalidArgumentError('cannot connect to our own key');
    if (!this.running && !options.reconnect) throw new InvalidStateError('net_crypto is not running');
    try {
      this.realKeys.get(peer);
      this.deps.dht.sharedKey(dhtPk);
    } catch (err) {
      if (err instanceof WeakPublicKeyError) throw new InvalidArgumentError('the real or DHT key is a low-order point');
      throw err;
    }
    const list = Array.isArray(endpoints) ? [...(endpoints as readonly IpPort[])] : [endpoints as IpPort];
    if (options.reconnect) {
      this.wanted.set(keyId(peer), { peer, dhtPk, endpoints: list, retryAt: Number.POSITIVE_INFINITY });
    }
    const existing = this.table.byPeerKey(peer);
    if (existing) {
      for (const address of list) this.table.setEndpoint(existing, address, undefined);
      return;
    }
    if (this.running) this.open(peer, dhtPk, list);
  }

  /** A UDP address for the peer (from the DHT, a cache...); `confirmed` when it is known to work right now. */
  setDirectEndpoint(peer: LongTermPublicKey, address: IpPort, confirmed = false): boolean {
    const w = this.wanted.get(keyId(peer));
    if (w && !w.endpoints.some((e) => e.ip === address.ip && e.port === address.port)) w.endpoints = [...w.endpoints.filter((e) => e.family !== address.family), address];
    const conn = this.table.byPeerKey(peer);
    if (!conn) return false;
    const now = this.deps.scheduler.now();
    const known = conn.udp.all().some((e) => e.ip === address.ip && e.port === address.port);
    if (!this.table.setEndpoint(conn, address, confirmed ? now : undefined)) return false;
    // A new address for a connection still in setup: resend the cookie request or handshake there now
    // rather than at the next 1 s resend (timing only; the packet is the one being resent anyway).
    if (!known && conn.temp && !conn.closed) this.sendTemp(conn, conn.temp, now);
    return true;
  }

  /** Ends the connection to `peer` (a kill packet if established) and stops reconnecting to it. */
  killConnection(peer: LongTermPublicKey): boolean {
    this.wanted.delete(keyId(peer));
    const conn = this.table.byPeerKey(peer);
    if (!conn) return false;
    this.close(conn, 'local');
    return true;
  }

  /** Queues a lossless packet (first byte: id 16..191, at most 1373 bytes) on an established connection. */
  sendLossless(peer: LongTermPublicKey, data: Uint8Array): SendResult {
    checkPayload(data, LOSSLESS_ID_MIN, LOSSLESS_ID_MAX, 'lossless');
    const conn = this.table.byPeerKey(peer);
    if (!conn || conn.state.kind !== 'established') return { ok: false, reason: 'NOT_CONNECTED' };
    const n = conn.state.channel.sendLossless(data, this.deps.scheduler.now());
    return n === undefined ? { ok: false, reason: 'QUEUE_FULL' } : { ok: true, packetNumber: n };
  }

  /** Sends a lossy packet (id 192..254) at once; false if not established or no path took it. */
  sendLossy(peer: LongTermPublicKey, data: Uint8Array): boolean {
    checkPayload(data, LOSSY_ID_MIN, LOSSY_ID_MAX, 'lossy');
    const conn = this.table.byPeerKey(peer);
    return conn?.state.kind === 'established' && conn.state.channel.sendLossy(data, this.deps.scheduler.now());
  }

  /** Whether lossless packet `packetNumber` (a number `sendLossless` returned) was acknowledged. */
  isDelivered(peer: LongTermPublicKey, packetNumber: number): boolean {
    return this.table.byPeerKey(peer)?.channel?.isDelivered(packetNumber >>> 0) ?? false;
  }

  isConnected(peer: LongTermPublicKey): boolean {
    return this.table.byPeerKey(peer)?.state.kind === 'established';
  }

  /** Room in the peer's send queue (c-toxcore's `crypto_num_free_sendqueue_slots`, by window). */
  sendQueueRoom(peer: LongTermPublicKey): number {
    const channel = this.table.byPeerKey(peer)?.channel;
    if (!channel) return 0;
    const q = channel.sendQueue;
    return Math.max(0, Math.min(PACKET_BUFFER_SIZE - q.length, Math.floor(channel.congestion.window) - q.inFlight - q.unsent));
  }

  connectionInfo(peer: LongTermPublicKey): ConnectionInfo | undefined {
    const conn = this.table.byPeerKey(peer);
    if (!conn) return undefined;
    const now = this.deps.scheduler.now();
    const ch = conn.channel;
    return {
      state: conn.state.kind,
      dhtPk: conn.dhtPk,
      endpoint: conn.udp.best(now),
      directUdp: conn.udp.directConnected(now),
      window: ch ? Math.floor(ch.congestion.window) : 0,
      inFlight: ch?.sendQueue.inFlight ?? 0,
      queued: ch?.sendQueue.length ?? 0,
      unsent: ch?.sendQueue.unsent ?? 0,
      srttMs: ch?.congestion.srtt,
      losses: ch?.congestion.losses ?? 0,
    };
  }

  /** Peers with a connection in any state. */
  peers(): LongTermPublicKey[] {
    return this.table.all().map((c) => c.peer);
  }

  // ------------------------------------------------------------------ opening and closing

  private open(peer: LongTermPublicKey, dhtPk: DhtPublicKey, endpoints: readonly IpPort[]): void {
    const conn = this.newConnection(peer, dhtPk);
    const echoId = this.deps.random.bytes(ECHO_ID_SIZE);
    const dhtSharedKey = this.deps.dht.sharedKey(dhtPk);
    const request = createCookieRequest(this.deps.random, this.deps.dht.publicKey, dhtSharedKey, this.deps.keyPair.publicKey, echoId);
    conn.state = { kind: 'cookieRequesting', temp: newTemp(request), echoId, dhtSharedKey };
    for (const address of endpoints) this.table.setEndpoint(conn, address, undefined);
    this.sendTemp(conn, conn.state.temp, this.deps.scheduler.now());
  }

  /** A registered connection with a session key pair (fresh unless given) and a fresh base nonce; the caller sets its state. */
  private newConnection(peer: LongTermPublicKey, dhtPk: DhtPublicKey, session: EphemeralKeyPair = this.newSession()): Connection {
    const conn = new Connection(peer, dhtPk, session, randomNonce(this.deps.random), this.realKeys.get(peer));
    this.table.add(conn);
    this.ticker?.wake();
    this.deps.tcp?.addPeer(dhtPk);
    return conn;
  }

  private newSession(): EphemeralKeyPair {
    return generateKeyPair<EphemeralPublicKey, EphemeralSecretKey>(this.deps.random);
  }

  private close(conn: Connection, reason: DisconnectReason): void {
    if (conn.closed) return;
    const wasConnected = conn.state.kind === 'established';
    if (wasConnected && reason !== 'killedByPeer') conn.channel?.sendKill(this.deps.scheduler.now());
    conn.closed = true;
    const channel = conn.channel;
    if (channel) channel.closed = true;
    this.table.remove(conn);
    this.pendingAcks.delete(conn);
    this.deps.tcp?.removePeer(conn.dhtPk);
    const w = this.wanted.get(conn.id);
    if (w && reason !== 'stopped') w.retryAt = this.deps.scheduler.now() + (reason === 'dhtKeyChanged' ? 0 : RECONNECT_DELAY_MS);
    if (this.log.enabled('debug')) this.log.debug('connection closed', { peer: conn.id, reason, wasConnected });
    this.emit('disconnected', conn.peer, { reason, wasConnected });
  }

  private sendTemp(conn: Connection, temp: TempPacket, now: number): void {
    temp.sends++;
    temp.lastSent = now;
    this.count(temp.packet[0] === NET_PACKET_ID.cookieRequest ? 'cookieRequest' : 'handshake');
    this.transmit(conn, temp.packet, now);
  }

  // ------------------------------------------------------------------ paths

  /** c-toxcore's `send_packet_to`: working UDP alone, else TCP plus UDP for setup packets and small probes. */
  private transmit(conn: Connection, packet: Uint8Array, now: number): boolean {
    const address = conn.udp.best(now);
    let sentUdp = false;
    if (address) {
      if (conn.udp.directConnected(now)) return this.deps.sendUdp(address, packet);
      const probe = packet.length < DIRECT_PROBE_MAX_SIZE && conn.udp.probeDue(now);
      if ((probe || SETUP_PACKETS.includes(packet[0]!)) && this.deps.sendUdp(address, packet)) {
        sentUdp = true;
        conn.udp.lastProbe = now;
      }
    }
    const tcp = this.deps.tcp;
    return (tcp !== undefined && tcp.sendToPeer(conn.dhtPk, packet) === 'sent') || sentUdp;
  }

  private canTransmit(conn: Connection, now: number): boolean {
    if (conn.udp.directConnected(now)) return true;
    return (this.deps.tcp?.peerStatus(conn.dhtPk) ?? 'none') !== 'none';
  }

  /** A handshake's UDP source becomes the connection's endpoint (relays are friend_connection's to attach). */
  private addSource(conn: Connection, source: PacketSource, now: number): void {
    if (source.kind === 'udp') this.table.setEndpoint(conn, source.address, now);
  }

  // ------------------------------------------------------------------ incoming packets

  private guard(handler: () => void): void {
    if (this.running) handler();
  }

  /** Like `guard`, and contains failures itself: no packet router sits between us and the relays. */
  private guardTcp(handler: () => void): void {
    try {
      this.guard(handler);
    } catch (err) {
      if (err instanceof UntrustedInputError) return this.drop('malformed', err.message);
      this.log.warn('relay packet handler failed', { error: err instanceof Error ? err.message : String(err) });
    }
  }

  private drop(reason: NetCryptoDropReason, detail?: string): void {
    this.counters.drop(reason);
    if (this.log.enabled('debug')) this.log.debug('dropped net_crypto packet', { reason, detail });
  }

  private count(kind: NetCryptoPacketKind): void {
    this.counters.sent[kind]++;
  }

  /** Cookie requests are answered for anyone, statelessly, on the link they came from. */
  private onUdpCookieRequest(data: Uint8Array, from: IpPort): void {
    this.counters.received.cookieRequest++;
    const request = openCookieRequest(data, (pk) => this.deps.dht.sharedKey(pk));
    if (typeof request === 'string') return this.drop(request, formatIpPort(from));
    this.count('cookieResponse');
    this.deps.sendUdp(from, createCookieResponse(this.deps.random, this.jar, request));
  }

  /** c-toxcore's `udp_handle_packet`: by source address; unknown sources may only open a connection. */
  private onUdpPacket(data: Uint8Array, from: IpPort): void {
    if (data.length < MIN_CONNECTION_PACKET_SIZE || data.length > MAX_CRYPTO_PACKET_SIZE) return this.drop('malformed', formatIpPort(from));
    const now = this.deps.scheduler.now();
    const conn = this.table.byUdp(from);
    if (!conn) {
      if (data[0] !== NET_PACKET_ID.handshake) return this.drop('unknownSource', formatIpPort(from));
      return this.onNewHandshake(data, { kind: 'udp', address: from }, now);
    }
    if (this.onConnectionPacket(conn, data, true, now) && !conn.closed) conn.udp.received(from, now);
  }

  /** From a peer we track on the relays: routed data, or out-of-band from its key (c-toxcore's `tcp_data_callback`). */
  private onTcpPeerPacket(peerDhtPk: DhtPublicKey, packet: Uint8Array): void {
    if (packet.length === 0 || packet.length > MAX_CRYPTO_PACKET_SIZE) return this.drop('malformed');
    const conn = this.table.byDht(peerDhtPk);
    if (!conn) return this.drop('unknownSource');
    if (packet[0] === NET_PACKET_ID.cookieRequest) {
      this.counters.received.cookieRequest++;
      const request = openCookieRequest(packet, (pk) => this.deps.dht.sharedKey(pk));
      if (typeof request === 'string') return this.drop(request);
      this.count('cookieResponse');
      this.deps.tcp?.sendToPeer(peerDhtPk, createCookieResponse(this.deps.random, this.jar, request));
      return;
    }
    this.onConnectionPacket(conn, packet, false, this.deps.scheduler.now());
  }

  /** Out-of-band relay packets: only cookie requests (answered through the same relay) and handshakes. */
  private onTcpOob(relay: RelayId, senderDhtPk: DhtPublicKey, packet: Uint8Array): void {
    if (packet.length === 0 || packet.length > MAX_CRYPTO_PACKET_SIZE) return this.drop('malformed');
    if (packet[0] === NET_PACKET_ID.cookieRequest) {
      this.counters.received.cookieRequest++;
      const request = openCookieRequest(packet, (pk) => this.deps.dht.sharedKey(pk));
      if (typeof request === 'string') return this.drop(request);
      if (!keysEqual(request.senderDhtPk, senderDhtPk)) return this.drop('senderMismatch');
      this.count('cookieResponse');
      this.deps.tcp?.sendOob(relay, senderDhtPk, createCookieResponse(this.deps.random, this.jar, request));
      return;
    }
    if (packet[0] === NET_PACKET_ID.handshake) return this.onNewHandshake(packet, { kind: 'tcp', relay }, this.deps.scheduler.now());
    this.drop('unknownSource');
  }

  /** A packet on a known connection; true when it authenticated. */
  private onConnectionPacket(conn: Connection, data: Uint8Array, viaUdp: boolean, now: number): boolean {
    switch (data[0]) {
      case NET_PACKET_ID.cookieResponse:
        return this.onCookieResponse(conn, data, now);
      case NET_PACKET_ID.handshake:
        return this.onHandshake(conn, data, now);
      case NET_PACKET_ID.data:
        return this.onData(conn, data, viaUdp, now);
      default:
        this.drop('malformed');
        return false;
    }
  }

  private onCookieResponse(conn: Connection, data: Uint8Array, now: number): boolean {
    this.counters.received.cookieResponse++;
    const state = conn.state;
    if (state.kind !== 'cookieRequesting') {
      this.drop('wrongState');
      return false;
    }
    const cookie = openCookieResponse(data, state.dhtSharedKey, state.echoId);
    if (typeof cookie === 'string') {
      this.drop(cookie);
      return false;
    }
    const temp = newTemp(this.handshakeFor(conn, cookie, conn.dhtPk));
    conn.state = { kind: 'handshakeSent', temp };
    this.sendTemp(conn, temp, now);
    return true;
  }

  /** A handshake on a connection we have (c-toxcore's `handle_packet_crypto_hs`). */
  private onHandshake(conn: Connection, data: Uint8Array, now: number): boolean {
    this.counters.received.handshake++;
    if (conn.state.kind === 'established') {
      this.drop('wrongState');
      return false;
    }
    const opened = openHandshake(data, this.jar, (pk) => this.realKeys.get(pk), conn.peer);
    if (typeof opened === 'string') {
      this.drop(opened);
      return false;
    }
    if (!keysEqual(opened.peerDhtPk, conn.dhtPk)) {
      this.dhtKeyChanged(conn.peer, opened.peerDhtPk);
      const w = this.wanted.get(conn.id);
      if (w) this.close(conn, 'dhtKeyChanged');
      return true;
    }
    const sessionKey = tryPrecompute(opened.sessionPk, conn.session.secretKey);
    if (!sessionKey) {
      this.drop('weakKey');
      return false;
    }
    this.adoptSession(conn, conn.state, opened, sessionKey, conn.state.kind === 'cookieRequesting', now);
    return true;
  }

  /** A handshake from an address no connection uses, or out-of-band (c-toxcore's `handle_new_connection_handshake`). */
  private onNewHandshake(data: Uint8Array, source: PacketSource, now: number): void {
    this.counters.received.handshake++;
    const opened = openHandshake(data, this.jar, (pk) => this.realKeys.get(pk));
    if (typeof opened === 'string') return this.drop(opened);
    const existing = this.table.byPeerKey(opened.peerRealPk);
    const knownDhtPk = existing?.dhtPk ?? this.wanted.get(keyId(opened.peerRealPk))?.dhtPk;
    if (existing) {
      if (keysEqual(opened.peerDhtPk, existing.dhtPk)) {
        if (existing.state.kind !== 'cookieRequesting' && existing.state.kind !== 'handshakeSent') return this.drop('wrongState');
        const sessionKey = tryPrecompute(opened.sessionPk, existing.session.secretKey);
        if (!sessionKey) return this.drop('weakKey');
        this.addSource(existing, source, now);
        this.adoptSession(existing, existing.state, opened, sessionKey, true, now);
        return;
      }
      this.close(existing, 'dhtKeyChanged');
    }
    const session = this.newSession();
    const sessionKey = tryPrecompute(opened.sessionPk, session.secretKey);
    if (!sessionKey) return this.drop('weakKey');
    if (!this.admit(opened, source)) return this.drop('notAdmitted');
    if (knownDhtPk && !keysEqual(knownDhtPk, opened.peerDhtPk)) this.dhtKeyChanged(opened.peerRealPk, opened.peerDhtPk);
    const conn = this.newConnection(opened.peerRealPk, opened.peerDhtPk, session);
    this.addSource(conn, source, now);
    this.adoptSession(conn, undefined, opened, sessionKey, true, now);
  }

  private admit(opened: OpenedHandshake, source: PacketSource): boolean {
    if (this.wanted.has(keyId(opened.peerRealPk))) return true;
    try {
      return this.onNewConnection?.({ peer: opened.peerRealPk, dhtPk: opened.peerDhtPk, source }) ?? false;
    } catch (err) {
      this.log.warn('admission hook threw', { error: err instanceof Error ? err.message : String(err) });
      return false;
    }
  }

  private dhtKeyChanged(peer: LongTermPublicKey, dhtPk: DhtPublicKey): void {
    const w = this.wanted.get(keyId(peer));
    if (w) w.dhtPk = dhtPk;
    this.emit('dhtKeyChanged', peer, dhtPk);
  }

  /**
   * The peer's session from its handshake: our channel's key and receive
   * nonce. `reply` sends our own handshake (answering the peer's cookie);
   * the first time, the channel starts with a request packet, which is what
   * confirms the connection at the other end.
   */
  private adoptSession(conn: Connection, previous: ConnectionState | undefined, opened: OpenedHandshake, sharedKey: SharedKey, reply: boolean, now: number): void {
    const temp = reply || previous === undefined || previous.kind === 'established' ? newTemp(this.handshakeFor(conn, opened.otherCookie, opened.peerDhtPk)) : previous.temp;
    if (reply) this.sendTemp(conn, temp, now);
    if (previous?.kind === 'notConfirmed') {
      previous.channel.rekey(sharedKey, opened.baseNonce);
      conn.state = { kind: 'notConfirmed', temp, channel: previous.channel };
      return;
    }
    const channel = new Channel(this.channelHost(conn), this.counters, sharedKey, conn.baseNonce, opened.baseNonce, this.maxWindow, now);
    conn.state = { kind: 'notConfirmed', temp, channel };
    channel.sendRequest(now);
  }

  private handshakeFor(conn: Connection, peerCookie: Uint8Array, peerDhtPk: DhtPublicKey): Uint8Array {
    return createHandshake(this.deps.random, this.jar, {
      peerCookie,
      baseNonce: conn.baseNonce,
      sessionPk: conn.session.publicKey,
      peerRealPk: conn.peer,
      peerDhtPk,
      realSharedKey: conn.realSharedKey,
    });
  }

  private onData(conn: Connection, data: Uint8Array, viaUdp: boolean, now: number): boolean {
    this.counters.received.data++;
    const channel = conn.channel;
    if (!channel) {
      this.drop('wrongState');
      return false;
    }
    const outcome = channel.receive(data, viaUdp, now);
    if (outcome === 'kill') {
      this.close(conn, 'killedByPeer');
      return true;
    }
    return outcome === 'ok';
  }

  private channelHost(conn: Connection): ChannelHost {
    return {
      transmit: (packet, now) => this.transmit(conn, packet, now),
      canTransmit: (now) => this.canTransmit(conn, now),
      confirmed: () => {
        if (conn.state.kind !== 'notConfirmed' || conn.closed) return;
        conn.state = { kind: 'established', channel: conn.state.channel };
        this.emit('connected', conn.peer);
      },
      lossless: (id, payload) => this.emit('lossless', conn.peer, id, payload),
      lossy: (id, payload) => this.emit('lossy', conn.peer, id, payload),
      delivered: (below) => this.emit('delivered', conn.peer, below),
      ackLater: (urgent) => this.ackLater(conn, urgent),
      drop: (reason) => this.drop(reason),
      boxScratch: () => this.boxScratch,
    };
  }

  /** Acknowledgements wait ACK_DELAY_MS, or until the input being processed is done when urgent (one timer for all connections). */
  private ackLater(conn: Connection, urgent: boolean): void {
    this.pendingAcks.add(conn);
    if (this.ackTimer && (!urgent || this.ackTimerUrgent)) return;
    this.ackTimer?.cancel();
    this.ackTimerUrgent = urgent;
    this.ackTimer = this.deps.scheduler.after(urgent ? 0 : ACK_DELAY_MS, () => {
      this.ackTimer = undefined;
      const now = this.deps.scheduler.now();
      const due = [...this.pendingAcks];
      this.pendingAcks.clear();
      for (const c of due) if (!c.closed) c.channel?.flushAck(now);
    });
  }

  // ------------------------------------------------------------------ timers

  tick(now: number): void {
    if (!this.running) return;
    for (const conn of this.table.all()) {
      if (!conn.closed) this.tickConnection(conn, now);
    }
    for (const w of this.wanted.values()) {
      if (now >= w.retryAt && !this.table.byPeerKey(w.peer)) {
        w.retryAt = Number.POSITIVE_INFINITY;
        this.open(w.peer, w.dhtPk, w.endpoints);
      }
    }
  }

  private tickConnection(conn: Connection, now: number): void {
    const temp = conn.temp;
    if (temp && now - temp.lastSent >= HANDSHAKE_RESEND_MS) {
      if (temp.sends >= MAX_HANDSHAKE_SENDS) return this.close(conn, 'handshakeTimeout');
      this.sendTemp(conn, temp, now);
    }
    const state = conn.state;
    if (state.kind === 'notConfirmed') state.channel.tick(now, false);
    if (state.kind !== 'established') return;
    if (this.establishedTimeoutMs > 0 && now - state.channel.lastReceived > this.establishedTimeoutMs) return this.close(conn, 'idleTimeout');
    state.channel.tick(now, true);
  }
}

function checkPayload(data: Uint8Array, minId: number, maxId: number, kind: string): void {
  if (!(data instanceof Uint8Array) || data.length === 0 || data.length > MAX_CRYPTO_DATA_SIZE) {
    throw new InvalidArgumentError(`a ${kind} packet is 1..${MAX_CRYPTO_DATA_SIZE} bytes`, { length: data instanceof Uint8Array ? data.length : undefined });
  }
  if (data[0]! < minId || data[0]! > maxId) throw new InvalidArgumentError(`a ${kind} packet id must be ${minId}..${maxId}, got ${data[0]}`);
}
