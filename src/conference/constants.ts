/**
 * The numbers of c-toxcore 0.2.18's group.c (tox-protocol.md §8, §13): packet
 * and message ids, ring and connection sizes, timers and length limits.
 */

/** Messenger packet carrying invites and their answers (§7.4). */
export const PACKET_ID_INVITE = 96;
export const PACKET_ID_ONLINE = 97;
/** Peer introduced / query / response / title response. */
export const PACKET_ID_DIRECT = 98;
export const PACKET_ID_MESSAGE = 99;
export const PACKET_ID_REJOIN = 100;
export const PACKET_ID_LOSSY = 199;

/** Sub-ids of the invite packet (after `[96]`). */
export const INVITE_KIND_INVITE = 0;
export const INVITE_KIND_ACCEPT = 1;
export const INVITE_KIND_MEMBER = 2;

/** Sub-ids of the direct packet (after `[98][u16 group]`). */
export const DIRECT_PEER_INTRODUCED = 1;
export const DIRECT_PEER_QUERY = 8;
export const DIRECT_PEER_RESPONSE = 9;
export const DIRECT_TITLE_RESPONSE = 10;

/** Message ids inside packet 99. */
export const MESSAGE_PING = 0;
export const MESSAGE_NEW_PEER = 16;
export const MESSAGE_KILL_PEER = 17;
export const MESSAGE_FREEZE_PEER = 18;
export const MESSAGE_NAME = 48;
export const MESSAGE_TITLE = 49;
export const MESSAGE_TEXT = 64;
export const MESSAGE_ACTION = 65;

/** Wire values of the conference type byte. */
export const CONFERENCE_TYPE_TEXT = 0;
export const CONFERENCE_TYPE_AV = 1;

export const GROUP_ID_SIZE = 32;
/** `[u16 group][1 type][32 id]`: what an invite carries and `join` takes back. */
export const INVITE_COOKIE_SIZE = 35;

/** Closest peers kept per conference: two below us on the ring, two above. */
export const DESIRED_CLOSEST = 4;
export const MAX_GROUP_CONNECTIONS = 16;
/** c-toxcore keeps this many connection slots free each tick (`1 + 16 / 10`). */
export const MIN_EMPTY_CONNECTIONS = 2;
/** Received `(message number, id)` pairs remembered per peer for dedup. */
export const MAX_LAST_MESSAGE_INFOS = 8;
/** Lossy dedup window per peer. */
export const MAX_LOSSY_COUNT = 256;
export const MAX_FROZEN_DEFAULT = 128;
/** c-toxcore sets no bound; ours keeps hostile floods of new peers finite. */
export const MAX_PEERS_DEFAULT = 512;
/** Tries at finding a free random peer number for a joiner before giving up. */
export const PEER_NUMBER_TRIES = 32;

export const PING_INTERVAL_MS = 20_000;
export const FREEZE_TIMEOUT_MS = 3 * PING_INTERVAL_MS;
/** c-toxcore runs `do_groupchats` once per Messenger iteration (≤ 50 ms apart). */
export const TICK_INTERVAL_MS = 50;
/** Ours: the tick while we are in no conference (any conference call wakes the 50 ms tick). */
export const IDLE_TICK_INTERVAL_MS = 1_000;
/** Our bound on peer queries provoked by messages from unknown peers, per connection. */
export const UNKNOWN_PEER_QUERY_INTERVAL_MS = 1_000;

export const MAX_NAME_LENGTH = 128;
export const MAX_TITLE_LENGTH = 128;
/** net_crypto's largest payload, packet id included. */
export const MAX_CRYPTO_DATA_SIZE = 1373;
/** `[99][u16 group][u16 peer][u32 number][1 id]` leaves this much for the data. */
export const MAX_MESSAGE_DATA_LENGTH = MAX_CRYPTO_DATA_SIZE - 10;
/** `[199][u16 group][u16 peer][u16 number][1 id]` leaves this much for the data. */
export const MAX_LOSSY_DATA_LENGTH = MAX_CRYPTO_DATA_SIZE - 8;
/** A peer response body (sub-id included) is at most this long: `MAX_CRYPTO_DATA_SIZE − [98][u16]`. */
export const MAX_PEER_RESPONSE_SIZE = MAX_CRYPTO_DATA_SIZE - 3;
/** Fixed part of one peer response entry: `[u16 peer][32 real pk][32 DHT pk][1 name length]`. */
export const PEER_ENTRY_FIXED_SIZE = 67;
export const MAX_PEERS_PER_RESPONSE = Math.floor((MAX_PEER_RESPONSE_SIZE - 1) / PEER_ENTRY_FIXED_SIZE);

/** Saved message numbers are ahead of the live ones by these offsets (§8.9). */
export const SAVE_OFFSET_MESSAGE_NUMBER = 65536;
export const SAVE_OFFSET_LOSSY_MESSAGE_NUMBER = 8192;
