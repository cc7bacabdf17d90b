/** friend_connection and friend-request constants (tox-protocol.md §7.1, §7.2, §13). */

/** Lossless packet ids handled by friend_connection itself. */
export const FRIEND_PACKET_ID = {
  alive: 0x10,
  shareRelays: 0x11,
  friendRequest: 0x12,
} as const;

/** Onion data kind of a friend request. */
export const ONION_FRIEND_REQUEST_KIND = 0x20;

/** An ALIVE packet goes out this often on an online connection. */
export const ALIVE_INTERVAL_MS = 8_000;
/** Nothing received for this long: the connection is dead (killed and re-opened). */
export const ALIVE_TIMEOUT_MS = 32_000;
/** Relays we are connected to are shared with an online friend this often (and when it comes online). */
export const SHARE_RELAYS_INTERVAL_MS = 120_000;
/** At most this many relays in one SHARE_RELAYS packet. */
export const MAX_SHARED_RELAYS = 3;
/**
 * A peer's DHT key is used this long after it was learned (or the peer went
 * offline); then, still offline, the key is dropped and the connection
 * attempts stop until a DHT-PK or handshake brings a key again (c-toxcore's
 * FRIEND_DHT_TIMEOUT).
 */
export const FRIEND_DHT_TIMEOUT_MS = 122_000;
/** How often the friend layer looks at its connections. */
export const FRIEND_TICK_MS = 1_000;

export const NOSPAM_SIZE = 4;
/** A friend request message: 1..1016 bytes (c-toxcore's MAX_FRIEND_REQUEST_DATA_SIZE). */
export const MAX_FRIEND_REQUEST_MESSAGE = 1016;
/** Senders remembered to suppress resent requests (c-toxcore keeps 32). */
export const RECENT_REQUESTS = 32;
/** Default rate limit of admitted friend requests: a bucket of this many... */
export const DEFAULT_REQUEST_BURST = 16;
/** ...refilled at this many per minute. */
export const DEFAULT_REQUESTS_PER_MINUTE = 30;
