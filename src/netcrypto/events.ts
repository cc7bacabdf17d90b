/** The typed surface of the net_crypto engine: events, admission of incoming connections, send results. */
import type { DhtPublicKey, LongTermPublicKey } from '../crypto/index.js';
import type { IpPort } from '../net/index.js';
import type { RelayId } from './ports.js';

export type DisconnectReason =
  /** The peer sent a kill packet. */
  | 'killedByPeer'
  /** `killConnection` (or a replaced connection). */
  | 'local'
  /** Cookie request or handshake sent MAX_HANDSHAKE_SENDS times without progress. */
  | 'handshakeTimeout'
  /** Established, but nothing valid received for `establishedTimeoutMs`. */
  | 'idleTimeout'
  /** The peer shows up with another DHT key: this connection is dropped for a new one. */
  | 'dhtKeyChanged'
  /** The engine stopped. */
  | 'stopped';

export interface DisconnectInfo {
  readonly reason: DisconnectReason;
  /** Whether the connection had been established (false: it died while connecting). */
  readonly wasConnected: boolean;
}

export interface NetCryptoEvents {
  connected: (peer: LongTermPublicKey) => void;
  /** Every connection end, established or not. */
  disconnected: (peer: LongTermPublicKey, info: DisconnectInfo) => void;
  /** A lossless packet, in order: its id (16..191) and the bytes after the id. */
  lossless: (peer: LongTermPublicKey, id: number, payload: Uint8Array) => void;
  /** A lossy packet (id 192..254) as it came: unordered, possibly duplicated. */
  lossy: (peer: LongTermPublicKey, id: number, payload: Uint8Array) => void;
  /** The peer acknowledged every lossless packet numbered below `below` (u32, wrapping). */
  delivered: (peer: LongTermPublicKey, below: number) => void;
  /** A handshake from the peer carried a DHT key other than the one we used. */
  dhtKeyChanged: (peer: LongTermPublicKey, dhtPk: DhtPublicKey) => void;
}

/** Where a packet came from: a UDP address or a TCP relay. */
export type PacketSource = { readonly kind: 'udp'; readonly address: IpPort } | { readonly kind: 'tcp'; readonly relay: RelayId };

export interface IncomingConnection {
  readonly peer: LongTermPublicKey;
  readonly dhtPk: DhtPublicKey;
  readonly source: PacketSource;
}

/** Decides whether an unsolicited handshake becomes a connection (friend_connection's job). */
export type AdmissionHook = (incoming: IncomingConnection) => boolean;

export type SendFailure = 'NOT_CONNECTED' | 'QUEUE_FULL';

export type SendResult = { readonly ok: true; readonly packetNumber: number } | { readonly ok: false; readonly reason: SendFailure };
