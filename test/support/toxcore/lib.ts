// Lazy, once-per-process loader for Debian's libtoxcore.so.2 (c-toxcore 0.2.18) through koffi.
// Owns: the cached library handle + bound function table + the registered callback trampolines
// (one koffi.register() per callback type, shared by every Tox*, dispatching by the Tox* pointer
// through events.ts), availability checks and the CI rule (a missing library fails in CI).

import koffi, { type LibraryHandle } from 'koffi';
import { bindToxcore, declareOnce, type Ptr, type ToxcoreFns } from './bindings.js';
import type { Connection, ConferenceType, FileControl, MessageType, UserStatus } from './constants.js';
import { dispatch } from './events.js';

const LIBRARY = 'libtoxcore.so.2';

export interface Toxcore {
  /** Kept referenced for the life of the process so the library is never unloaded. */
  readonly handle: LibraryHandle;
  readonly fn: ToxcoreFns;
  /** Installs every shared trampoline on one Tox* (tox_callback_*). */
  readonly installCallbacks: (tox: Ptr) => void;
}

type Loaded = { ok: true; lib: Toxcore } | { ok: false; error: unknown };
let cache: Loaded | undefined;

const decoder = new TextDecoder();

/** Copies C memory that is only valid during the callback. */
function copy(ptr: Ptr | null, length: number): Uint8Array {
  if (ptr === null || length === 0) return new Uint8Array(0);
  return new Uint8Array(koffi.view(ptr, length).slice(0));
}

const toNumber = (v: number | bigint): number => Number(v);

/**
 * One row per tox_callback_* the harness installs: the C parameters after `Tox *tox` (without
 * `void *user_data`) and the trampoline body that converts them and dispatches.
 */
const CALLBACKS: ReadonlyArray<readonly [name: string, params: string, handler: (tox: Ptr, ...a: never[]) => void]> = [
  ['self_connection_status', 'int connection_status',
    (tox: Ptr, status: Connection) => dispatch(tox, 'self_connection_status', status)],
  ['friend_request', 'const uint8_t *public_key, const uint8_t *message, size_t length',
    (tox: Ptr, pk: Ptr, msg: Ptr, len: number) => {
      const raw = copy(msg, len);
      dispatch(tox, 'friend_request', copy(pk, 32), decoder.decode(raw), raw);
    }],
  ['friend_message', 'uint32_t friend_number, int type, const uint8_t *message, size_t length',
    (tox: Ptr, friend: number, type: MessageType, msg: Ptr, len: number) => {
      const raw = copy(msg, len);
      dispatch(tox, 'friend_message', friend, type, decoder.decode(raw), raw);
    }],
  ['friend_name', 'uint32_t friend_number, const uint8_t *name, size_t length',
    (tox: Ptr, friend: number, name: Ptr, len: number) => {
      const raw = copy(name, len);
      dispatch(tox, 'friend_name', friend, decoder.decode(raw), raw);
    }],
  ['friend_status_message', 'uint32_t friend_number, const uint8_t *message, size_t length',
    (tox: Ptr, friend: number, msg: Ptr, len: number) => {
      const raw = copy(msg, len);
      dispatch(tox, 'friend_status_message', friend, decoder.decode(raw), raw);
    }],
  ['friend_status', 'uint32_t friend_number, int status',
    (tox: Ptr, friend: number, status: UserStatus) => dispatch(tox, 'friend_status', friend, status)],
  ['friend_connection_status', 'uint32_t friend_number, int connection_status',
    (tox: Ptr, friend: number, status: Connection) => dispatch(tox, 'friend_connection_status', friend, status)],
  ['friend_typing', 'uint32_t friend_number, bool typing',
    (tox: Ptr, friend: number, typing: boolean) => dispatch(tox, 'friend_typing', friend, typing)],
  ['friend_read_receipt', 'uint32_t friend_number, uint32_t message_id',
    (tox: Ptr, friend: number, id: number) => dispatch(tox, 'friend_read_receipt', friend, id)],
  ['friend_lossless_packet', 'uint32_t friend_number, const uint8_t *data, size_t length',
    (tox: Ptr, friend: number, data: Ptr, len: number) =>
      dispatch(tox, 'friend_lossless_packet', friend, copy(data, len))],
  ['friend_lossy_packet', 'uint32_t friend_number, const uint8_t *data, size_t length',
    (tox: Ptr, friend: number, data: Ptr, len: number) =>
      dispatch(tox, 'friend_lossy_packet', friend, copy(data, len))],
  ['file_recv',
    'uint32_t friend_number, uint32_t file_number, uint32_t kind, uint64_t file_size, const uint8_t *filename, size_t filename_length',
    (tox: Ptr, friend: number, file: number, kind: number, size: number | bigint, name: Ptr, len: number) => {
      const raw = copy(name, len);
      dispatch(tox, 'file_recv', friend, file, kind, BigInt(size), decoder.decode(raw), raw);
    }],
  ['file_recv_chunk',
    'uint32_t friend_number, uint32_t file_number, uint64_t position, const uint8_t *data, size_t length',
    (tox: Ptr, friend: number, file: number, position: number | bigint, data: Ptr, len: number) =>
      dispatch(tox, 'file_recv_chunk', friend, file, toNumber(position), copy(data, len))],
  ['file_recv_control', 'uint32_t friend_number, uint32_t file_number, int control',
    (tox: Ptr, friend: number, file: number, control: FileControl) =>
      dispatch(tox, 'file_recv_control', friend, file, control)],
  ['file_chunk_request', 'uint32_t friend_number, uint32_t file_number, uint64_t position, size_t length',
    (tox: Ptr, friend: number, file: number, position: number | bigint, len: number) =>
      dispatch(tox, 'file_chunk_request', friend, file, toNumber(position), len)],
  ['conference_invite', 'uint32_t friend_number, int type, const uint8_t *cookie, size_t length',
    (tox: Ptr, friend: number, type: ConferenceType, cookie: Ptr, len: number) =>
      dispatch(tox, 'conference_invite', friend, type, copy(cookie, len))],
  ['conference_connected', 'uint32_t conference_number',
    (tox: Ptr, conference: number) => dispatch(tox, 'conference_connected', conference)],
  ['conference_message',
    'uint32_t conference_number, uint32_t peer_number, int type, const uint8_t *message, size_t length',
    (tox: Ptr, conference: number, peer: number, type: MessageType, msg: Ptr, len: number) => {
      const raw = copy(msg, len);
      dispatch(tox, 'conference_message', conference, peer, type, decoder.decode(raw), raw);
    }],
  ['conference_title', 'uint32_t conference_number, uint32_t peer_number, const uint8_t *title, size_t length',
    (tox: Ptr, conference: number, peer: number, title: Ptr, len: number) => {
      const raw = copy(title, len);
      dispatch(tox, 'conference_title', conference, peer, decoder.decode(raw), raw);
    }],
  ['conference_peer_name', 'uint32_t conference_number, uint32_t peer_number, const uint8_t *name, size_t length',
    (tox: Ptr, conference: number, peer: number, name: Ptr, len: number) => {
      const raw = copy(name, len);
      dispatch(tox, 'conference_peer_name', conference, peer, decoder.decode(raw), raw);
    }],
  ['conference_peer_list_changed', 'uint32_t conference_number',
    (tox: Ptr, conference: number) => dispatch(tox, 'conference_peer_list_changed', conference)],
];

/** Declares each callback prototype, registers its trampoline once and binds its setter. */
function registerTrampolines(handle: LibraryHandle): (tox: Ptr) => void {
  const installers = CALLBACKS.map(([name, params, handler]) => {
    const proto = `tox_${name}_cb`;
    declareOnce(proto, () => koffi.proto(`void ${proto}(Tox *tox, ${params}, void *user_data)`));
    const setter = handle.func(`void tox_callback_${name}(Tox *tox, ${proto} *callback)`) as (t: Ptr, cb: Ptr) => void;
    const trampoline = koffi.register(handler, koffi.pointer(proto));
    return (tox: Ptr) => setter(tox, trampoline);
  });
  return (tox) => {
    for (const install of installers) install(tox);
  };
}

function load(): Loaded {
  if (cache !== undefined) return cache;
  try {
    const handle = koffi.load(LIBRARY);
    const fn = bindToxcore(handle);
    cache = { ok: true, lib: { handle, fn, installCallbacks: registerTrampolines(handle) } };
  } catch (error) {
    cache = { ok: false, error };
  }
  return cache;
}

/** True when libtoxcore.so.2 loads and every harness symbol binds. */
export function toxcoreAvailable(): boolean {
  return load().ok;
}

/**
 * The loaded library, or null when it is missing outside CI (tests then skip). With
 * CI=true a missing library throws: in CI it is a failure, never a skip.
 */
export function requireToxcore(): Toxcore | null {
  const loaded = load();
  if (loaded.ok) return loaded.lib;
  if (process.env.CI === 'true') {
    throw new Error(`c-toxcore interop harness: cannot load ${LIBRARY} in CI`, { cause: loaded.error });
  }
  return null;
}

/** The loaded library; throws (with the load error as cause) when it is unavailable. */
export function toxcore(): Toxcore {
  const loaded = load();
  if (!loaded.ok) throw new Error(`cannot load ${LIBRARY}`, { cause: loaded.error });
  return loaded.lib;
}

/** "major.minor.patch" of the loaded library. */
export function toxcoreVersion(): string {
  const { fn } = toxcore();
  return `${fn.tox_version_major()}.${fn.tox_version_minor()}.${fn.tox_version_patch()}`;
}
