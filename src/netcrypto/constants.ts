/**
 * net_crypto sizes, packet ids, timers and limits of c-toxcore 0.2.18
 * (tox-protocol.md §5, §13), in milliseconds where c-toxcore counts seconds,
 * plus the tunables of our own congestion control and acknowledgement policy.
 */

/** First byte of the four net_crypto UDP/TCP packets. */
export const NET_PACKET_ID = {
  cookieRequest: 0x18,
  cookieResponse: 0x19,
  handshake: 0x1a,
  data: 0x1b,
} as const;

export const COOKIE_SIZE = 112;
export const COOKIE_REQUEST_SIZE = 145;
export const COOKIE_RESPONSE_SIZE = 161;
export const HANDSHAKE_SIZE = 385;
/** The opaque echo id of a cookie request. */
export const ECHO_ID_SIZE = 8;

/** Largest 0x1B packet on the wire. */
export const MAX_CRYPTO_PACKET_SIZE = 1400;
/** [u32 buffer start][u32 packet number] at the head of every data plaintext. */
export const DATA_HEADER_SIZE = 8;
/** Largest payload (packet id included) of one data packet. */
export const MAX_CRYPTO_DATA_SIZE = 1373;
/** Zero padding makes `padding + payload` a multiple of this, counted from MAX_CRYPTO_DATA_SIZE. */
export const CRYPTO_MAX_PADDING = 8;

/** Payload ids inside data packets (§5.5). */
export const PACKET_ID_PADDING = 0;
export const PACKET_ID_REQUEST = 1;
export const PACKET_ID_KILL = 2;
export const LOSSLESS_ID_MIN = 16;
export const LOSSLESS_ID_MAX = 191;
export const LOSSY_ID_MIN = 192;
export const LOSSY_ID_MAX = 254;

/** Send and receive rings hold this many packets (CRYPTO_PACKET_BUFFER_SIZE). */
export const PACKET_BUFFER_SIZE = 32768;

/** A cookie is valid this many seconds after it was minted. */
export const COOKIE_TIMEOUT_S = 15;
/** Cookie requests and handshakes are re-sent this often (CRYPTO_SEND_PACKET_INTERVAL)... */
export const HANDSHAKE_RESEND_MS = 1000;
/** ...and the connection dies after this many sends without progress. */
export const MAX_HANDSHAKE_SENDS = 8;
/** A UDP endpoint counts as working for this long after a valid packet from it. */
export const UDP_DIRECT_TIMEOUT_MS = 8000;
/** Without a working UDP endpoint, small packets still try UDP this often. */
export const DIRECT_PROBE_INTERVAL_MS = UDP_DIRECT_TIMEOUT_MS / 2;
/** Only packets shorter than this are used as UDP probes. */
export const DIRECT_PROBE_MAX_SIZE = 96;

/** Request packets go out at least this often (NOT_CONFIRMED and ESTABLISHED)... */
export const REQUEST_INTERVAL_MS = 1000;
/** ...and at most this often from the rate formula (PACKET_COUNTER_AVERAGE_INTERVAL). */
export const RATE_SAMPLE_INTERVAL_MS = 50;
/** c-toxcore's REQUEST_PACKETS_COMPARE_CONSTANT. */
export const REQUEST_COMPARE_CONSTANT = 12.5;
/** c-toxcore's CRYPTO_PACKET_MIN_RATE (packets per second). */
export const MIN_PACKET_RATE = 4;

/** The receive nonce window moves by this much when a packet lands in its last third (DATA_NUM_THRESHOLD). */
export const NONCE_WINDOW_STEP = 21845;

/** RTT assumed before the first measurement (DEFAULT_PING_CONNECTION)... */
export const DEFAULT_RTT_MS = 1000;
/** ...and the fixed one for requests that arrived over TCP (DEFAULT_TCP_PING_CONNECTION). */
export const TCP_RTT_MS = 500;

/** Engine tick (c-toxcore iterates at most 50 ms apart). */
export const DEFAULT_TICK_INTERVAL_MS = 50;
/** The tick while no connection exists (wanted peers are retried on it; a new connection wakes the fast tick). */
export const IDLE_TICK_INTERVAL_MS = 1_000;
/**
 * An ESTABLISHED connection that receives nothing valid for this long is
 * closed. c-toxcore has no such timeout in net_crypto (friend_connection's
 * 32 s ALIVE timeout does the job); both peers send request packets at least
 * every second, so a live peer never trips it.
 */
export const DEFAULT_ESTABLISHED_TIMEOUT_MS = 32_000;
/** A wanted peer whose connection died is tried again after this long. */
export const RECONNECT_DELAY_MS = 1000;

/** Congestion window (packets in flight) at the start, and its floor after losses (CRYPTO_MIN_QUEUE_LENGTH). */
export const INITIAL_WINDOW = 64;
export const MIN_WINDOW = 16;
/** Default ceiling of the congestion window. */
export const DEFAULT_MAX_WINDOW = 4096;
/** While our receive window has holes we send a request packet at least this often (c-toxcore's fastest cadence). */
export const HOLE_REQUEST_INTERVAL_MS = RATE_SAMPLE_INTERVAL_MS;
/**
 * The receiver acknowledges at once after this many new lossless packets;
 * otherwise ACK_DELAY_MS after the input that brought them (at once when it
 * revealed new holes, so retransmissions are asked for without delay). Every
 * request packet costs both sides a sealed datagram and c-toxcore walks its
 * send buffer for each; acknowledging every 32 packets (Node hands us at most
 * 32 datagrams per event-loop turn) slowed a c-toxcore sender. c-toxcore
 * itself acknowledges at most every 50 ms under load; a longer delay than ours
 * slowed our own ack-clocked file transfers (friends bench: 10 ms / 512 keeps
 * files near their best and c-toxcore→ours messages above the pair).
 */
export const ACK_EVERY_PACKETS = 512;
export const ACK_DELAY_MS = 10;
/** Slack added to the smallest RTT before a requested packet counts as lost (reordering tolerance). */
export const LOSS_GUARD_SLACK_MS = 2;
/**
 * Floor of the time after which a requested packet that no later packet
 * overtook counts as lost; also of the wait before we probe an unacknowledged
 * tail with a request packet.
 */
export const MIN_TAIL_GUARD_MS = 200;
