/**
 * Observable counters of the file-transfer engine: untrusted input dropped,
 * by reason (bounded: the reasons are fixed), and traffic totals that tests
 * and benches read.
 */

export type FileDropReason =
  /** Wrong length or shape (a DecodeError). */
  | 'malformed'
  /** A file packet from a friend that is not online. */
  | 'friendOffline'
  /** A control or data packet for a transfer that does not exist. */
  | 'unknownFile'
  /** An offer on an incoming file number that is still in use. */
  | 'fileNumberInUse'
  /** Data for an incoming file that is not transferring (not accepted yet, or finished). */
  | 'notTransferring'
  /** A control the transfer's state does not take (resume not paused, double pause, late or oversized seek...). */
  | 'badControl'
  /** An exception that is not a DecodeError: a bug (or a throwing listener), logged as a warning. */
  | 'internalError';

export class FileTransferCounters {
  readonly dropped = new Map<FileDropReason, number>();
  chunksSent = 0;
  bytesSent = 0;
  chunksReceived = 0;
  bytesReceived = 0;
  /** Bytes past an incoming file's announced size, cut off before delivery. */
  bytesTruncated = 0;
  /** Chunks an application answered that the send queue refused (requested again). */
  chunksRefused = 0;
  /** Kills sent in answer to controls for transfers we do not have. */
  killsAnswered = 0;

  drop(reason: FileDropReason): void {
    this.dropped.set(reason, (this.dropped.get(reason) ?? 0) + 1);
  }

  droppedFor(reason: FileDropReason): number {
    return this.dropped.get(reason) ?? 0;
  }

  totalDropped(): number {
    let n = 0;
    for (const v of this.dropped.values()) n += v;
    return n;
  }
}
