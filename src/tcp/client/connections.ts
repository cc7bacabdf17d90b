/**
 * TcpConnections (tox-protocol.md §6.4, c-toxcore TCP_connection.c): the set of
 * relay connections of one node and the peers (by DHT key) reached through
 * them. Relays come from config or the profile (`addRelay`) and from peers'
 * share-relays packets (`addPeerRelay`); each peer is tied to at most 6 relays
 * and new relays are only opened for it below 3 online. Confirmed relays get a
 * routing request per tied peer; sends go through the first online relay, else
 * OOB through every registered one. Lost relays reconnect with exponential
 * backoff while something still wants them; with more than 3 relays up, unused
 * ones are closed after 10 s and reopened on demand. Up to 3 relays carry onion
 * traffic when enabled. Implements the PeerRelayPort and OnionRelayPort.
 */
import { EventEmitter } from 'eventemitter3';
import type { Logger, Random, Scheduler, TimerHandle } from '../../base/index.js';
import { InvalidArgumentError, InvalidStateError } from '../../base/index.js';
import { keyId, type DhtKeyPair, type DhtPublicKey } from '../../crypto/index.js';
import type { NetStack } from '../../net/index.js';
import {
  MAX_OOB_DATA_SIZE,
  MAX_PACKET_SIZE,
  MAX_RELAYS_PER_PEER,
  ONION_RELAYS,
  RECOMMENDED_RELAYS_PER_PEER,
  TICK_INTERVAL_MS,
  UNUSED_RELAY_TIMEOUT_MS,
} from '../constants.js';
import type {
  OnionRelayEvents,
  OnionRelayPort,
  PeerRelayEvents,
  PeerRelayPort,
  PeerRelayStatus,
  PeerSendResult,
  RelayInfo,
} from '../ports.js';
import type { OnionRequest } from '../wire/packets.js';
import { TcpRelayClient, type TcpClientStatus, type TcpRelayClientOptions } from './client.js';
import type { ProxyConfig } from './proxy.js';

export interface TcpConnectionsEvents extends PeerRelayEvents, OnionRelayEvents {
  relayStatus: (relay: DhtPublicKey, status: TcpClientStatus) => void;
}

export interface TcpConnectionsDeps {
  readonly net: NetStack;
  readonly scheduler: Scheduler;
  readonly random: Random;
  readonly log: Logger;
}

export interface TcpConnectionsOptions {
  readonly keyPair: DhtKeyPair;
  readonly proxy?: ProxyConfig;
  /** Relays known at most (default 32); addRelay refuses more. */
  readonly maxRelays?: number;
  /** First reconnect delay (default 1 s), doubled per failure up to `reconnectMaxMs` (default 60 s). */
  readonly reconnectBaseMs?: number;
  readonly reconnectMaxMs?: number;
  /** Timer and queue settings handed to every relay client (tests shorten them). */
  readonly client?: Omit<TcpRelayClientOptions, 'relay' | 'keyPair' | 'proxy'>;
}

type RelayState = 'connecting' | 'confirmed' | 'waiting' | 'idle';

interface RelayEntry {
  readonly info: RelayInfo;
  readonly id: string;
  client: TcpRelayClient | undefined;
  state: RelayState;
  failures: number;
  retryAt: number;
  confirmedAt: number;
  onion: boolean;
  /** Added by addRelay (config, profile): kept and retried even when no peer uses it. */
  readonly sticky: boolean;
  readonly peers: Set<string>;
}

interface PeerTie {
  status: PeerRelayStatus;
  connectionId: number;
}

interface PeerEntry {
  readonly publicKey: DhtPublicKey;
  readonly id: string;
  /** Relay id → our state on that relay, in the order the relays were tied. */
  readonly relays: Map<string, PeerTie>;
  status: PeerRelayStatus;
}

export interface RelaySummary {
  readonly info: RelayInfo;
  readonly state: RelayState;
  readonly onion: boolean;
  readonly peers: number;
  readonly failures: number;
}

export class TcpConnections extends EventEmitter<TcpConnectionsEvents> implements PeerRelayPort, OnionRelayPort {
  private readonly relays = new Map<string, RelayEntry>();
  private readonly peers = new Map<string, PeerEntry>();
  private running = false;
  private onionEnabled = false;
  private timer: TimerHandle | undefined;

  constructor(
    private readonly deps: TcpConnectionsDeps,
    private readonly options: TcpConnectionsOptions,
  ) {
    super();
  }

  start(): void {
    if (this.running) throw new InvalidStateError('TcpConnections already started');
    this.running = true;
    this.timer = this.deps.scheduler.every(TICK_INTERVAL_MS, (now) => this.tick(now));
    for (const relay of this.relays.values()) if (this.wanted(relay)) this.open(relay);
  }

  /** Closes every relay connection; no timer or socket is left. */
  stop(): void {
    if (!this.running) return;
    this.running = false;
    this.timer?.cancel();
    this.timer = undefined;
    for (const relay of this.relays.values()) {
      this.shut(relay, 'waiting');
      relay.failures = 0;
      relay.retryAt = 0;
    }
  }

  subscribePeers(listeners: Partial<PeerRelayEvents>): () => void {
    return this.subscribe(listeners);
  }

  subscribeOnion(listeners: Partial<OnionRelayEvents>): () => void {
    return this.subscribe(listeners);
  }

  private subscribe(listeners: Partial<TcpConnectionsEvents>): () => void {
    const entries = Object.entries(listeners) as Array<[keyof TcpConnectionsEvents, (...args: never[]) => void]>;
    for (const [event, listener] of entries) this.on(event, listener as never);
    return () => {
      for (const [event, listener] of entries) this.off(event, listener as never);
    };
  }

  // ---------------------------------------------------------------- relays

  /** A relay from config or the profile; false if already known or the set is full. */
  addRelay(info: RelayInfo): boolean {
    const id = keyId(info.publicKey);
    if (this.relays.has(id)) return false;
    return this.createRelay(info, true) !== undefined;
  }

  /** Forgets a relay: closes it and unties its peers. */
  removeRelay(publicKey: DhtPublicKey): boolean {
    const relay = this.relays.get(keyId(publicKey));
    if (!relay) return false;
    this.shut(relay, 'idle');
    for (const peerId of relay.peers) this.peers.get(peerId)?.relays.delete(relay.id);
    this.relays.delete(relay.id);
    for (const peerId of relay.peers) this.refreshPeer(this.peers.get(peerId));
    return true;
  }

  relayStatus(publicKey: DhtPublicKey): TcpClientStatus | undefined {
    return this.relays.get(keyId(publicKey))?.client?.status;
  }

  relaySummaries(): RelaySummary[] {
    return [...this.relays.values()].map((r) => ({ info: r.info, state: r.state, onion: r.onion, peers: r.peers.size, failures: r.failures }));
  }

  /** The relay client for a relay (for statistics and tests). */
  relayClient(publicKey: DhtPublicKey): TcpRelayClient | undefined {
    return this.relays.get(keyId(publicKey))?.client;
  }

  connectedRelays(max: number): RelayInfo[] {
    return [...this.relays.values()].filter((r) => r.state === 'confirmed').slice(0, Math.max(0, max)).map((r) => r.info);
  }

  sendOob(relay: DhtPublicKey, destination: DhtPublicKey, data: Uint8Array): boolean {
    const entry = this.relays.get(keyId(relay));
    return entry?.state === 'confirmed' && entry.client!.sendOob(destination, data) === 'sent';
  }

  // ---------------------------------------------------------------- peers

  addPeer(peer: DhtPublicKey): void {
    const id = keyId(peer);
    if (!this.peers.has(id)) this.peers.set(id, { publicKey: peer, id, relays: new Map(), status: 'none' });
  }

  removePeer(peer: DhtPublicKey): void {
    const entry = this.peers.get(keyId(peer));
    if (!entry) return;
    this.peers.delete(entry.id);
    for (const [relayId, tie] of entry.relays) {
      const relay = this.relays.get(relayId);
      if (!relay) continue;
      relay.peers.delete(entry.id);
      if (tie.connectionId !== 0 && relay.state === 'confirmed') relay.client!.disconnectRoute(tie.connectionId);
    }
  }

  addPeerRelay(peer: DhtPublicKey, info: RelayInfo): boolean {
    const entry = this.peers.get(keyId(peer));
    if (!entry) return false;
    const relayId = keyId(info.publicKey);
    if (entry.relays.has(relayId)) return true;
    if (entry.relays.size >= MAX_RELAYS_PER_PEER) return false;
    let relay = this.relays.get(relayId);
    if (!relay) {
      if (this.countTies(entry, 'online') >= RECOMMENDED_RELAYS_PER_PEER) return false;
      relay = this.createRelay(info, false);
      if (!relay) return false;
    }
    entry.relays.set(relayId, { status: 'none', connectionId: 0 });
    relay.peers.add(entry.id);
    if (relay.state === 'confirmed') relay.client!.routeRequest(entry.publicKey);
    else if (relay.state === 'idle' && this.running) this.open(relay);
    return true;
  }

  peerStatus(peer: DhtPublicKey): PeerRelayStatus {
    return this.peers.get(keyId(peer))?.status ?? 'none';
  }

  sendToPeer(peer: DhtPublicKey, packet: Uint8Array): PeerSendResult {
    if (packet.length === 0 || packet.length > MAX_PACKET_SIZE - 1) {
      throw new InvalidArgumentError(`a relayed packet is 1..${MAX_PACKET_SIZE - 1} bytes, got ${packet.length}`);
    }
    const entry = this.peers.get(keyId(peer));
    if (!entry) return 'unreachable';
    let congested = false;
    for (const [relayId, tie] of entry.relays) {
      if (tie.status !== 'online') continue;
      const result = this.relays.get(relayId)?.client?.sendData(tie.connectionId, packet);
      if (result === 'sent') return 'sent';
      if (result === 'congested') congested = true;
    }
    if (congested) return 'congested';
    if (packet.length > MAX_OOB_DATA_SIZE) return 'unreachable';
    let sent = false;
    for (const [relayId, tie] of entry.relays) {
      if (tie.status !== 'registered') continue;
      if (this.relays.get(relayId)?.client?.sendOob(entry.publicKey, packet) === 'sent') sent = true;
    }
    return sent ? 'sent' : 'unreachable';
  }

  // ---------------------------------------------------------------- onion

  setOnionEnabled(enabled: boolean): void {
    this.onionEnabled = enabled;
    if (enabled) this.assignOnionRelays();
    else for (const relay of this.relays.values()) relay.onion = false;
  }

  onionRelays(): RelayInfo[] {
    return [...this.relays.values()].filter((r) => r.onion && r.state === 'confirmed').map((r) => r.info);
  }

  sendOnionRequest(relay: DhtPublicKey, request: OnionRequest): boolean {
    const entry = this.relays.get(keyId(relay));
    return entry?.state === 'confirmed' && entry.client!.sendOnionRequest(request) === 'sent';
  }

  // ---------------------------------------------------------------- relay lifecycle

  private createRelay(info: RelayInfo, sticky: boolean): RelayEntry | undefined {
    if (this.relays.size >= (this.options.maxRelays ?? 32)) return undefined;
    const relay: RelayEntry = {
      info,
      id: keyId(info.publicKey),
      client: undefined,
      state: 'waiting',
      failures: 0,
      retryAt: 0,
      confirmedAt: 0,
      onion: false,
      sticky,
      peers: new Set(),
    };
    this.relays.set(relay.id, relay);
    if (this.running) this.open(relay);
    return relay;
  }

  private wanted(relay: RelayEntry): boolean {
    return relay.sticky || relay.peers.size > 0;
  }

  private open(relay: RelayEntry): void {
    const client = new TcpRelayClient(this.deps, {
      ...this.options.client,
      relay: relay.info,
      keyPair: this.options.keyPair,
      ...(this.options.proxy ? { proxy: this.options.proxy } : {}),
    });
    relay.client = client;
    relay.state = 'connecting';
    client.on('status', (status) => this.clientStatus(relay, client, status));
    client.on('routeResponse', (publicKey, connectionId) => this.routeResponse(relay, publicKey, connectionId));
    client.on('routeStatus', (connectionId, publicKey, online) => this.setTie(relay, publicKey, online ? 'online' : 'registered', connectionId));
    client.on('data', (_connectionId, publicKey, data) => {
      if (this.tieOf(relay, publicKey)) this.emit('peerPacket', publicKey, data, relay.info.publicKey);
    });
    client.on('oob', (sender, data) => {
      // A peer we track reached us through a relay we had not tied to it (it learned our relays,
      // we did not learn its): tie it, so our replies can be routed back (c-toxcore ties the relay
      // of an out-of-band handshake the same way).
      const peer = this.peers.get(keyId(sender));
      if (peer && !this.tieOf(relay, sender)) this.addPeerRelay(peer.publicKey, relay.info);
      if (this.tieOf(relay, sender)) this.emit('peerPacket', peer!.publicKey, data, relay.info.publicKey);
      else this.emit('oobPacket', sender, data, relay.info.publicKey);
    });
    client.on('onionResponse', (payload) => this.emit('onionResponse', payload, relay.info.publicKey));
    client.connect();
  }

  /** Closes a relay's client deliberately, leaving it in `state`. */
  private shut(relay: RelayEntry, state: RelayState): void {
    const client = relay.client;
    relay.client = undefined;
    relay.state = state;
    relay.onion = false;
    if (client) {
      client.removeAllListeners();
      client.close();
      this.lostRelay(relay);
    }
  }

  private clientStatus(relay: RelayEntry, client: TcpRelayClient, status: TcpClientStatus): void {
    if (relay.client !== client) return;
    if (status === 'confirmed') {
      relay.state = 'confirmed';
      relay.failures = 0;
      relay.confirmedAt = this.deps.scheduler.now();
      for (const peerId of relay.peers) client.routeRequest(this.peers.get(peerId)!.publicKey);
      if (this.onionEnabled) this.assignOnionRelays();
    } else if (status === 'disconnected') {
      client.removeAllListeners();
      relay.client = undefined;
      relay.onion = false;
      relay.failures++;
      relay.state = 'waiting';
      relay.retryAt = this.deps.scheduler.now() + this.backoff(relay.failures);
      this.lostRelay(relay);
      if (this.onionEnabled) this.assignOnionRelays();
    }
    this.emit('relayStatus', relay.info.publicKey, status);
  }

  /** Every peer tied to a relay that went away is neither registered nor online there any more. */
  private lostRelay(relay: RelayEntry): void {
    for (const peerId of relay.peers) {
      const peer = this.peers.get(peerId);
      const tie = peer?.relays.get(relay.id);
      if (!tie) continue;
      tie.status = 'none';
      tie.connectionId = 0;
      this.refreshPeer(peer);
    }
  }

  private backoff(failures: number): number {
    const base = this.options.reconnectBaseMs ?? 1_000;
    const max = this.options.reconnectMaxMs ?? 60_000;
    const delay = Math.min(max, base * 2 ** Math.min(failures - 1, 20));
    return delay + this.deps.random.int(Math.max(1, Math.floor(delay / 4)));
  }

  private tick(now: number): void {
    for (const relay of [...this.relays.values()]) {
      if (relay.state !== 'waiting' || relay.retryAt > now) continue;
      if (this.wanted(relay)) this.open(relay);
      else this.relays.delete(relay.id);
    }
    this.closeUnusedRelays(now);
  }

  /** c-toxcore's kill_nonused_tcp: above 3 confirmed relays, idle the unused ones after 10 s. */
  private closeUnusedRelays(now: number): void {
    const confirmed = [...this.relays.values()].filter((r) => r.state === 'confirmed');
    let excess = confirmed.length - RECOMMENDED_RELAYS_PER_PEER;
    for (const relay of confirmed) {
      if (excess <= 0) break;
      if (relay.onion || relay.peers.size > 0 || now - relay.confirmedAt < UNUSED_RELAY_TIMEOUT_MS) continue;
      this.shut(relay, 'idle');
      excess--;
    }
  }

  private assignOnionRelays(): void {
    let flagged = [...this.relays.values()].filter((r) => r.onion).length;
    for (const relay of this.relays.values()) {
      if (flagged >= ONION_RELAYS) return;
      if (relay.state === 'confirmed' && !relay.onion) {
        relay.onion = true;
        flagged++;
      }
    }
  }

  // ---------------------------------------------------------------- peer ties

  private tieOf(relay: RelayEntry, publicKey: Uint8Array): PeerTie | undefined {
    return this.peers.get(keyId(publicKey))?.relays.get(relay.id);
  }

  private routeResponse(relay: RelayEntry, publicKey: DhtPublicKey, connectionId: number): void {
    if (connectionId === 0) return;
    if (!this.tieOf(relay, publicKey)) {
      // Nobody wants this route (the peer was removed meanwhile): give the slot back.
      relay.client?.disconnectRoute(connectionId);
      return;
    }
    this.setTie(relay, publicKey, 'registered', connectionId);
  }

  private setTie(relay: RelayEntry, publicKey: DhtPublicKey, status: PeerRelayStatus, connectionId: number): void {
    const tie = this.tieOf(relay, publicKey);
    if (!tie) return;
    tie.status = status;
    tie.connectionId = connectionId;
    this.refreshPeer(this.peers.get(keyId(publicKey)));
  }

  private countTies(peer: PeerEntry, status: PeerRelayStatus): number {
    let n = 0;
    for (const tie of peer.relays.values()) if (tie.status === status) n++;
    return n;
  }

  private refreshPeer(peer: PeerEntry | undefined): void {
    if (!peer) return;
    const status: PeerRelayStatus = this.countTies(peer, 'online') > 0 ? 'online' : this.countTies(peer, 'registered') > 0 ? 'registered' : 'none';
    if (status === peer.status) return;
    peer.status = status;
    this.emit('peerStatus', peer.publicKey, status);
  }
}
