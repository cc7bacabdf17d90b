/**
 * One file transfer's state (c-toxcore's `struct File_Transfers` plus what the
 * API reports), the public snapshot of it, and the file-number scheme: an
 * outgoing transfer is numbered like its wire number (0..255), an incoming
 * one `(n + 1) << 16` (c-toxcore's `tox_file_*` numbering, so numbers can be
 * handed through a Tox-like API unchanged and never collide) — and the file
 * id convention for avatars.
 */
import { utf8Decode } from '../../base/index.js';
import { sha256 } from '../../crypto/index.js';
import { INCOMING_FILE_NUMBER_SHIFT, MAX_CONCURRENT_FILE_PIPES } from './constants.js';

export type FileDirection = 'outgoing' | 'incoming';

/** Where a transfer is. A cancelled (killed) or dropped transfer no longer exists. */
export type FileTransferState = 'notAccepted' | 'transferring' | 'pausedByUs' | 'pausedByThem' | 'pausedByBoth' | 'finished';

export interface FileTransferInfo {
  readonly friendNumber: number;
  /** The API number: the wire number when outgoing, `(n + 1) << 16` when incoming. */
  readonly fileNumber: number;
  readonly direction: FileDirection;
  /** 0 data, 1 avatar, or any other u32 the sender chose. */
  readonly kind: number;
  /** Bytes; UNKNOWN_FILE_SIZE for a stream. */
  readonly size: bigint;
  readonly fileId: Uint8Array;
  /** The name as sent (0..255 bytes, not necessarily UTF-8)... */
  readonly fileNameBytes: Uint8Array;
  /** ...and decoded as UTF-8 with replacement characters. */
  readonly fileName: string;
  readonly state: FileTransferState;
  /** Bytes sent (outgoing) or received (incoming) so far, from the start of the file (a seek moves it). */
  readonly transferred: bigint;
}

/** Mutable engine record; c-toxcore's FILESTATUS_NONE is "not in the table". */
export interface Transfer {
  readonly wireNumber: number;
  readonly direction: FileDirection;
  readonly kind: number;
  readonly size: bigint;
  readonly fileId: Uint8Array;
  readonly fileName: Uint8Array;
  status: 'notAccepted' | 'transferring' | 'finished';
  pausedByUs: boolean;
  pausedByThem: boolean;
  transferred: bigint;
  /** Outgoing: bytes asked of the application through chunk requests. */
  requested: bigint;
  /** Outgoing, finished: the packet number of the last chunk, whose acknowledgement completes the transfer. */
  lastPacketNumber: number;
}

export function newTransfer(direction: FileDirection, wireNumber: number, kind: number, size: bigint, fileId: Uint8Array, fileName: Uint8Array): Transfer {
  return {
    wireNumber,
    direction,
    kind,
    size,
    fileId,
    fileName,
    status: 'notAccepted',
    pausedByUs: false,
    pausedByThem: false,
    transferred: 0n,
    requested: 0n,
    lastPacketNumber: 0,
  };
}

export function apiFileNumber(direction: FileDirection, wireNumber: number): number {
  return direction === 'outgoing' ? wireNumber : (wireNumber + 1) << INCOMING_FILE_NUMBER_SHIFT;
}

/** The direction and wire number an API number names, or undefined if it names none (stricter than c-toxcore: low bits of incoming numbers must be 0). */
export function parseFileNumber(fileNumber: number): { direction: FileDirection; wireNumber: number } | undefined {
  if (!Number.isInteger(fileNumber) || fileNumber < 0 || fileNumber > 0xffff_ffff) return undefined;
  if (fileNumber < MAX_CONCURRENT_FILE_PIPES) return { direction: 'outgoing', wireNumber: fileNumber };
  const low = fileNumber % 2 ** INCOMING_FILE_NUMBER_SHIFT;
  const n = Math.floor(fileNumber / 2 ** INCOMING_FILE_NUMBER_SHIFT) - 1;
  if (low !== 0 || n < 0 || n >= MAX_CONCURRENT_FILE_PIPES) return undefined;
  return { direction: 'incoming', wireNumber: n };
}

export function isPaused(t: Transfer): boolean {
  return t.pausedByUs || t.pausedByThem;
}

export function stateOf(t: Transfer): FileTransferState {
  if (t.status !== 'transferring') return t.status;
  if (t.pausedByUs) return t.pausedByThem ? 'pausedByBoth' : 'pausedByUs';
  return t.pausedByThem ? 'pausedByThem' : 'transferring';
}

export function infoOf(friendNumber: number, t: Transfer): FileTransferInfo {
  return {
    friendNumber,
    fileNumber: apiFileNumber(t.direction, t.wireNumber),
    direction: t.direction,
    kind: t.kind,
    size: t.size,
    fileId: t.fileId.slice(),
    fileNameBytes: t.fileName.slice(),
    fileName: utf8Decode(t.fileName),
    state: stateOf(t),
    transferred: t.transferred,
  };
}

/** The file id an avatar is sent under: the SHA-256 of the image (what clients compare against their cache). */
export function avatarFileId(image: Uint8Array): Uint8Array {
  return sha256(image);
}
