// File-transfer API of the c-toxcore instance wrapper.
// Owns: tox_file_send/control/seek/send_chunk/get_file_id. The matching events are file_recv,
// file_recv_chunk, file_recv_control and file_chunk_request (see events.ts).

import { type FileControl, withError } from './constants.js';
import { keyBytes, utf8 } from './core.js';
import { ToxcoreFriends } from './friends.js';

/** tox_file_send's file_size for a stream of unknown length. */
export const FILE_SIZE_UNKNOWN = 0xffff_ffff_ffff_ffffn;

export class ToxcoreFiles extends ToxcoreFriends {
  /**
   * tox_file_send. `kind` is a FileKind value (or any uint32 for custom kinds); `fileId` null
   * lets c-toxcore pick a random 32-byte id. Returns the file number.
   */
  fileSend(
    friend: number,
    kind: number,
    size: number | bigint,
    fileId: Uint8Array | null,
    filename: string | Uint8Array,
  ): number {
    this.ensureAlive();
    const id = fileId === null ? null : keyBytes(fileId, 32, 'file id');
    const name = utf8(filename);
    return withError('TOX_ERR_FILE_SEND', 'tox_file_send', (e) =>
      this.fn.tox_file_send(this.tox, friend, kind, size, id, name, name.length, e));
  }

  fileControl(friend: number, file: number, control: FileControl): void {
    this.ensureAlive();
    withError('TOX_ERR_FILE_CONTROL', 'tox_file_control', (e) =>
      this.fn.tox_file_control(this.tox, friend, file, control, e));
  }

  /** Receiver side, before the transfer is resumed for the first time. */
  fileSeek(friend: number, file: number, position: number | bigint): void {
    this.ensureAlive();
    withError('TOX_ERR_FILE_SEEK', 'tox_file_seek', (e) => this.fn.tox_file_seek(this.tox, friend, file, position, e));
  }

  /** Answer to file_chunk_request; an empty chunk at the end position finishes a stream. */
  fileSendChunk(friend: number, file: number, position: number | bigint, data: Uint8Array): void {
    this.ensureAlive();
    withError('TOX_ERR_FILE_SEND_CHUNK', 'tox_file_send_chunk', (e) =>
      this.fn.tox_file_send_chunk(this.tox, friend, file, position, data, data.length, e));
  }

  fileGetFileId(friend: number, file: number): Uint8Array {
    this.ensureAlive();
    return withError('TOX_ERR_FILE_GET', 'tox_file_get_file_id', (e) =>
      this.readBytes(32, (out) => this.fn.tox_file_get_file_id(this.tox, friend, file, out, e)));
  }
}
