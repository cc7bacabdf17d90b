/**
 * Onion sizes, packet ids, timers and limits of c-toxcore 0.2.18
 * (tox-protocol.md §4, §13), in milliseconds where c-toxcore counts seconds.
 */
import { MAC_SIZE, NONCE_SIZE, PUBLIC_KEY_SIZE } from '../crypto/index.js';

export const ONION_PACKET_ID = {
  request0: 0x80,
  request1: 0x81,
  request2: 0x82,
  announceRequest: 0x83,
  announceResponse: 0x84,
  dataRequest: 0x85,
  dataResponse: 0x86,
  announceRequestNew: 0x87,
  announceResponseNew: 0x88,
  response3: 0x8c,
  response2: 0x8d,
  response1: 0x8e,
} as const;

/** Inner onion data kinds (and the routed DHT request kind of DHT-PK). */
export const ONION_DATA_KIND = { friendRequest: 0x20, dhtPk: 0x9c } as const;

/** IPP19: [1 family][16 address][2 port]. */
export const IP_PORT_SIZE = 19;
export const SEND_BASE = PUBLIC_KEY_SIZE + IP_PORT_SIZE + MAC_SIZE;
export const RETURN_1 = NONCE_SIZE + IP_PORT_SIZE + MAC_SIZE;
export const RETURN_2 = NONCE_SIZE + IP_PORT_SIZE + RETURN_1 + MAC_SIZE;
export const RETURN_3 = NONCE_SIZE + IP_PORT_SIZE + RETURN_2 + MAC_SIZE;
export const SEND_1 = NONCE_SIZE + 3 * SEND_BASE;
export const SEND_2 = NONCE_SIZE + 2 * SEND_BASE + RETURN_1;
export const SEND_3 = NONCE_SIZE + SEND_BASE + RETURN_2;
export const ONION_MAX_PACKET_SIZE = 1400;
/** Largest payload for node D inside a 0x80 packet. */
export const ONION_MAX_DATA_SIZE = ONION_MAX_PACKET_SIZE - (1 + SEND_1);
/** Largest response payload a relay passes back. */
export const ONION_RESPONSE_MAX_DATA_SIZE = ONION_MAX_PACKET_SIZE - (1 + RETURN_3);

export const PING_ID_SIZE = 32;
export const SENDBACK_SIZE = 8;
/** [1 id][24 nonce][32 sender][sealed 32+32+32+8]: always 177 bytes. */
export const ANNOUNCE_REQUEST_SIZE = 1 + NONCE_SIZE + PUBLIC_KEY_SIZE + PING_ID_SIZE + 2 * PUBLIC_KEY_SIZE + SENDBACK_SIZE + MAC_SIZE;
export const ANNOUNCE_RESPONSE_MIN_SIZE = 1 + SENDBACK_SIZE + NONCE_SIZE + 1 + PING_ID_SIZE + MAC_SIZE;
/** [1 id][32 destination][24 nonce][32 temporary pk][16 MAC]: the smallest data request. */
export const DATA_REQUEST_MIN_SIZE = 1 + PUBLIC_KEY_SIZE + NONCE_SIZE + PUBLIC_KEY_SIZE + MAC_SIZE;
/** Largest `[id][data]` friends exchange through the onion. */
export const ONION_CLIENT_MAX_DATA_SIZE = ONION_MAX_DATA_SIZE - (DATA_REQUEST_MIN_SIZE + PUBLIC_KEY_SIZE + MAC_SIZE);
export const MAX_SENT_NODES = 4;
/** Pseudo family in return blobs for a TCP relay client (c-toxcore's TCP_ONION_FAMILY). */
export const TCP_CLIENT_FAMILY = 11;

// ---------------------------------------------------------------- relay and node D
export const RELAY_KEY_ROTATION_MS = 2 * 3600_000;
export const ANNOUNCE_ENTRY_TIMEOUT_MS = 300_000;
export const ANNOUNCE_MAX_ENTRIES = 160;
export const PING_ID_WINDOW_MS = 300_000;

// ---------------------------------------------------------------- client
export const CLIENT_TICK_MS = 1_000;
/** c-toxcore's ONION_CONNECTION_SECONDS: no announcing for the first 3 s; "connected" after 3 good ticks (hysteresis up to 6). */
export const WARM_UP_MS = 3_000;
/**
 * Beyond c-toxcore (timing only, nothing changes on the wire): for the first 15 s after start (less once it
 * is connected and knows every friend's DHT key) the client ticks every 250 ms instead of every second, and it
 * announces as soon as the DHT gives it enough nodes for a path (taking close-list nodes too until the fake DHT
 * friends fill up) instead of waiting out the warm-up.
 * A cold start then finds its friends in about a second instead of ten.
 */
export const STARTUP_TICK_MS = 250;
export const STARTUP_WINDOW_MS = 15_000;
export const EARLY_ANNOUNCE_PATH_NODES = 2;
export const CONNECTED_TICKS = 3;
/** Onion down this long, then up again: friend search cadences restart (c-toxcore's ONION_CONNECTED_TIMEOUT). */
export const RECONNECTED_RESET_MS = 10_000;
/** From this long after start, TCP relays carry onion paths while the DHT has no non-LAN node. */
export const TCP_ONION_STATUS_DELAY_MS = 6_000;
export const PATHS_PER_SET = 6;
export const MAX_PATH_NODES = 32;
/** Path nodes saved in (and loaded from) the profile's PATH_NODE section. */
export const SAVED_PATH_NODES = 8;
export const PATH_FIRST_TIMEOUT_MS = 4_000;
export const PATH_TIMEOUT_MS = 10_000;
export const PATH_MAX_LIFETIME_MS = 1_200_000;
export const PATH_MAX_NO_RESPONSE_USES = 4;
export const ANNOUNCE_NODES = 12;
export const FRIEND_NODES = 8;
export const NODE_TIMEOUT_MS = 15_000;
export const NODE_MAX_PINGS = 3;
export const ANNOUNCE_INTERVAL_NOT_ANNOUNCED_MS = 3_000;
export const ANNOUNCE_INTERVAL_ANNOUNCED_MS = 15_000;
export const ANNOUNCE_INTERVAL_STABLE_MS = 120_000;
export const TIME_TO_STABLE_MS = 90_000;
/** Lists not full are topped up from random path nodes at least this often. */
export const ANNOUNCE_POPULATE_TIMEOUT_MS = 600_000;
export const FRIEND_SEARCH_BEGINNING_MS = 3_000;
export const FRIEND_RUN_COUNT_BEGINNING = 5;
export const FRIEND_SEARCH_MAX_MS = 3_600_000;
export const FRIEND_MAX_RUN_COUNT_EXPONENT = 12;
/** Searches per friend per run_count step (also spaces them: interval / 4). */
export const FRIEND_PINGS_PER_RUN = FRIEND_NODES / 2;
export const DHTPK_ONION_INTERVAL_MS = 30_000;
/** Ours: the first DHT-PKs through the onion after a friend goes offline (or we start) are this far apart. */
export const DHTPK_ONION_FAST_INTERVAL_MS = 3_000;
export const DHTPK_ONION_FAST_SENDS = 10;
export const DHTPK_DHT_INTERVAL_MS = 20_000;
export const OFFLINE_TIMEOUT_MS = 75_000;
export const SENDBACK_TIMEOUT_MS = 10_000;
export const MAX_SENDBACKS = 256;
/** A node named in a response is asked at most this often (9 remembered per list). */
export const MIN_NODE_PING_TIME_MS = 10_000;
export const MAX_STORED_PINGED_NODES = 9;
export const MAX_FRIENDS = 1024;
