// Event map of a c-toxcore instance and the Tox*-pointer dispatch table.
// Owns: the ToxcoreEvents type (one event per tox_callback_* used by the harness, named after
// the C callback) and the Map from Tox* (BigInt) to the instance that receives its callbacks.
// The shared koffi trampolines in lib.ts call dispatch(); a listener that throws is caught here
// (koffi would swallow it), logged, flagged in process.exitCode and handed back to the instance,
// whose iterate() rethrows it once tox_iterate has returned.

import type { EventEmitter } from 'eventemitter3';
import type { Connection, ConferenceType, FileControl, MessageType, UserStatus } from './constants.js';

/**
 * Listener signatures. Text arguments are decoded as UTF-8 (lossy); the raw bytes follow as the
 * last argument for tests that care about exact encodings. All byte arrays are copies.
 */
export interface ToxcoreEvents {
  self_connection_status: (status: Connection) => void;
  friend_request: (publicKey: Uint8Array, message: string, raw: Uint8Array) => void;
  friend_message: (friend: number, type: MessageType, text: string, raw: Uint8Array) => void;
  friend_name: (friend: number, name: string, raw: Uint8Array) => void;
  friend_status_message: (friend: number, message: string, raw: Uint8Array) => void;
  friend_status: (friend: number, status: UserStatus) => void;
  friend_connection_status: (friend: number, status: Connection) => void;
  friend_typing: (friend: number, typing: boolean) => void;
  friend_read_receipt: (friend: number, messageId: number) => void;
  friend_lossless_packet: (friend: number, data: Uint8Array) => void;
  friend_lossy_packet: (friend: number, data: Uint8Array) => void;
  /** fileSize is a bigint because UINT64_MAX means "unknown size" (streaming). */
  file_recv: (friend: number, file: number, kind: number, fileSize: bigint, filename: string, raw: Uint8Array) => void;
  /** An empty `data` at the final position marks the end of the transfer. */
  file_recv_chunk: (friend: number, file: number, position: number, data: Uint8Array) => void;
  file_recv_control: (friend: number, file: number, control: FileControl) => void;
  file_chunk_request: (friend: number, file: number, position: number, length: number) => void;
  conference_invite: (friend: number, type: ConferenceType, cookie: Uint8Array) => void;
  conference_connected: (conference: number) => void;
  conference_message: (conference: number, peer: number, type: MessageType, text: string, raw: Uint8Array) => void;
  conference_title: (conference: number, peer: number, title: string, raw: Uint8Array) => void;
  conference_peer_name: (conference: number, peer: number, name: string, raw: Uint8Array) => void;
  conference_peer_list_changed: (conference: number) => void;
}

export type ToxcoreEventName = keyof ToxcoreEvents;

/** What the dispatch table needs from an instance. */
export interface DispatchTarget extends EventEmitter<ToxcoreEvents> {
  noteCallbackError(error: unknown): void;
}

const targets = new Map<bigint, DispatchTarget>();

export function attachTarget(tox: bigint, target: DispatchTarget): void {
  targets.set(tox, target);
}

export function detachTarget(tox: bigint): void {
  targets.delete(tox);
}

export function dispatch<K extends ToxcoreEventName>(
  tox: bigint,
  event: K,
  ...args: Parameters<ToxcoreEvents[K]>
): void {
  const target = targets.get(tox);
  if (target === undefined) return;
  try {
    // eventemitter3's EventArgs<> for a generic K does not reduce to Parameters<>; same tuple.
    (target.emit as (e: K, ...a: Parameters<ToxcoreEvents[K]>) => boolean)(event, ...args);
  } catch (error) {
    console.error(`[toxcore harness] ${event} listener threw:`, error);
    process.exitCode = 1;
    target.noteCallbackError(error);
  }
}
