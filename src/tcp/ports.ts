/**
 * The TCP layer's ports (architecture C2). `OnionForwarder` is what the relay
 * server needs from the onion layer; `PeerRelayPort` and `OnionRelayPort` are
 * what the client side offers net_crypto/friend_connection and the onion
 * client. runtime/ wires them; siblings never import each other.
 */
import type { DhtPublicKey } from '../crypto/index.js';
import type { IpPort } from '../net/index.js';
import type { OnionRequest } from './wire/packets.js';

/** A relay as config, profiles and share-relays packets name it (a TCP PackedNode fits). */
export interface RelayInfo {
  readonly address: IpPort;
  readonly publicKey: DhtPublicKey;
}

/** Size of the opaque token that routes an onion response back to a relay client. */
export const ONION_RETURN_TOKEN_SIZE = 16;

/**
 * Implemented by the onion layer for the relay server: run a TCP client's onion
 * request (packet 8) as if it were a decrypted 0x80 (send 0x81 to `nextHop` over
 * UDP), storing `returnToken` (16 bytes) in the return path under the
 * "TCP client" pseudo family. When the matching response comes back, the onion
 * layer calls `TcpRelayServer.deliverOnionResponse(returnToken, payload)`.
 */
export interface OnionForwarder {
  forwardOnionRequest(request: OnionRequest, returnToken: Uint8Array): void;
}

/** How a peer is reachable through relays: online (routed data), registered (OOB only) or not at all. */
export type PeerRelayStatus = 'none' | 'registered' | 'online';

export type PeerSendResult = 'sent' | 'congested' | 'unreachable';

export interface PeerRelayEvents {
  /** A packet from a peer we track, by routed data or OOB (which counts as data from a tracked peer). */
  peerPacket: (peer: DhtPublicKey, packet: Uint8Array, relay: DhtPublicKey) => void;
  /** OOB data from a key we do not track (e.g. a net_crypto handshake from a new friend). */
  oobPacket: (sender: DhtPublicKey, data: Uint8Array, relay: DhtPublicKey) => void;
  peerStatus: (peer: DhtPublicKey, status: PeerRelayStatus) => void;
}

/** Offered to net_crypto and friend_connection: reach peers, keyed by their DHT key, through relays. */
export interface PeerRelayPort {
  addPeer(peer: DhtPublicKey): void;
  removePeer(peer: DhtPublicKey): void;
  /** Ties a relay (e.g. from a share-relays packet) to a peer; false if the peer has enough relays. */
  addPeerRelay(peer: DhtPublicKey, relay: RelayInfo): boolean;
  peerStatus(peer: DhtPublicKey): PeerRelayStatus;
  /** Routed data through the first online relay, else OOB (≤ 1024 bytes) through every registered one. */
  sendToPeer(peer: DhtPublicKey, packet: Uint8Array): PeerSendResult;
  /** OOB through one relay to any key connected there. */
  sendOob(relay: DhtPublicKey, destination: DhtPublicKey, data: Uint8Array): boolean;
  /** Up to `max` confirmed relays, for share-relays packets and the saved profile. */
  connectedRelays(max: number): RelayInfo[];
  /** Attaches listeners; returns the function that detaches them. */
  subscribePeers(listeners: Partial<PeerRelayEvents>): () => void;
}

export interface OnionRelayEvents {
  onionResponse: (payload: Uint8Array, relay: DhtPublicKey) => void;
}

/** Offered to the onion client: relays act as the first hop of onion paths (§4.9). */
export interface OnionRelayPort {
  /** Flag up to 3 confirmed relays for onion use (c-toxcore does when the DHT has no non-LAN node). */
  setOnionEnabled(enabled: boolean): void;
  onionRelays(): RelayInfo[];
  sendOnionRequest(relay: DhtPublicKey, request: OnionRequest): boolean;
  /** Attaches listeners; returns the function that detaches them. */
  subscribeOnion(listeners: Partial<OnionRelayEvents>): () => void;
}
