/**
 * DHT timers and limits of c-toxcore 0.2.18 (tox-protocol.md §3.5, §13), in
 * milliseconds where c-toxcore counts seconds. "Timeout T" means expired when
 * `last + T <= now`.
 */

/** Close list: 128 buckets of 8 slots. */
export const CLOSE_BUCKETS = 128;
export const CLOSE_BUCKET_SIZE = 8;
/** Nodes kept per DHT friend (search list). */
export const FRIEND_LIST_SIZE = 8;
/** Nodes per nodes response. */
export const MAX_SENT_NODES = 4;
/** Random DHT friends created at start; their lists feed onion paths. */
export const FAKE_FRIEND_COUNT = 2;
/** Callbacks ("locks") one DHT friend may hold. */
export const MAX_FRIEND_LOCKS = 32;

/** Each stored node gets a nodes request this often. */
export const PING_INTERVAL_MS = 60_000;
/** A node not heard from for this long is "bad": not returned, replaceable. */
export const BAD_NODE_TIMEOUT_MS = 122_000;
/** A node not heard from for this long is no longer probed. */
export const KILL_NODE_TIMEOUT_MS = 182_000;
/** Per list, one nodes request to a random good node this often... */
export const GET_NODE_INTERVAL_MS = 20_000;
/** ...except for the first few, sent once per tick. */
export const MAX_BOOTSTRAP_TIMES = 5;
/** Lifetime of an outstanding ping or nodes request id. */
export const REQUEST_TIMEOUT_MS = 5_000;
/** Outstanding request ids kept per kind (c-toxcore's ping arrays hold 512). */
export const MAX_PENDING_REQUESTS = 512;
/** The "to ping" queue: flushed this often, at most this many nodes. */
export const TO_PING_INTERVAL_MS = 2_000;
export const MAX_TO_PING = 32;
/** Returned nodes that would fit our close list get a nodes request on the next tick. */
export const MAX_CLOSE_TO_BOOTSTRAP_NODES = 8;
/** Saved or bootstrap nodes asked per tick while the DHT is not connected. */
export const SAVED_NODES_PER_TICK = 8;
/** Explicit bootstrap nodes remembered for those retries. */
export const MAX_REMEMBERED_BOOTSTRAP_NODES = 32;

/** c-toxcore runs do_dht at most once per second. */
export const DEFAULT_TICK_INTERVAL_MS = 1_000;
/**
 * Nodes a response tells us about are asked for nodes this soon instead of at the
 * next tick (c-toxcore's do_dht runs whenever its seconds clock turns, so its
 * effective delay is below a second too). Bounded: responses carry at most 4 nodes
 * and the queues are capped.
 */
export const BOOTSTRAP_QUEUE_FLUSH_MS = 50;

/** NAT traversal (§3.8). */
export const NAT_PING_INTERVAL_MS = 3_000;
export const PUNCH_INTERVAL_MS = 3_000;
export const PUNCH_RESET_TIME_MS = 40_000;
export const MAX_PUNCHING_PORTS = 48;
export const MAX_NORMAL_PUNCHING_TRIES = 5;
/** Routed-packet kind of the NAT ping. */
export const NAT_PING_KIND = 0xfe;

/** LAN discovery (§3.9): one round every 10 s, default port plus 10 more of the range. */
export const LAN_DISCOVERY_INTERVAL_MS = 10_000;
export const LAN_DISCOVERY_EXTRA_PORTS = 10;
export const DEFAULT_PORT_RANGE: readonly [number, number] = [33445, 33545];

/** Requests (pings, nodes requests, LAN discovery, forwarded routed packets) answered per source per second. */
export const DEFAULT_REQUESTS_PER_SOURCE_PER_SECOND = 48;
/** Requests answered per second over all sources together. */
export const DEFAULT_REQUESTS_PER_SECOND = 4_096;
/** Sources tracked by the rate limiter before it stops admitting new ones for the current second. */
export const MAX_TRACKED_SOURCES = 4_096;
