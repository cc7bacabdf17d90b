/**
 * The three file packets of c-toxcore 0.2.18's Messenger (tox-protocol.md
 * §7.4, §7.5), declared once and registered in `fileTransferCodecs`; all
 * integers big endian. FILE_CONTROL's first byte says whose file the control
 * is about: 0 = one the control's sender is sending, 1 = one it is receiving.
 * Stricter than c-toxcore on hostile bytes only: that byte must be 0 or 1, and
 * accept/pause/kill carry nothing after the control code.
 */
import {
  PacketRegistry,
  boundedUint,
  bytes,
  rest,
  struct,
  u32be,
  u64be,
  u8,
  union,
  type DecodeResult,
  type Infer,
  type PacketDef,
} from '../../binary/index.js';
import { FILE_CONTROL, FILE_ID_LENGTH, FILE_PACKET_ID, MAX_FILE_DATA_SIZE, MAX_FILENAME_LENGTH } from './constants.js';

export const fileTransferCodecs = new PacketRegistry('messenger.files');

/** FILE_SENDREQUEST (80): `[u8 file number][u32 kind][u64 size][32 file id][0..255 name]`. */
export const FileSendRequest = fileTransferCodecs.define(
  'FileSendRequest',
  struct({ fileNumber: u8, kind: u32be, size: u64be, fileId: bytes(FILE_ID_LENGTH), fileName: rest(MAX_FILENAME_LENGTH) }),
  { id: FILE_PACKET_ID.sendRequest },
);
export type FileSendRequest = Infer<typeof FileSendRequest.codec>;

/** The control code and, for seek, the u64 position. */
const controlBody = union('kind', u8, {
  [FILE_CONTROL.accept]: struct({}),
  [FILE_CONTROL.pause]: struct({}),
  [FILE_CONTROL.kill]: struct({}),
  [FILE_CONTROL.seek]: struct({ position: u64be }),
});

/** FILE_CONTROL (81): `[u8 send_receive][u8 file number][u8 control][u64 position, seek only]`. */
export const FileControl = fileTransferCodecs.define(
  'FileControl',
  struct({ sendReceive: boundedUint(1, 1), fileNumber: u8, control: controlBody }),
  { id: FILE_PACKET_ID.control },
);
export type FileControl = Infer<typeof FileControl.codec>;

/** FILE_DATA (82): `[u8 file number][0..1371 data]`. */
export const FileData = fileTransferCodecs.define(
  'FileData',
  struct({ fileNumber: u8, data: rest(MAX_FILE_DATA_SIZE) }),
  { id: FILE_PACKET_ID.data },
);
export type FileData = Infer<typeof FileData.codec>;

/** Decodes the bytes after the id byte (as net_crypto hands them up) with a packet that has an id. */
export function decodeAfterId<T>(def: PacketDef<T>, payload: Uint8Array): DecodeResult<T> {
  const whole = new Uint8Array(payload.length + 1);
  whole[0] = def.id!;
  whole.set(payload, 1);
  return def.tryDecode(whole);
}
