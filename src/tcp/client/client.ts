/**
 * TcpRelayClient: one connection to one relay (the client half of c-toxcore's
 * TCP_client.c). Connects through the NetStack (optionally via a SOCKS5 or HTTP
 * proxy), performs the handshake within 10 s, pings at once (which confirms
 * us) and then every 30 s with a 10 s pong timeout, and keeps the routing slots
 * the relay grants. Routing results, data, OOB and onion responses come out as
 * typed events; sends report `SendResult`-style outcomes instead of throwing.
 */
import { EventEmitter } from 'eventemitter3';
import type { Logger, Random, Scheduler, TimerHandle } from '../../base/index.js';
import { InvalidArgumentError, InvalidStateError } from '../../base/index.js';
import { DecodeError } from '../../binary/index.js';
import { keyId, type DhtKeyPair, type DhtPublicKey } from '../../crypto/index.js';
import type { NetStack, StreamSocket } from '../../net/index.js';
import { HANDSHAKE_TIMEOUT_MS, MAX_OOB_DATA_SIZE, MAX_PACKET_SIZE, MAX_ROUTES_PER_CLIENT, NUM_RESERVED_IDS, PING_INTERVAL_MS, PONG_TIMEOUT_MS, SERVER_HANDSHAKE_SIZE, TICK_INTERVAL_MS } from '../constants.js';
import { completeClientHandshake, createClientHandshake, type PendingClientHandshake } from '../handshake.js';
import type { RelayInfo } from '../ports.js';
import { ExactReader, SecureLink, type SendResult } from '../secure-stream.js';
import { decodeTcpPacket, type TcpPacket } from '../wire/decode.js';
import { Data, DisconnectNotification, OnionRequest, OobSend, PingRequest, PongResponse, RouteRequest } from '../wire/packets.js';
import { proxyNegotiation, type ProxyConfig, type ProxyNegotiation } from './proxy.js';

export type TcpClientStatus = 'connecting' | 'unconfirmed' | 'confirmed' | 'disconnected';

export type ClientCloseReason =
  /** close() was called. */
  | 'closed'
  | 'connectFailed'
  | 'proxyFailed'
  | 'peerClosed'
  | 'handshakeTimeout'
  | 'badHandshake'
  | 'badFrame'
  | 'decryptFailed'
  /** A packet of a known kind with the wrong size, a reserved connection id, or an empty packet. */
  | 'malformed'
  /** A packet a relay may not send (ids 0, 6, 8, 10, 12..15). */
  | 'unexpectedPacket'
  | 'pongZero'
  | 'pongTimeout'
  /** A control packet did not fit the send queue: the relay does not read. */
  | 'queueOverflow';

export type DataSendResult = SendResult | 'notOnline';

export interface TcpClientEvents {
  status: (status: TcpClientStatus, reason?: ClientCloseReason) => void;
  /** The relay's answer to a routing request; connection id 0 means refused. */
  routeResponse: (publicKey: DhtPublicKey, connectionId: number) => void;
  /** The peer on `connectionId` connected (both sides asked for each other) or left. */
  routeStatus: (connectionId: number, publicKey: DhtPublicKey, online: boolean) => void;
  data: (connectionId: number, publicKey: DhtPublicKey, data: Uint8Array) => void;
  oob: (sender: DhtPublicKey, data: Uint8Array) => void;
  onionResponse: (payload: Uint8Array) => void;
  pong: (rttMs: number) => void;
  /** The socket drained after a send returned 'congested'. */
  drain: () => void;
}

export interface TcpRelayClientDeps {
  readonly net: NetStack;
  readonly scheduler: Scheduler;
  readonly random: Random;
  readonly log: Logger;
}

export interface TcpRelayClientOptions {
  readonly relay: RelayInfo;
  /** Our DHT key pair: relays know clients by DHT key. */
  readonly keyPair: DhtKeyPair;
  readonly proxy?: ProxyConfig;
  readonly handshakeTimeoutMs?: number;
  readonly pingIntervalMs?: number;
  readonly pongTimeoutMs?: number;
  /** Unsent bytes above which data/OOB/onion sends return 'congested' (default 256 KiB). */
  readonly softQueueLimit?: number;
  /** Unsent bytes above which a control packet closes the connection (default 1 MiB). */
  readonly hardQueueLimit?: number;
}

interface ClientRoute {
  readonly publicKey: DhtPublicKey;
  readonly keyId: string;
  online: boolean;
}

type Phase =
  | { readonly kind: 'idle' }
  | { readonly kind: 'connecting' }
  | { readonly kind: 'proxy'; readonly socket: StreamSocket; readonly negotiation: ProxyNegotiation }
  | { readonly kind: 'handshake'; readonly socket: StreamSocket; readonly pending: PendingClientHandshake; readonly reader: ExactReader }
  | { readonly kind: 'established'; readonly socket: StreamSocket; readonly link: SecureLink }
  | { readonly kind: 'closed'; readonly reason: ClientCloseReason };

export class TcpClientStats {
  pingsSent = 0;
  pongsReceived = 0;
  /** Round trip of the last answered ping, in scheduler milliseconds. */
  lastRttMs: number | undefined;
  dataSent = 0;
  dataReceived = 0;
  oobSent = 0;
  oobReceived = 0;
  onionRequestsSent = 0;
  onionResponsesReceived = 0;
  /** NGC forwarding replies (0x0B) passed over: we run no forwarding module. */
  forwardingIgnored = 0;
  /** Data on a connection id we hold no slot for (c-toxcore passes it on; we drop it). */
  droppedUnknownConnection = 0;
  /** Listener exceptions caught while emitting events. */
  listenerErrors = 0;
}

export class TcpRelayClient extends EventEmitter<TcpClientEvents> {
  readonly stats = new TcpClientStats();
  readonly relay: RelayInfo;
  private readonly options: TcpRelayClientOptions;
  private phase: Phase = { kind: 'idle' };
  private readonly routes: Array<ClientRoute | undefined> = [];
  private readonly slotByKey = new Map<string, number>();
  private timer: TimerHandle | undefined;
  private abort: AbortController | undefined;
  private deadline = 0;
  private lastPinged = 0;
  private pingId = 0n;
  private wantDrain = false;

  constructor(
    private readonly deps: TcpRelayClientDeps,
    options: TcpRelayClientOptions,
  ) {
    super();
    this.options = options;
    this.relay = options.relay;
  }

  /** Our DHT key, the one this relay knows us by. */
  get publicKey(): DhtPublicKey {
    return this.options.keyPair.publicKey;
  }

  get status(): TcpClientStatus {
    switch (this.phase.kind) {
      case 'idle':
      case 'connecting':
      case 'proxy':
        return 'connecting';
      case 'handshake':
        return 'unconfirmed';
      case 'established':
        return 'confirmed';
      case 'closed':
        return 'disconnected';
    }
  }

  /** Why the connection ended, once it did. */
  get closeReason(): ClientCloseReason | undefined {
    return this.phase.kind === 'closed' ? this.phase.reason : undefined;
  }

  /** Starts connecting; callable once. */
  connect(): void {
    if (this.phase.kind !== 'idle') throw new InvalidStateError(`relay client cannot connect from ${this.phase.kind}`);
    const { scheduler, net } = this.deps;
    const timeout = this.options.handshakeTimeoutMs ?? HANDSHAKE_TIMEOUT_MS;
    this.phase = { kind: 'connecting' };
    this.deadline = scheduler.now() + timeout;
    this.timer = scheduler.every(TICK_INTERVAL_MS, (now) => this.tick(now));
    const abort = new AbortController();
    this.abort = abort;
    const target = this.options.proxy?.address ?? this.relay.address;
    net.connectTcp(target, { signal: abort.signal, timeoutMs: timeout }).then(
      (socket) => this.connected(socket),
      (err: unknown) => {
        if (this.phase.kind !== 'connecting') return;
        this.deps.log.debug('tcp relay connect failed', { error: err instanceof Error ? err.message : String(err) });
        this.finish('connectFailed');
      },
    );
  }

  /** Closes the connection; idempotent. */
  close(): void {
    this.finish('closed');
  }

  // ---------------------------------------------------------------- routing and sending

  /** Asks the relay to route us to `peer` (its DHT key). */
  routeRequest(peer: DhtPublicKey): SendResult {
    return this.sendControl(RouteRequest.encode({ publicKey: peer }));
  }

  /** Frees a routing slot and tells the relay. */
  disconnectRoute(connectionId: number): SendResult {
    const slot = this.slotOf(connectionId);
    const route = this.routes[slot];
    if (!route) return 'closed';
    this.routes[slot] = undefined;
    this.slotByKey.delete(route.keyId);
    return this.sendControl(DisconnectNotification.encode({ connectionId }));
  }

  /** The routing slot for a peer key, if the relay granted one. */
  routeFor(peer: Uint8Array): { connectionId: number; online: boolean } | undefined {
    const slot = this.slotByKey.get(keyId(peer));
    if (slot === undefined) return undefined;
    return { connectionId: slot + NUM_RESERVED_IDS, online: this.routes[slot]!.online };
  }

  sendData(connectionId: number, data: Uint8Array): DataSendResult {
    if (data.length === 0 || data.length > MAX_PACKET_SIZE - 1) {
      throw new InvalidArgumentError(`routed data is 1..${MAX_PACKET_SIZE - 1} bytes, got ${data.length}`);
    }
    const route = this.routes[this.slotOf(connectionId)];
    if (!route?.online) return 'notOnline';
    const result = this.sendOrdinary(Data.encode({ connectionId, payload: data }));
    if (result === 'sent') this.stats.dataSent++;
    return result;
  }

  sendOob(destination: DhtPublicKey, data: Uint8Array): SendResult {
    if (data.length === 0 || data.length > MAX_OOB_DATA_SIZE) {
      throw new InvalidArgumentError(`OOB data is 1..${MAX_OOB_DATA_SIZE} bytes, got ${data.length}`);
    }
    const result = this.sendOrdinary(OobSend.encode({ destination, data }));
    if (result === 'sent') this.stats.oobSent++;
    return result;
  }

  sendOnionRequest(request: OnionRequest): SendResult {
    const result = this.sendOrdinary(OnionRequest.encode(request));
    if (result === 'sent') this.stats.onionRequestsSent++;
    return result;
  }

  /** Sends a ping now (one is also sent every 30 s); the answer raises a `pong` event. */
  ping(): SendResult {
    if (this.phase.kind !== 'established') return 'closed';
    let pingId = new DataView(this.deps.random.bytes(8).buffer).getBigUint64(0);
    if (pingId === 0n) pingId = 1n;
    const result = this.sendControl(PingRequest.encode({ pingId }));
    if (result === 'sent') {
      this.pingId = pingId;
      this.lastPinged = this.deps.scheduler.now();
      this.stats.pingsSent++;
    }
    return result;
  }

  // ---------------------------------------------------------------- connection stages

  private connected(socket: StreamSocket): void {
    if (this.phase.kind !== 'connecting') {
      socket.destroy();
      return;
    }
    socket.onData((chunk) => this.receive(chunk));
    socket.onDrain(() => {
      if (!this.wantDrain) return;
      this.wantDrain = false;
      this.emitSafely('drain');
    });
    socket.onClose(() => this.finish('peerClosed'));
    const proxy = this.options.proxy;
    if (proxy) {
      const negotiation = proxyNegotiation(proxy, this.relay.address);
      this.phase = { kind: 'proxy', socket, negotiation };
      socket.write(negotiation.greeting);
      return;
    }
    this.beginHandshake(socket, new Uint8Array(0));
  }

  private beginHandshake(socket: StreamSocket, rest: Uint8Array): void {
    const pending = createClientHandshake(this.options.keyPair, this.relay.publicKey, this.deps.random);
    if (!pending) {
      this.finish('badHandshake');
      return;
    }
    this.phase = { kind: 'handshake', socket, pending, reader: new ExactReader(SERVER_HANDSHAKE_SIZE) };
    socket.write(pending.request);
    this.emitSafely('status', 'unconfirmed');
    if (rest.length > 0) this.receive(rest);
  }

  private receive(chunk: Uint8Array): void {
    const phase = this.phase;
    switch (phase.kind) {
      case 'proxy': {
        const step = phase.negotiation.receive(chunk);
        if (step.kind === 'send') phase.socket.write(step.bytes);
        else if (step.kind === 'done') this.beginHandshake(phase.socket, step.rest);
        else if (step.kind === 'fail') {
          this.deps.log.debug('tcp relay proxy failed', { reason: step.reason });
          this.finish('proxyFailed');
        }
        return;
      }
      case 'handshake': {
        const done = phase.reader.push(chunk);
        if (!done) return;
        const session = completeClientHandshake(phase.pending, done.bytes);
        if (!session) {
          this.finish('badHandshake');
          return;
        }
        const link = new SecureLink(phase.socket, session, {
          softLimit: this.options.softQueueLimit ?? 256 * 1024,
          hardLimit: this.options.hardQueueLimit ?? 1024 * 1024,
        });
        this.phase = { kind: 'established', socket: phase.socket, link };
        // c-toxcore pings right after the handshake; the relay confirms us on this first packet.
        this.ping();
        this.emitSafely('status', 'confirmed');
        if (done.rest.length > 0) this.receive(done.rest);
        return;
      }
      case 'established': {
        const failure = phase.link.receive(chunk, (plain) => this.handlePacket(plain));
        if (failure) this.finish(failure);
        return;
      }
      default:
        return;
    }
  }

  /** One decrypted packet, with c-toxcore's client rules; false once closed. */
  private handlePacket(plain: Uint8Array): boolean {
    if (plain.length <= 1) return this.fail('malformed');
    const id = plain[0]!;
    if (id >= NUM_RESERVED_IDS) {
      const route = this.routes[id - NUM_RESERVED_IDS];
      if (!route) {
        this.stats.droppedUnknownConnection++;
        return true;
      }
      this.stats.dataReceived++;
      this.emitSafely('data', id, route.publicKey, plain.subarray(1));
      return this.phase.kind === 'established';
    }
    let packet: TcpPacket;
    try {
      packet = decodeTcpPacket(plain);
    } catch (err) {
      if (!(err instanceof DecodeError)) throw err;
      return this.fail('malformed');
    }
    switch (packet.kind) {
      case 'routeResponse':
        this.routeResponse(packet.connectionId, packet.publicKey as DhtPublicKey);
        break;
      case 'connectNotification':
      case 'disconnectNotification': {
        if (packet.connectionId < NUM_RESERVED_IDS) return this.fail('malformed');
        const route = this.routes[packet.connectionId - NUM_RESERVED_IDS];
        const online = packet.kind === 'connectNotification';
        if (route && route.online !== online) {
          route.online = online;
          this.emitSafely('routeStatus', packet.connectionId, route.publicKey, online);
        }
        break;
      }
      case 'ping':
        if (packet.pingId !== 0n && this.sendControl(PongResponse.encode({ pingId: packet.pingId })) !== 'sent') return false;
        break;
      case 'pong':
        if (packet.pingId === 0n) return this.fail('pongZero');
        if (packet.pingId === this.pingId) {
          this.pingId = 0n;
          this.stats.pongsReceived++;
          this.stats.lastRttMs = this.deps.scheduler.now() - this.lastPinged;
          this.emitSafely('pong', this.stats.lastRttMs);
        }
        break;
      case 'oobReceive':
        this.stats.oobReceived++;
        this.emitSafely('oob', packet.sender as DhtPublicKey, packet.data);
        break;
      case 'onionResponse':
        this.stats.onionResponsesReceived++;
        this.emitSafely('onionResponse', packet.payload);
        break;
      case 'forwarding':
        // NGC forwarding replies are passed over by clients without that module.
        this.stats.forwardingIgnored++;
        break;
      case 'unsupported':
      case 'forwardRequest':
        return this.fail('unexpectedPacket');
      case 'routeRequest':
      case 'oobSend':
      case 'onionRequest':
      case 'data':
        return this.fail('unexpectedPacket');
    }
    return this.phase.kind === 'established';
  }

  private routeResponse(connectionId: number, publicKey: DhtPublicKey): void {
    if (connectionId < NUM_RESERVED_IDS) {
      this.emitSafely('routeResponse', publicKey, 0);
      return;
    }
    const slot = connectionId - NUM_RESERVED_IDS;
    if (this.routes[slot]) return;
    const id = keyId(publicKey);
    this.routes[slot] = { publicKey, keyId: id, online: false };
    this.slotByKey.set(id, slot);
    this.emitSafely('routeResponse', publicKey, connectionId);
  }

  private tick(now: number): void {
    if (this.phase.kind === 'established') {
      if (now - this.lastPinged >= (this.options.pingIntervalMs ?? PING_INTERVAL_MS)) this.ping();
      if (this.pingId !== 0n && now - this.lastPinged >= (this.options.pongTimeoutMs ?? PONG_TIMEOUT_MS)) this.finish('pongTimeout');
    } else if (now >= this.deadline) {
      this.finish('handshakeTimeout');
    }
  }

  private sendControl(plain: Uint8Array): SendResult {
    if (this.phase.kind !== 'established') return 'closed';
    const result = this.phase.link.send(plain, true);
    if (result === 'overflow') this.finish('queueOverflow');
    return result;
  }

  private sendOrdinary(plain: Uint8Array): SendResult {
    if (this.phase.kind !== 'established') return 'closed';
    const result = this.phase.link.send(plain, false);
    if (result === 'congested') this.wantDrain = true;
    return result;
  }

  private slotOf(connectionId: number): number {
    if (!Number.isInteger(connectionId) || connectionId < NUM_RESERVED_IDS || connectionId >= NUM_RESERVED_IDS + MAX_ROUTES_PER_CLIENT) {
      throw new InvalidArgumentError(`connection ids are 16..255, got ${connectionId}`);
    }
    return connectionId - NUM_RESERVED_IDS;
  }

  private fail(reason: ClientCloseReason): false {
    this.finish(reason);
    return false;
  }

  private finish(reason: ClientCloseReason): void {
    const phase = this.phase;
    if (phase.kind === 'closed') return;
    this.phase = { kind: 'closed', reason };
    this.timer?.cancel();
    this.timer = undefined;
    this.abort?.abort();
    this.abort = undefined;
    if (phase.kind === 'established') phase.link.close();
    if ('socket' in phase) phase.socket.destroy();
    if (phase.kind !== 'idle') this.emitSafely('status', 'disconnected', reason);
  }

  /** Emits without letting a listener's exception unwind into the socket handler. */
  private emitSafely<K extends keyof TcpClientEvents>(event: K, ...args: Parameters<TcpClientEvents[K]>): void {
    try {
      (this.emit as (e: K, ...a: Parameters<TcpClientEvents[K]>) => boolean)(event, ...args);
    } catch (err) {
      this.stats.listenerErrors++;
      this.deps.log.warn('tcp relay client listener failed', { event, error: err instanceof Error ? err.message : String(err) });
    }
  }
}
