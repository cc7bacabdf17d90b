/**
 * File transfers of c-toxcore 0.2.18's Messenger (tox-protocol.md §7.4, §7.5),
 * as a self-contained engine the Messenger embeds.
 *
 * Wiring (the Messenger does this):
 *  - Build `new FileTransfers({ port, scheduler, random, log })` and `start()` it
 *    (a 50 ms tick; `stop()` leaves no timer and forgets every transfer).
 *  - The port (ports.ts) is three calls on the friend's connection:
 *    `sendLossless(friend, packet)` — the whole packet, id byte first →
 *    `{ ok: true, packetNumber }` or `{ ok: false, reason: 'QUEUE_FULL' | 'NOT_CONNECTED' }`
 *    (friend_connection's / net_crypto's `SendResult` fits as is);
 *    `sendQueueRoom(friend)` — net_crypto's `sendQueueRoom`; file data only
 *    ever takes three quarters of the room it finds (the reserve is at most 16
 *    packets), so it never builds a backlog that messages would wait behind;
 *    `isDelivered(friend, packetNumber)` — the last chunk's acknowledgement
 *    completes an outgoing transfer.
 *  - Call `notifyRoom(friend)` on net_crypto's `delivered` event for that
 *    friend (optional: the tick requests chunks too, but only every 50 ms).
 *  - Call `setFriendOnline(friend, true|false)` when the Messenger's friend
 *    status becomes / stops being ONLINE; going offline drops every transfer
 *    with that friend (c-toxcore's break_files), each announced by `broken`.
 *  - Hand lossless packets 80 (FILE_SENDREQUEST), 81 (FILE_CONTROL) and 82
 *    (FILE_DATA) to `handlePacket(friend, id, bytesAfterId)`; it never throws:
 *    bad input is counted in `counters` and dropped.
 *
 * File numbers are c-toxcore's API numbers: outgoing 0..255 (the wire number),
 * incoming `(n + 1) << 16` (so 65536, 131072, ...), each set per friend.
 * Sizes and positions are `bigint` (u64 on the wire; UNKNOWN_FILE_SIZE = 2^64−1
 * is a stream). The data model is c-toxcore's pull model: `chunkRequest`
 * events asks for `(position, length)`, answered in order by `sendChunk`;
 * incoming data arrives as `chunk` events, an empty chunk marking the end.
 * API misuse throws `FileTransferError` (stable codes) or `InvalidArgumentError`.
 */
export * from './constants.js';
export * from './counters.js';
export * from './errors.js';
export * from './ports.js';
export { apiFileNumber, avatarFileId, parseFileNumber, type FileDirection, type FileTransferInfo, type FileTransferState } from './transfer.js';
export {
  FileTransfers,
  type FileControlAction,
  type FileTransferEvents,
  type FileTransfersDeps,
  type FileTransfersOptions,
  type ReceivedFileControl,
  type SendFileOptions,
} from './file-transfers.js';
export { FileControl, FileData, FileSendRequest, fileTransferCodecs } from './wire.js';
