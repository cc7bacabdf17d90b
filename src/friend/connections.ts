/**
 * friend_connection (tox-protocol.md §7.1): one connection per peer real key,
 * shared by its holders (a Messenger friend, conference peers) through
 * reference counts. It registers the peer with the onion client (search),
 * takes its DHT key from the onion (DHT-PK), from a holder or from an
 * incoming handshake, searches the DHT for its address, keeps a net_crypto
 * connection open to it (net_crypto re-opens it whenever it dies) while its DHT
 * key is fresh (122 s after it was learned or the peer went offline), attaches
 * the TCP relays the peer shares, sends ALIVE every 8 s and kills the
 * connection after 32 s of silence, shares our relays every 120 s, and hands
 * every other packet to its listeners. Untrusted input is counted and dropped.
 */
import { EventEmitter } from 'eventemitter3';
import { InvalidArgumentError, type Logger, type Scheduler, type TimerHandle } from '../base/index.js';
import { keyId, keysEqual, type DhtPublicKey, type LongTermPublicKey } from '../crypto/index.js';
import type { Dht } from '../dht/index.js';
import type { PackedNode } from '../net/index.js';
import type { DisconnectInfo, NetCrypto, SendResult } from '../netcrypto/index.js';
import type { OnionClient } from '../onion/index.js';
import type { RelayInfo } from '../tcp/index.js';
import {
  ALIVE_INTERVAL_MS,
  ALIVE_TIMEOUT_MS,
  FRIEND_DHT_TIMEOUT_MS,
  FRIEND_PACKET_ID,
  FRIEND_TICK_MS,
  MAX_SHARED_RELAYS,
  SHARE_RELAYS_INTERVAL_MS,
} from './constants.js';
import { DirectFriendRequest, ShareRelays } from './wire.js';

/** What friend_connection needs from the TCP relay manager (src/tcp's `TcpConnections`). */
export interface FriendRelayPort {
  addPeerRelay(peerDhtPk: DhtPublicKey, relay: RelayInfo): boolean;
  connectedRelays(max: number): RelayInfo[];
}

export interface FriendConnectionsDeps {
  scheduler: Scheduler;
  log: Logger;
  netCrypto: NetCrypto;
  onion: OnionClient;
  dht: Dht;
  tcp?: FriendRelayPort;
}

export interface FriendConnectionsOptions {
  tickIntervalMs?: number;
  aliveIntervalMs?: number;
  aliveTimeoutMs?: number;
}

export interface FriendConnectionsEvents {
  /** The connection to `peer` came up or went down. */
  status: (peer: LongTermPublicKey, online: boolean) => void;
  /** A lossless packet other than friend_connection's own (id 16..191 minus 16..18), in order. */
  lossless: (peer: LongTermPublicKey, id: number, payload: Uint8Array) => void;
  /** A lossy packet (id 192..254), unordered and possibly duplicated. */
  lossy: (peer: LongTermPublicKey, id: number, payload: Uint8Array) => void;
  /** The peer acknowledged every lossless packet numbered below `below`. */
  delivered: (peer: LongTermPublicKey, below: number) => void;
  /** A friend request (0x12) over the connection; the friend-request filter decides on it. */
  friendRequest: (peer: LongTermPublicKey, nospam: Uint8Array, message: Uint8Array) => void;
}

export type FriendDropReason = 'malformedShareRelays' | 'malformedFriendRequest';

/** Relays we remember per peer (c-toxcore keeps up to 6). */
const MAX_PEER_RELAYS = 6;

class PeerConnection {
  readonly id: string;
  holders = 1;
  dhtPk: DhtPublicKey | undefined;
  dhtToken: number | undefined;
  /** When `dhtPk` was learned, or the peer last went offline (the key's 122 s validity starts there). */
  dhtPkAt = 0;
  online = false;
  lastReceived = 0;
  lastAliveSent = 0;
  lastSharedRelays = 0;
  readonly relays: RelayInfo[] = [];

  constructor(readonly peer: LongTermPublicKey) {
    this.id = keyId(peer);
  }
}

export class FriendConnections extends EventEmitter<FriendConnectionsEvents> {
  readonly drops = new Map<FriendDropReason, number>();
  private readonly log: Logger;
  private readonly peers = new Map<string, PeerConnection>();
  private readonly detach: Array<() => void> = [];
  private timer: TimerHandle | undefined;
  private readonly tickMs: number;
  private readonly aliveMs: number;
  private readonly timeoutMs: number;

  constructor(
    private readonly deps: FriendConnectionsDeps,
    options: FriendConnectionsOptions = {},
  ) {
    super();
    this.log = deps.log.child({ layer: 'friend' });
    this.tickMs = options.tickIntervalMs ?? FRIEND_TICK_MS;
    this.aliveMs = options.aliveIntervalMs ?? ALIVE_INTERVAL_MS;
    this.timeoutMs = options.aliveTimeoutMs ?? ALIVE_TIMEOUT_MS;
  }

  // ------------------------------------------------------------------ lifecycle

  start(): void {
    if (this.timer) return;
    const { netCrypto, onion } = this.deps;
    const connected = (peer: LongTermPublicKey): void => this.onConnected(peer);
    const disconnected = (peer: LongTermPublicKey, info: DisconnectInfo): void => this.onDisconnected(peer, info);
    const lossless = (peer: LongTermPublicKey, id: number, payload: Uint8Array): void => this.onLossless(peer, id, payload);
    const lossy = (peer: LongTermPublicKey, id: number, payload: Uint8Array): void => this.onLossy(peer, id, payload);
    const delivered = (peer: LongTermPublicKey, below: number): void => {
      if (this.peers.has(keyId(peer))) this.emit('delivered', peer, below);
    };
    const keyChanged = (peer: LongTermPublicKey, dhtPk: DhtPublicKey): void => this.learnDhtKey(peer, dhtPk, [], false);
    const onionKey = (peer: LongTermPublicKey, dhtPk: DhtPublicKey, nodes: readonly PackedNode[]): void => this.learnDhtKey(peer, dhtPk, nodes, true);
    netCrypto.on('connected', connected).on('disconnected', disconnected).on('lossless', lossless).on('lossy', lossy);
    netCrypto.on('delivered', delivered).on('dhtKeyChanged', keyChanged);
    onion.on('friendDhtKey', onionKey);
    this.detach.push(() => {
      netCrypto.off('connected', connected).off('disconnected', disconnected).off('lossless', lossless).off('lossy', lossy);
      netCrypto.off('delivered', delivered).off('dhtKeyChanged', keyChanged);
      onion.off('friendDhtKey', onionKey);
    });
    netCrypto.onNewConnection = (incoming) => this.peers.has(keyId(incoming.peer));
    this.timer = this.deps.scheduler.every(this.tickMs, (now) => this.tick(now));
  }

  stop(): void {
    if (!this.timer) return;
    this.timer.cancel();
    this.timer = undefined;
    for (const fn of this.detach.splice(0)) fn();
    this.deps.netCrypto.onNewConnection = undefined;
    for (const conn of this.peers.values()) this.setOffline(conn);
  }

  // ------------------------------------------------------------------ holders

  /**
   * Takes a reference to the connection to `peer`, creating it when none
   * exists; `dhtPk` (a conference peer list's, a saved one) is used until a
   * fresher key arrives. Returns true when the connection was created.
   */
  acquire(peer: LongTermPublicKey, dhtPk?: DhtPublicKey): boolean {
    if (keysEqual(peer, this.deps.netCrypto.publicKey)) throw new InvalidArgumentError('cannot open a friend connection to our own key');
    const existing = this.peers.get(keyId(peer));
    if (existing) {
      existing.holders++;
      return false;
    }
    const conn = new PeerConnection(peer);
    this.peers.set(conn.id, conn);
    this.deps.onion.addFriend(peer);
    const known = this.deps.onion.friendDhtKey(peer) ?? dhtPk;
    if (known) this.learnDhtKey(peer, known, [], false);
    return true;
  }

  /** Drops one reference; the last one ends the connection and the searches. */
  release(peer: LongTermPublicKey): boolean {
    const conn = this.peers.get(keyId(peer));
    if (!conn) return false;
    if (--conn.holders > 0) return false;
    this.peers.delete(conn.id);
    this.deps.netCrypto.killConnection(peer);
    this.deps.onion.removeFriend(peer);
    if (conn.dhtPk && conn.dhtToken !== undefined) this.deps.dht.removeFriend(conn.dhtPk, conn.dhtToken);
    this.setOffline(conn);
    return true;
  }

  has(peer: LongTermPublicKey): boolean {
    return this.peers.has(keyId(peer));
  }

  isOnline(peer: LongTermPublicKey): boolean {
    return this.peers.get(keyId(peer))?.online ?? false;
  }

  dhtPublicKeyOf(peer: LongTermPublicKey): DhtPublicKey | undefined {
    return this.peers.get(keyId(peer))?.dhtPk;
  }

  /** How the peer is reached right now: none, direct UDP or through a relay. */
  transportOf(peer: LongTermPublicKey): 'none' | 'udp' | 'tcp' {
    if (!this.isOnline(peer)) return 'none';
    return this.deps.netCrypto.connectionInfo(peer)?.directUdp ? 'udp' : 'tcp';
  }

  /** A TCP relay the peer can be reached through (from the profile or a share). */
  addRelay(peer: LongTermPublicKey, relay: RelayInfo): void {
    const conn = this.peers.get(keyId(peer));
    if (!conn || conn.relays.some((r) => keysEqual(r.publicKey, relay.publicKey))) return;
    if (conn.relays.length >= MAX_PEER_RELAYS) conn.relays.shift();
    conn.relays.push(relay);
    if (conn.dhtPk) this.deps.tcp?.addPeerRelay(conn.dhtPk, relay);
  }

  // ------------------------------------------------------------------ sending

  /** A lossless packet (id first) on an online connection. */
  sendLossless(peer: LongTermPublicKey, packet: Uint8Array): SendResult {
    if (!this.isOnline(peer)) return { ok: false, reason: 'NOT_CONNECTED' };
    return this.deps.netCrypto.sendLossless(peer, packet);
  }

  sendLossy(peer: LongTermPublicKey, packet: Uint8Array): boolean {
    return this.isOnline(peer) && this.deps.netCrypto.sendLossy(peer, packet);
  }

  isDelivered(peer: LongTermPublicKey, packetNumber: number): boolean {
    return this.deps.netCrypto.isDelivered(peer, packetNumber);
  }

  /** Free send-queue room toward `peer` (for flow control above). */
  sendQueueRoom(peer: LongTermPublicKey): number {
    return this.isOnline(peer) ? this.deps.netCrypto.sendQueueRoom(peer) : 0;
  }

  /** A friend request over the online connection (0x12); false if not online or refused. */
  sendFriendRequest(peer: LongTermPublicKey, nospam: Uint8Array, message: Uint8Array): boolean {
    return this.sendLossless(peer, DirectFriendRequest.encode({ nospam, message })).ok;
  }

  // ------------------------------------------------------------------ events from below

  /** A DHT key for `peer` from the onion, a handshake or a holder; a changed key restarts the connection. */
  private learnDhtKey(peer: LongTermPublicKey, dhtPk: DhtPublicKey, nodes: readonly PackedNode[], fromOnion: boolean): void {
    const conn = this.peers.get(keyId(peer));
    if (!conn) return;
    if (!conn.dhtPk || !keysEqual(conn.dhtPk, dhtPk)) {
      const old = conn.dhtPk;
      if (old && conn.dhtToken !== undefined) this.deps.dht.removeFriend(old, conn.dhtToken);
      conn.dhtPk = dhtPk;
      conn.dhtPkAt = this.deps.scheduler.now();
      conn.dhtToken = undefined;
      if (!keysEqual(dhtPk, this.deps.dht.publicKey)) {
        conn.dhtToken = this.deps.dht.addFriend(dhtPk, (address) => this.deps.netCrypto.setDirectEndpoint(peer, address, true));
      }
      // A different key from the onion means the peer restarted: the old connection is dead.
      const current = this.deps.netCrypto.connectionInfo(peer)?.dhtPk;
      if (fromOnion && current && !keysEqual(current, dhtPk)) this.deps.netCrypto.killConnection(peer);
      const ip = this.deps.dht.getFriendIp(dhtPk);
      this.deps.netCrypto.connect(peer, dhtPk, ip ? [ip] : [], { reconnect: true });
      if (!fromOnion) this.deps.onion.setFriendDhtKey(peer, dhtPk);
      if (this.log.enabled('debug')) this.log.debug('friend DHT key', { peer: conn.id, changed: old !== undefined, fromOnion });
    }
    for (const node of nodes) if (node.transport === 'tcp') this.addRelay(peer, { address: node.address, publicKey: node.publicKey as DhtPublicKey });
    for (const relay of conn.relays) this.deps.tcp?.addPeerRelay(dhtPk, relay);
  }

  private onConnected(peer: LongTermPublicKey): void {
    const conn = this.peers.get(keyId(peer));
    if (!conn) return;
    const info = this.deps.netCrypto.connectionInfo(peer);
    if (info && (!conn.dhtPk || !keysEqual(conn.dhtPk, info.dhtPk))) this.learnDhtKey(peer, info.dhtPk, [], false);
    const now = this.deps.scheduler.now();
    conn.online = true;
    conn.lastReceived = now;
    conn.lastAliveSent = now;
    this.deps.onion.setFriendOnline(peer, true);
    this.shareRelays(conn, now);
    this.emit('status', peer, true);
  }

  private onDisconnected(peer: LongTermPublicKey, info: DisconnectInfo): void {
    const conn = this.peers.get(keyId(peer));
    if (!conn) return;
    if (this.log.enabled('debug')) this.log.debug('friend connection down', { peer: conn.id, reason: info.reason });
    this.setOffline(conn);
  }

  private setOffline(conn: PeerConnection): void {
    if (!conn.online) return;
    conn.online = false;
    conn.dhtPkAt = this.deps.scheduler.now();
    this.deps.onion.setFriendOnline(conn.peer, false);
    this.emit('status', conn.peer, false);
  }

  private onLossless(peer: LongTermPublicKey, id: number, payload: Uint8Array): void {
    const conn = this.peers.get(keyId(peer));
    if (!conn) return;
    conn.lastReceived = this.deps.scheduler.now();
    if (id === FRIEND_PACKET_ID.alive) return;
    if (id === FRIEND_PACKET_ID.shareRelays) return this.onShareRelays(conn, payload);
    if (id === FRIEND_PACKET_ID.friendRequest) {
      const packet = DirectFriendRequest.tryDecode(withId(id, payload));
      if (!packet.ok) return this.drop('malformedFriendRequest');
      this.emit('friendRequest', peer, packet.value.nospam, packet.value.message);
      return;
    }
    this.emit('lossless', peer, id, payload);
  }

  private onLossy(peer: LongTermPublicKey, id: number, payload: Uint8Array): void {
    const conn = this.peers.get(keyId(peer));
    if (!conn) return;
    conn.lastReceived = this.deps.scheduler.now();
    this.emit('lossy', peer, id, payload);
  }

  /** c-toxcore: a relay on a LAN address whose key is the peer's DHT key is hosted by the peer itself, at its real IP. */
  private onShareRelays(conn: PeerConnection, payload: Uint8Array): void {
    const packet = ShareRelays.tryDecode(withId(FRIEND_PACKET_ID.shareRelays, payload));
    if (!packet.ok) return this.drop('malformedShareRelays');
    const endpoint = this.deps.netCrypto.connectionInfo(conn.peer)?.endpoint;
    for (const node of packet.value.nodes) {
      if (node.transport !== 'tcp') continue;
      let address = node.address;
      if (endpoint && conn.dhtPk && keysEqual(node.publicKey, conn.dhtPk) && isLoopback(address.ip)) address = { ...address, ip: endpoint.ip, family: endpoint.family };
      this.addRelay(conn.peer, { address, publicKey: node.publicKey as DhtPublicKey });
    }
  }

  private shareRelays(conn: PeerConnection, now: number): void {
    conn.lastSharedRelays = now;
    const relays = this.deps.tcp?.connectedRelays(MAX_SHARED_RELAYS) ?? [];
    if (relays.length === 0) return;
    const nodes: PackedNode[] = relays.map((r) => ({ transport: 'tcp', address: r.address, publicKey: r.publicKey }));
    this.deps.netCrypto.sendLossless(conn.peer, ShareRelays.encode({ nodes }));
  }

  // ------------------------------------------------------------------ timers

  private tick(now: number): void {
    for (const conn of this.peers.values()) {
      if (!conn.online) {
        if (conn.dhtPk && now - conn.dhtPkAt >= FRIEND_DHT_TIMEOUT_MS) {
          this.forgetDhtKey(conn);
          continue;
        }
        if (conn.dhtPk) {
          const ip = this.deps.dht.getFriendIp(conn.dhtPk);
          if (ip) this.deps.netCrypto.setDirectEndpoint(conn.peer, ip);
          for (const relay of conn.relays) this.deps.tcp?.addPeerRelay(conn.dhtPk, relay);
        }
        continue;
      }
      if (now - conn.lastReceived > this.timeoutMs) {
        // Dead: kill it (the friend goes offline) and keep wanting it.
        const dhtPk = conn.dhtPk;
        this.deps.netCrypto.killConnection(conn.peer);
        this.setOffline(conn);
        if (dhtPk) this.deps.netCrypto.connect(conn.peer, dhtPk, [], { reconnect: true });
        continue;
      }
      if (now - conn.lastAliveSent >= this.aliveMs) {
        conn.lastAliveSent = now;
        this.deps.netCrypto.sendLossless(conn.peer, Uint8Array.of(FRIEND_PACKET_ID.alive));
      }
      if (now - conn.lastSharedRelays >= SHARE_RELAYS_INTERVAL_MS) this.shareRelays(conn, now);
    }
  }

  /** c-toxcore's FRIEND_DHT_TIMEOUT: an offline peer's old DHT key is dropped and the connection attempts stop. */
  private forgetDhtKey(conn: PeerConnection): void {
    if (conn.dhtPk && conn.dhtToken !== undefined) this.deps.dht.removeFriend(conn.dhtPk, conn.dhtToken);
    conn.dhtPk = undefined;
    conn.dhtToken = undefined;
    this.deps.netCrypto.killConnection(conn.peer);
    if (this.log.enabled('debug')) this.log.debug('friend DHT key expired', { peer: conn.id });
  }

  private drop(reason: FriendDropReason): void {
    this.drops.set(reason, (this.drops.get(reason) ?? 0) + 1);
    if (this.log.enabled('debug')) this.log.debug('dropped friend_connection packet', { reason });
  }
}

function withId(id: number, payload: Uint8Array): Uint8Array {
  const out = new Uint8Array(payload.length + 1);
  out[0] = id;
  out.set(payload, 1);
  return out;
}

function isLoopback(ip: string): boolean {
  return ip.startsWith('127.') || ip === '::1';
}
