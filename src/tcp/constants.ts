/**
 * TCP relay sizes, timers and limits of c-toxcore 0.2.18 (tox-protocol.md §6,
 * §13; seed 002), in milliseconds where c-toxcore counts seconds.
 */
import { MAC_SIZE, NONCE_SIZE, PUBLIC_KEY_SIZE } from '../crypto/index.js';

/** Handshake plaintext: [32 temporary public key][24 base nonce]. */
export const HANDSHAKE_PLAIN_SIZE = PUBLIC_KEY_SIZE + NONCE_SIZE;
/** Server → client handshake: [24 nonce][sealed plaintext]. */
export const SERVER_HANDSHAKE_SIZE = NONCE_SIZE + HANDSHAKE_PLAIN_SIZE + MAC_SIZE;
/** Client → server handshake: [32 client public key][server handshake layout]. */
export const CLIENT_HANDSHAKE_SIZE = PUBLIC_KEY_SIZE + SERVER_HANDSHAKE_SIZE;

/** Largest encrypted frame body (the u16 length field): c-toxcore kills the connection above it. */
export const MAX_FRAME_PAYLOAD_SIZE = 2048;
/** Largest frame on the wire, length prefix included. */
export const MAX_FRAME_SIZE = 2 + MAX_FRAME_PAYLOAD_SIZE;
/** Largest plaintext packet. */
export const MAX_PACKET_SIZE = MAX_FRAME_PAYLOAD_SIZE - MAC_SIZE;

/** Packet ids below this are control packets; data uses ids 16..255 (routed connection id + 16). */
export const NUM_RESERVED_IDS = 16;
/** Routed connections one client may hold on a relay. */
export const MAX_ROUTES_PER_CLIENT = 256 - NUM_RESERVED_IDS;
/** OOB data must be 1..1024 bytes; anything else kills the connection. */
export const MAX_OOB_DATA_SIZE = 1024;

/** The handshake must complete within this long (TCP_CONNECTION_TIMEOUT). */
export const HANDSHAKE_TIMEOUT_MS = 10_000;
/** Both ends ping this often (TCP_PING_FREQUENCY)... */
export const PING_INTERVAL_MS = 30_000;
/** ...and drop the connection when the pong is this late (TCP_PING_TIMEOUT). */
export const PONG_TIMEOUT_MS = 10_000;
/** Cadence of the timer that checks handshake, ping and backoff deadlines. */
export const TICK_INTERVAL_MS = 1_000;

/** Relays tied to one peer: at most 6, and new ones are only added below 3 online (§6.4). */
export const MAX_RELAYS_PER_PEER = 6;
export const RECOMMENDED_RELAYS_PER_PEER = 3;
/** Relays flagged for onion traffic. */
export const ONION_RELAYS = 3;
/** An unused relay connection is closed after this long when more than 3 relays are up. */
export const UNUSED_RELAY_TIMEOUT_MS = 10_000;
