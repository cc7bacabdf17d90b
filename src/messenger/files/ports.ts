/**
 * What the file-transfer engine needs from the Messenger around it, declared
 * here so the engine imports neither Messenger nor friend_connection: send a
 * lossless packet to a friend, the room left in that friend's send queue, and
 * whether a sent packet was acknowledged. Friends are named by their Messenger
 * friend number. The friend's online/offline changes come in the other way,
 * through `FileTransfers.setFriendOnline`, and its file packets (ids 80..82)
 * through `FileTransfers.handlePacket`.
 */

/** Shaped like net_crypto's (and friend_connection's) `SendResult`, so theirs can be passed through. */
export type LosslessSendResult =
  | { readonly ok: true; readonly packetNumber: number }
  | { readonly ok: false; readonly reason: 'NOT_CONNECTED' | 'QUEUE_FULL' };

export interface FileTransferPort {
  /**
   * Queues a lossless packet (the whole packet, id byte first) to the friend.
   * `QUEUE_FULL` is backpressure: the engine retries later and never throws it
   * at the peer. `packetNumber` is what `isDelivered` takes.
   */
  sendLossless(friendNumber: number, packet: Uint8Array): LosslessSendResult;
  /**
   * How many more packets the friend's lossless queue takes now without
   * building a backlog (net_crypto's `sendQueueRoom`, c-toxcore's
   * `crypto_num_free_sendqueue_slots`); 0 when full or not connected.
   */
  sendQueueRoom(friendNumber: number): number;
  /** Whether the friend acknowledged the lossless packet `packetNumber` (net_crypto's `isDelivered`). */
  isDelivered(friendNumber: number, packetNumber: number): boolean;
}
