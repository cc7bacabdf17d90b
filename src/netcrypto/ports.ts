/**
 * What net_crypto needs from its neighbours, declared here so it imports
 * neither the DHT nor a concrete TCP client (the runtime wires both):
 * our DHT key pair with its shared-key cache, a UDP send function, and the
 * TCP relay transport (c-toxcore's TCP_connections as seen from net_crypto).
 */
import type { Clock } from '../base/index.js';
import { SharedKeyCache, type DhtKeyPair, type DhtPublicKey, type SharedKey } from '../crypto/index.js';
import type { IpPort } from '../net/index.js';

/** Our current DHT key pair: cookie requests go out under it (the DHT engine implements this). */
export interface DhtKeys {
  readonly publicKey: DhtPublicKey;
  /** beforenm(peer DHT pk, our DHT sk), cached. */
  sharedKey(peerDhtPk: DhtPublicKey): SharedKey;
}

/** Hands a datagram to the UDP socket; false if the socket refused it. */
export type UdpSend = (to: IpPort, packet: Uint8Array) => boolean;

/** A TCP relay, named by its public key (as the TCP layer names them). */
export type RelayId = DhtPublicKey;

/** How a peer is reachable through relays: online (routed data), registered (out-of-band only) or not at all. */
export type RelayReach = 'none' | 'registered' | 'online';

export interface TcpPeerListeners {
  /** A packet from a peer we track: routed data, or out-of-band from its key. */
  peerPacket: (peerDhtPk: DhtPublicKey, packet: Uint8Array, relay: RelayId) => void;
  /** Out-of-band data from a key we do not track (a handshake from a new peer, a cookie request). */
  oobPacket: (senderDhtPk: DhtPublicKey, packet: Uint8Array, relay: RelayId) => void;
}

/**
 * The relay side of c-toxcore's TCP_connections as net_crypto uses it, peers
 * named by their DHT keys: `new_tcp_connection_to`/`kill_tcp_connection_to`
 * are `addPeer`/`removePeer`, `send_packet_tcp_connection` is `sendToPeer`
 * (routed through an online relay, else out-of-band through registered ones).
 * src/tcp's `TcpConnections` (its `PeerRelayPort`) has this shape.
 */
export interface TcpTransport {
  addPeer(peerDhtPk: DhtPublicKey): void;
  removePeer(peerDhtPk: DhtPublicKey): void;
  peerStatus(peerDhtPk: DhtPublicKey): RelayReach;
  sendToPeer(peerDhtPk: DhtPublicKey, packet: Uint8Array): 'sent' | 'congested' | 'unreachable';
  sendOob(relay: RelayId, destination: DhtPublicKey, packet: Uint8Array): boolean;
  /** Attaches listeners; returns the function that detaches them. */
  subscribePeers(listeners: Partial<TcpPeerListeners>): () => void;
}

/** DhtKeys over a fixed key pair (tests, benches, or a node without a DHT). */
export function staticDhtKeys(keyPair: DhtKeyPair, clock: Clock): DhtKeys {
  const cache = new SharedKeyCache(keyPair.secretKey, clock);
  return { publicKey: keyPair.publicKey, sharedKey: (peer) => cache.get(peer) };
}
