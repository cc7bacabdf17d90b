/**
 * API misuse of the file-transfer engine: `FileTransferError` with a stable
 * code (c-toxcore's TOX_ERR_FILE_SEND / _CONTROL / _SEEK / _SEND_CHUNK in
 * spirit; the mapping is noted per code).
 */
import { ToxError } from '../../base/index.js';

export type FileTransferErrorCode =
  /** The friend is not online (…_FRIEND_NOT_CONNECTED). */
  | 'FRIEND_NOT_CONNECTED'
  /** No transfer with that number (…_NOT_FOUND). */
  | 'FILE_NOT_FOUND'
  /** File name over 255 bytes (TOX_ERR_FILE_SEND_NAME_TOO_LONG). */
  | 'FILE_NAME_TOO_LONG'
  /** All 256 outgoing numbers to that friend are in use (TOX_ERR_FILE_SEND_TOO_MANY). */
  | 'FILE_TOO_MANY'
  /**
   * The transfer's state does not allow the call: pause before it transfers
   * (c-toxcore says ALREADY_PAUSED), seek on an outgoing or accepted file
   * (SEEK_DENIED), a chunk for a file that is not transferring (NOT_TRANSFERRING).
   */
  | 'FILE_BAD_STATE'
  | 'FILE_ALREADY_PAUSED'
  /** Resume of a transfer we did not pause (TOX_ERR_FILE_CONTROL_NOT_PAUSED). */
  | 'FILE_NOT_PAUSED'
  /** Resume of a transfer only the friend paused, or accept of our own offer (TOX_ERR_FILE_CONTROL_DENIED). */
  | 'FILE_DENIED'
  /** Seek at or past the file's size (TOX_ERR_FILE_SEEK_INVALID_POSITION). */
  | 'FILE_INVALID_POSITION'
  /** Chunk over 1371 bytes, past the size, or short before the end (TOX_ERR_FILE_SEND_CHUNK_INVALID_LENGTH). */
  | 'FILE_INVALID_LENGTH'
  /** Chunk not at the next position, or not requested yet (TOX_ERR_FILE_SEND_CHUNK_WRONG_POSITION). */
  | 'FILE_WRONG_POSITION'
  /** The friend's send queue refused the packet (…_SENDQ); for a chunk, it will be requested again. */
  | 'FILE_SENDQ';

export class FileTransferError extends ToxError {
  declare readonly code: FileTransferErrorCode;

  constructor(code: FileTransferErrorCode, message: string, details: Record<string, unknown> = {}) {
    super(code, message, details);
  }
}
