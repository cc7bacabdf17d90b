/**
 * TcpRelayServer: a TCP relay any Tox client can use (tox-protocol.md §6, the
 * server half of c-toxcore's TCP_server.c). Accepts streams from a NetStack,
 * answers the 128-byte handshake within 10 s, confirms a client on its first
 * valid packet, applies every strictness rule of pitfall 10 (closing the
 * offender only), pings every 30 s with a 10 s pong timeout, hands onion
 * requests to an OnionForwarder and bounds pending connections, confirmed
 * clients and per-client send queues.
 */
import type { Logger, Random, Scheduler, TimerHandle } from '../../base/index.js';
import { InvalidStateError } from '../../base/index.js';
import { DecodeError } from '../../binary/index.js';
import { keyId, type DhtKeyPair, type DhtPublicKey } from '../../crypto/index.js';
import { formatIpPort, type IpPort, type NetStack, type StreamListener, type StreamSocket } from '../../net/index.js';
import { HANDSHAKE_TIMEOUT_MS, NUM_RESERVED_IDS, PING_INTERVAL_MS, PONG_TIMEOUT_MS, TICK_INTERVAL_MS } from '../constants.js';
import { acceptClientHandshake } from '../handshake.js';
import type { OnionForwarder } from '../ports.js';
import { SecureLink } from '../secure-stream.js';
import { decodeTcpPacket, type TcpPacket } from '../wire/decode.js';
import { OnionRequest, ONION_REQUEST_KILL_SIZE, PingRequest, PongResponse, TCP_PACKET_ID } from '../wire/packets.js';
import { RelayHub } from './hub.js';
import { ServerSession } from './session.js';
import { TcpServerStats, type ServerCloseReason } from './stats.js';

export interface TcpRelayServerDeps {
  readonly net: NetStack;
  readonly scheduler: Scheduler;
  readonly random: Random;
  readonly log: Logger;
  /** The onion layer; without it onion requests are ignored, as by a c-toxcore relay without onion. */
  readonly onion?: OnionForwarder;
}

export interface TcpRelayServerOptions {
  /** The relay identity: a DHT key pair (bootstrap daemons use their only key pair). */
  readonly keyPair: DhtKeyPair;
  /** Address to listen on (default: the NetStack's default, 127.0.0.1). */
  readonly host?: string;
  /** Port; 0 picks a free one. */
  readonly port: number;
  /** Confirmed clients at most (default 1024); more are closed on confirmation. */
  readonly maxClients?: number;
  /** Connections still in handshake or unconfirmed (default 256); a new one evicts the oldest. */
  readonly maxPending?: number;
  /** Unsent bytes per client above which data, OOB and onion responses to it are dropped (default 256 KiB). */
  readonly softQueueLimit?: number;
  /** Unsent bytes per client above which a control packet closes it (default 1 MiB). */
  readonly hardQueueLimit?: number;
  readonly handshakeTimeoutMs?: number;
  readonly pingIntervalMs?: number;
  readonly pongTimeoutMs?: number;
}

const DEFAULTS = {
  maxClients: 1024,
  maxPending: 256,
  softQueueLimit: 256 * 1024,
  hardQueueLimit: 1024 * 1024,
  handshakeTimeoutMs: HANDSHAKE_TIMEOUT_MS,
  pingIntervalMs: PING_INTERVAL_MS,
  pongTimeoutMs: PONG_TIMEOUT_MS,
};

export class TcpRelayServer {
  readonly stats = new TcpServerStats();
  private readonly options: typeof DEFAULTS & TcpRelayServerOptions;
  private readonly hub: RelayHub;
  /** Handshaking and unconfirmed connections, oldest first. */
  private readonly pending = new Set<ServerSession>();
  private listener: StreamListener | undefined;
  private timer: TimerHandle | undefined;
  private state: 'idle' | 'starting' | 'running' | 'stopped' = 'idle';

  constructor(
    private readonly deps: TcpRelayServerDeps,
    options: TcpRelayServerOptions,
  ) {
    this.options = { ...DEFAULTS, ...options };
    this.hub = new RelayHub(this.stats, (session, reason) => this.closeSession(session, reason));
  }

  get publicKey(): DhtPublicKey {
    return this.options.keyPair.publicKey;
  }

  /** The listening address (with the real port). */
  get address(): IpPort {
    if (!this.listener) throw new InvalidStateError('the relay server is not listening');
    return this.listener.local;
  }

  /** Confirmed clients. */
  get clientCount(): number {
    return this.hub.size;
  }

  /** Connections in handshake or unconfirmed. */
  get pendingCount(): number {
    return this.pending.size;
  }

  /** True when a client with this DHT key is confirmed. */
  hasClient(publicKey: Uint8Array): boolean {
    return this.hub.has(publicKey);
  }

  /** A confirmed client's unsent bytes and routing slots in use, for monitoring and tests. */
  clientInfo(publicKey: Uint8Array): { queuedBytes: number; routes: number } | undefined {
    const session = this.hub.get(publicKey);
    return session && { queuedBytes: session.socket.bufferedAmount, routes: session.routeCount };
  }

  async start(): Promise<void> {
    if (this.state !== 'idle') throw new InvalidStateError(`relay server cannot start from state ${this.state}`);
    this.state = 'starting';
    const bind = this.options.host === undefined ? { port: this.options.port } : { host: this.options.host, port: this.options.port };
    this.listener = await this.deps.net.listenTcp(bind, (socket) => this.accept(socket));
    if (this.state !== 'starting') {
      await this.listener.close();
      return;
    }
    this.state = 'running';
    this.timer = this.deps.scheduler.every(TICK_INTERVAL_MS, (now) => this.tick(now));
    this.deps.log.info('tcp relay listening', { address: formatIpPort(this.listener.local) });
  }

  /** Stops listening and closes every connection; leaves no timer or socket behind. */
  async stop(): Promise<void> {
    if (this.state === 'stopped') return;
    this.state = 'stopped';
    this.timer?.cancel();
    this.timer = undefined;
    for (const session of [...this.pending, ...this.hub.sessions()]) this.closeSession(session, 'stopped');
    await this.listener?.close();
  }

  /**
   * Called by the onion layer with a response whose return path ended in one of
   * our return tokens: sends it to that client as packet 9. False if the client
   * is gone or cannot take it now.
   */
  deliverOnionResponse(returnToken: Uint8Array, payload: Uint8Array): boolean {
    return this.state === 'running' && this.hub.deliverOnionResponse(returnToken, payload);
  }

  // ---------------------------------------------------------------- connections

  private accept(socket: StreamSocket): void {
    if (this.state !== 'running') {
      socket.destroy();
      return;
    }
    this.stats.accepted++;
    if (this.pending.size >= this.options.maxPending) {
      const oldest = this.pending.values().next().value as ServerSession;
      this.closeSession(oldest, 'evicted');
    }
    const session = new ServerSession(socket, this.deps.scheduler.now());
    this.pending.add(session);
    socket.onData((chunk) => this.receive(session, chunk));
    socket.onClose(() => this.closeSession(session, 'peerClosed'));
  }

  private receive(session: ServerSession, chunk: Uint8Array): void {
    if (session.stage === 'closed') return;
    let bytes = chunk;
    if (session.stage === 'handshake') {
      const done = session.handshake.push(chunk);
      if (!done) return;
      const accepted = acceptClientHandshake(this.options.keyPair, done.bytes, this.deps.random);
      if (!accepted) {
        this.closeSession(session, 'badHandshake');
        return;
      }
      this.stats.handshakes++;
      session.socket.write(accepted.response);
      session.publicKey = accepted.clientPublicKey;
      session.keyId = keyId(accepted.clientPublicKey);
      session.link = new SecureLink(session.socket, accepted.session, {
        softLimit: this.options.softQueueLimit,
        hardLimit: this.options.hardQueueLimit,
      });
      session.stage = 'unconfirmed';
      bytes = done.rest;
      if (bytes.length === 0) return;
    }
    const failure = session.link!.receive(bytes, (plain) => this.handlePacket(session, plain));
    if (failure) this.closeSession(session, failure);
  }

  /** Confirms an unconfirmed session on its first packet; false if it was refused. */
  private confirm(session: ServerSession): boolean {
    this.pending.delete(session);
    if (this.hub.size >= this.options.maxClients && !this.hub.has(session.publicKey!)) {
      this.closeSession(session, 'serverFull');
      return false;
    }
    this.hub.admit(session, this.deps.scheduler.now());
    this.stats.confirmed++;
    return true;
  }

  /** One decrypted packet; returns false once the session is closed. */
  private handlePacket(session: ServerSession, plain: Uint8Array): boolean {
    if (session.stage === 'unconfirmed' && !this.confirm(session)) return false;
    const id = plain[0]!;
    if (id >= NUM_RESERVED_IDS) {
      this.stats.countReceived('data');
      return this.hub.forwardData(session, plain) || this.fail(session, 'freeConnectionId');
    }
    if (id === TCP_PACKET_ID.onionRequest) return this.onionRequest(session, plain);
    let packet: TcpPacket;
    try {
      packet = decodeTcpPacket(plain);
    } catch (err) {
      if (!(err instanceof DecodeError)) throw err;
      return this.fail(session, 'malformed');
    }
    this.stats.countReceived(packet.kind);
    switch (packet.kind) {
      case 'routeRequest':
        return this.hub.routeRequest(session, packet.publicKey as DhtPublicKey);
      case 'connectNotification':
        this.stats.countDropped('clientConnectNotification');
        return true;
      case 'disconnectNotification':
        return this.hub.disconnect(session, packet.connectionId) || this.fail(session, 'freeConnectionId');
      case 'ping': {
        const result = session.send(PongResponse.encode({ pingId: packet.pingId }), true);
        return result === 'sent' || this.fail(session, 'queueOverflow');
      }
      case 'pong':
        if (packet.pingId === 0n) return this.fail(session, 'pongZero');
        if (packet.pingId === session.pingId) {
          session.pingId = 0n;
          this.stats.pongsReceived++;
        }
        return true;
      case 'oobSend':
        this.hub.oob(session, packet.destination, packet.data);
        return session.stage !== 'closed';
      case 'forwardRequest':
        // c-toxcore closes the sender only when it has no forwarding module at all; 0.2.18 clients
        // send these for NGC announcements, which we do not forward: keep the client, drop the packet.
        this.stats.countDropped('forwardUnsupported');
        return true;
      case 'forwarding':
      case 'routeResponse':
      case 'oobReceive':
      case 'onionRequest':
      case 'onionResponse':
      case 'data':
      case 'unsupported':
        return this.fail(session, 'unexpectedPacket');
    }
  }

  /** Packet 8, with c-toxcore's rules: too short closes, otherwise invalid contents are dropped. */
  private onionRequest(session: ServerSession, plain: Uint8Array): boolean {
    this.stats.countReceived('onionRequest');
    const forwarder = this.deps.onion;
    if (!forwarder) {
      this.stats.countDropped('onionNoForwarder');
      return true;
    }
    if (plain.length <= ONION_REQUEST_KILL_SIZE) return this.fail(session, 'malformed');
    const decoded = OnionRequest.tryDecode(plain);
    if (!decoded.ok) {
      this.stats.countDropped('onionMalformed');
      return true;
    }
    try {
      forwarder.forwardOnionRequest(decoded.value, this.hub.returnToken(session));
      this.stats.onionRequestsForwarded++;
    } catch (err) {
      // A bug in the onion layer must not tear down this client's stream state.
      this.deps.log.warn('onion forwarder failed', { error: err instanceof Error ? err.message : String(err) });
    }
    return session.stage !== 'closed';
  }

  private fail(session: ServerSession, reason: ServerCloseReason): false {
    this.closeSession(session, reason);
    return false;
  }

  private closeSession(session: ServerSession, reason: ServerCloseReason): void {
    if (session.stage === 'closed') return;
    const wasConfirmed = session.stage === 'confirmed';
    session.stage = 'closed';
    session.link?.close();
    this.pending.delete(session);
    if (wasConfirmed) this.hub.remove(session);
    this.stats.countClosed(reason);
    if (reason !== 'peerClosed' && reason !== 'stopped' && this.deps.log.enabled('debug')) {
      this.deps.log.debug('tcp relay closed a connection', { reason, remote: formatIpPort(session.socket.remote) });
    }
    session.socket.destroy();
  }

  // ---------------------------------------------------------------- timers

  private tick(now: number): void {
    for (const session of [...this.pending]) {
      if (now - session.openedAt >= this.options.handshakeTimeoutMs) this.closeSession(session, 'handshakeTimeout');
    }
    for (const session of this.hub.sessions()) {
      if (now - session.lastPinged >= this.options.pingIntervalMs) this.ping(session, now);
      if (session.stage === 'confirmed' && session.pingId !== 0n && now - session.lastPinged >= this.options.pongTimeoutMs) {
        this.closeSession(session, 'pongTimeout');
      }
    }
  }

  private ping(session: ServerSession, now: number): void {
    let pingId = new DataView(this.deps.random.bytes(8).buffer).getBigUint64(0);
    if (pingId === 0n) pingId = 1n;
    if (session.send(PingRequest.encode({ pingId }), true) !== 'sent') {
      this.closeSession(session, 'queueOverflow');
      return;
    }
    session.pingId = pingId;
    session.lastPinged = now;
    this.stats.pingsSent++;
  }
}
