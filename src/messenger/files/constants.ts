/**
 * File-transfer constants of c-toxcore 0.2.18's Messenger (tox-protocol.md
 * §7.4, §7.5): packet ids, control codes, kinds, sizes and the flow-control
 * limits its `do_reqchunk_filecb` uses.
 */

/** Lossless Messenger packet ids of the three file packets. */
export const FILE_PACKET_ID = {
  sendRequest: 0x50,
  control: 0x51,
  data: 0x52,
} as const;

/** FILE_CONTROL control codes (c-toxcore's Filecontrol). ACCEPT doubles as resume. */
export const FILE_CONTROL = {
  accept: 0,
  pause: 1,
  kill: 2,
  seek: 3,
} as const;

/** File kinds (c-toxcore's Filekind); any other u32 is passed through. */
export const FILE_KIND = {
  data: 0,
  /** The file id is the SHA-256 of the image; size 0 means "no avatar". */
  avatar: 1,
} as const;

/** Transfers per friend and direction (MAX_CONCURRENT_FILE_PIPES); wire file numbers are 0..255. */
export const MAX_CONCURRENT_FILE_PIPES = 256;
export const FILE_ID_LENGTH = 32;
/** Longest file name, in bytes (MAX_FILENAME_LENGTH). */
export const MAX_FILENAME_LENGTH = 255;
/** Largest chunk: net_crypto's 1373-byte payload minus the id and file number bytes (MAX_FILE_DATA_SIZE). */
export const MAX_FILE_DATA_SIZE = 1371;
/** The size of a file of unknown length (a stream, ended by a short chunk). */
export const UNKNOWN_FILE_SIZE = 0xffff_ffff_ffff_ffffn;
/** Incoming transfers are numbered `(n + 1) << 16` in the API, as c-toxcore numbers them. */
export const INCOMING_FILE_NUMBER_SHIFT = 16;

/** Send-queue slots file data leaves free for other traffic (MIN_SLOTS_FREE = CRYPTO_MIN_QUEUE_LENGTH / 4). */
export const MIN_FREE_SLOTS = 16;
/**
 * Chunk requests per pump (a pump runs on each acknowledgement and each tick). c-toxcore allows 128 rounds per
 * tox_iterate, which it runs back to back under load; ours pumps when acknowledgements arrive, and c-toxcore
 * acknowledges only about 20 times a second, so 128 would cap a transfer to it near 7 MB/s. Bounded all the same:
 * one pump must not dump a whole window (up to 4096 packets) on a peer whose socket buffer holds far fewer.
 */
export const MAX_CHUNKS_PER_PUMP = 256;
/** Default engine tick (c-toxcore's Messenger iterates at most 50 ms apart). */
export const DEFAULT_FILE_TICK_MS = 50;
/** Ours: the tick while no transfer exists (a new transfer wakes the fast tick). */
export const IDLE_FILE_TICK_MS = 1_000;
