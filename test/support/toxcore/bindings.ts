// koffi declarations of the libtoxcore.so.2 (0.2.18) functions the harness uses.
// Owns: the named koffi types (Tox, Tox_Options) and the typed function table. Prototypes are
// copied from /usr/include/tox/tox.h and toxencryptsave.h; C enums are `int`, every error
// out-param is `int *` (an Int32Array(1)), byte buffers are `uint8_t *` (Uint8Array, in or out).
// Callback setters and trampolines live in lib.ts.

import koffi, { type LibraryHandle } from 'koffi';

/** A C pointer as koffi 3 represents it. */
export type Ptr = bigint;
type Err = Int32Array;
type Bytes = Uint8Array;
/** uint64_t arguments accept either; koffi returns a number when it is a safe integer. */
type U64 = number | bigint;

/** Declares a koffi named type unless this process already has it (module re-evaluation). */
export function declareOnce(name: string, make: () => unknown): void {
  try {
    koffi.type(name);
  } catch {
    make();
  }
}

export function bindToxcore(lib: LibraryHandle) {
  declareOnce('Tox', () => koffi.opaque('Tox'));
  declareOnce('Tox_Options', () => koffi.opaque('Tox_Options'));
  const b = <F>(prototype: string): F => lib.func(prototype) as unknown as F;
  return {
    tox_version_major: b<() => number>('uint32_t tox_version_major(void)'),
    tox_version_minor: b<() => number>('uint32_t tox_version_minor(void)'),
    tox_version_patch: b<() => number>('uint32_t tox_version_patch(void)'),

    // options
    tox_options_new: b<(e: Err) => Ptr | null>('Tox_Options *tox_options_new(int *error)'),
    tox_options_free: b<(o: Ptr) => void>('void tox_options_free(Tox_Options *options)'),
    tox_options_set_ipv6_enabled: b<(o: Ptr, v: boolean) => void>(
      'void tox_options_set_ipv6_enabled(Tox_Options *options, bool ipv6_enabled)'),
    tox_options_set_udp_enabled: b<(o: Ptr, v: boolean) => void>(
      'void tox_options_set_udp_enabled(Tox_Options *options, bool udp_enabled)'),
    tox_options_set_local_discovery_enabled: b<(o: Ptr, v: boolean) => void>(
      'void tox_options_set_local_discovery_enabled(Tox_Options *options, bool local_discovery_enabled)'),
    tox_options_set_dht_announcements_enabled: b<(o: Ptr, v: boolean) => void>(
      'void tox_options_set_dht_announcements_enabled(Tox_Options *options, bool dht_announcements_enabled)'),
    tox_options_set_start_port: b<(o: Ptr, v: number) => void>(
      'void tox_options_set_start_port(Tox_Options *options, uint16_t start_port)'),
    tox_options_set_end_port: b<(o: Ptr, v: number) => void>(
      'void tox_options_set_end_port(Tox_Options *options, uint16_t end_port)'),
    tox_options_set_tcp_port: b<(o: Ptr, v: number) => void>(
      'void tox_options_set_tcp_port(Tox_Options *options, uint16_t tcp_port)'),
    tox_options_set_hole_punching_enabled: b<(o: Ptr, v: boolean) => void>(
      'void tox_options_set_hole_punching_enabled(Tox_Options *options, bool hole_punching_enabled)'),
    tox_options_set_savedata_type: b<(o: Ptr, v: number) => void>(
      'void tox_options_set_savedata_type(Tox_Options *options, int type)'),
    tox_options_set_savedata_data: b<(o: Ptr, data: Ptr, length: number) => void>(
      'void tox_options_set_savedata_data(Tox_Options *options, const uint8_t *data, size_t length)'),

    // lifecycle, network
    tox_new: b<(o: Ptr, e: Err) => Ptr | null>('Tox *tox_new(const Tox_Options *options, int *error)'),
    tox_kill: b<(t: Ptr) => void>('void tox_kill(Tox *tox)'),
    tox_get_savedata_size: b<(t: Ptr) => number>('size_t tox_get_savedata_size(const Tox *tox)'),
    tox_get_savedata: b<(t: Ptr, out: Bytes) => void>('void tox_get_savedata(const Tox *tox, uint8_t *savedata)'),
    tox_bootstrap: b<(t: Ptr, host: string, port: number, pk: Bytes, e: Err) => boolean>(
      'bool tox_bootstrap(Tox *tox, const char *host, uint16_t port, const uint8_t *public_key, int *error)'),
    tox_add_tcp_relay: b<(t: Ptr, host: string, port: number, pk: Bytes, e: Err) => boolean>(
      'bool tox_add_tcp_relay(Tox *tox, const char *host, uint16_t port, const uint8_t *public_key, int *error)'),
    tox_self_get_connection_status: b<(t: Ptr) => number>('int tox_self_get_connection_status(const Tox *tox)'),
    tox_iteration_interval: b<(t: Ptr) => number>('uint32_t tox_iteration_interval(const Tox *tox)'),
    tox_iterate: b<(t: Ptr, userData: null) => void>('void tox_iterate(Tox *tox, void *user_data)'),

    // self
    tox_self_get_address: b<(t: Ptr, out: Bytes) => void>('void tox_self_get_address(const Tox *tox, uint8_t *address)'),
    tox_self_set_nospam: b<(t: Ptr, v: number) => void>('void tox_self_set_nospam(Tox *tox, uint32_t nospam)'),
    tox_self_get_nospam: b<(t: Ptr) => number>('uint32_t tox_self_get_nospam(const Tox *tox)'),
    tox_self_get_public_key: b<(t: Ptr, out: Bytes) => void>(
      'void tox_self_get_public_key(const Tox *tox, uint8_t *public_key)'),
    tox_self_get_secret_key: b<(t: Ptr, out: Bytes) => void>(
      'void tox_self_get_secret_key(const Tox *tox, uint8_t *secret_key)'),
    tox_self_set_name: b<(t: Ptr, v: Bytes, len: number, e: Err) => boolean>(
      'bool tox_self_set_name(Tox *tox, const uint8_t *name, size_t length, int *error)'),
    tox_self_get_name_size: b<(t: Ptr) => number>('size_t tox_self_get_name_size(const Tox *tox)'),
    tox_self_get_name: b<(t: Ptr, out: Bytes) => void>('void tox_self_get_name(const Tox *tox, uint8_t *name)'),
    tox_self_set_status_message: b<(t: Ptr, v: Bytes, len: number, e: Err) => boolean>(
      'bool tox_self_set_status_message(Tox *tox, const uint8_t *status_message, size_t length, int *error)'),
    tox_self_get_status_message_size: b<(t: Ptr) => number>(
      'size_t tox_self_get_status_message_size(const Tox *tox)'),
    tox_self_get_status_message: b<(t: Ptr, out: Bytes) => void>(
      'void tox_self_get_status_message(const Tox *tox, uint8_t *status_message)'),
    tox_self_set_status: b<(t: Ptr, v: number) => void>('void tox_self_set_status(Tox *tox, int status)'),
    tox_self_get_status: b<(t: Ptr) => number>('int tox_self_get_status(const Tox *tox)'),
    tox_self_get_dht_id: b<(t: Ptr, out: Bytes) => void>('void tox_self_get_dht_id(const Tox *tox, uint8_t *dht_id)'),
    tox_self_get_udp_port: b<(t: Ptr, e: Err) => number>('uint16_t tox_self_get_udp_port(const Tox *tox, int *error)'),
    tox_self_get_tcp_port: b<(t: Ptr, e: Err) => number>('uint16_t tox_self_get_tcp_port(const Tox *tox, int *error)'),

    // friends
    tox_friend_add: b<(t: Ptr, address: Bytes, msg: Bytes, len: number, e: Err) => number>(
      'uint32_t tox_friend_add(Tox *tox, const uint8_t *address, const uint8_t *message, size_t length, int *error)'),
    tox_friend_add_norequest: b<(t: Ptr, pk: Bytes, e: Err) => number>(
      'uint32_t tox_friend_add_norequest(Tox *tox, const uint8_t *public_key, int *error)'),
    tox_friend_delete: b<(t: Ptr, f: number, e: Err) => boolean>(
      'bool tox_friend_delete(Tox *tox, uint32_t friend_number, int *error)'),
    tox_friend_by_public_key: b<(t: Ptr, pk: Bytes, e: Err) => number>(
      'uint32_t tox_friend_by_public_key(const Tox *tox, const uint8_t *public_key, int *error)'),
    tox_self_get_friend_list_size: b<(t: Ptr) => number>('size_t tox_self_get_friend_list_size(const Tox *tox)'),
    tox_self_get_friend_list: b<(t: Ptr, out: Uint32Array) => void>(
      'void tox_self_get_friend_list(const Tox *tox, uint32_t *friend_list)'),
    tox_friend_get_public_key: b<(t: Ptr, f: number, out: Bytes, e: Err) => boolean>(
      'bool tox_friend_get_public_key(const Tox *tox, uint32_t friend_number, uint8_t *public_key, int *error)'),
    tox_friend_get_name_size: b<(t: Ptr, f: number, e: Err) => number>(
      'size_t tox_friend_get_name_size(const Tox *tox, uint32_t friend_number, int *error)'),
    tox_friend_get_name: b<(t: Ptr, f: number, out: Bytes, e: Err) => boolean>(
      'bool tox_friend_get_name(const Tox *tox, uint32_t friend_number, uint8_t *name, int *error)'),
    tox_friend_get_status_message_size: b<(t: Ptr, f: number, e: Err) => number>(
      'size_t tox_friend_get_status_message_size(const Tox *tox, uint32_t friend_number, int *error)'),
    tox_friend_get_status_message: b<(t: Ptr, f: number, out: Bytes, e: Err) => boolean>(
      'bool tox_friend_get_status_message(const Tox *tox, uint32_t friend_number, uint8_t *status_message, int *error)'),
    tox_friend_get_status: b<(t: Ptr, f: number, e: Err) => number>(
      'int tox_friend_get_status(const Tox *tox, uint32_t friend_number, int *error)'),
    tox_friend_get_connection_status: b<(t: Ptr, f: number, e: Err) => number>(
      'int tox_friend_get_connection_status(const Tox *tox, uint32_t friend_number, int *error)'),
    tox_friend_get_typing: b<(t: Ptr, f: number, e: Err) => boolean>(
      'bool tox_friend_get_typing(const Tox *tox, uint32_t friend_number, int *error)'),
    tox_self_set_typing: b<(t: Ptr, f: number, typing: boolean, e: Err) => boolean>(
      'bool tox_self_set_typing(Tox *tox, uint32_t friend_number, bool typing, int *error)'),
    tox_friend_send_message: b<(t: Ptr, f: number, type: number, msg: Bytes, len: number, e: Err) => number>(
      'uint32_t tox_friend_send_message(Tox *tox, uint32_t friend_number, int type, const uint8_t *message, size_t length, int *error)'),
    tox_friend_send_lossy_packet: b<(t: Ptr, f: number, data: Bytes, len: number, e: Err) => boolean>(
      'bool tox_friend_send_lossy_packet(Tox *tox, uint32_t friend_number, const uint8_t *data, size_t length, int *error)'),
    tox_friend_send_lossless_packet: b<(t: Ptr, f: number, data: Bytes, len: number, e: Err) => boolean>(
      'bool tox_friend_send_lossless_packet(Tox *tox, uint32_t friend_number, const uint8_t *data, size_t length, int *error)'),

    // file transfer
    tox_file_send: b<(t: Ptr, f: number, kind: number, size: U64, id: Bytes | null, name: Bytes, len: number, e: Err) => number>(
      'uint32_t tox_file_send(Tox *tox, uint32_t friend_number, uint32_t kind, uint64_t file_size, const uint8_t *file_id, const uint8_t *filename, size_t filename_length, int *error)'),
    tox_file_control: b<(t: Ptr, f: number, file: number, control: number, e: Err) => boolean>(
      'bool tox_file_control(Tox *tox, uint32_t friend_number, uint32_t file_number, int control, int *error)'),
    tox_file_seek: b<(t: Ptr, f: number, file: number, position: U64, e: Err) => boolean>(
      'bool tox_file_seek(Tox *tox, uint32_t friend_number, uint32_t file_number, uint64_t position, int *error)'),
    tox_file_send_chunk: b<(t: Ptr, f: number, file: number, position: U64, data: Bytes, len: number, e: Err) => boolean>(
      'bool tox_file_send_chunk(Tox *tox, uint32_t friend_number, uint32_t file_number, uint64_t position, const uint8_t *data, size_t length, int *error)'),
    tox_file_get_file_id: b<(t: Ptr, f: number, file: number, out: Bytes, e: Err) => boolean>(
      'bool tox_file_get_file_id(const Tox *tox, uint32_t friend_number, uint32_t file_number, uint8_t *file_id, int *error)'),

    // conferences
    tox_conference_new: b<(t: Ptr, e: Err) => number>('uint32_t tox_conference_new(Tox *tox, int *error)'),
    tox_conference_delete: b<(t: Ptr, c: number, e: Err) => boolean>(
      'bool tox_conference_delete(Tox *tox, uint32_t conference_number, int *error)'),
    tox_conference_invite: b<(t: Ptr, f: number, c: number, e: Err) => boolean>(
      'bool tox_conference_invite(Tox *tox, uint32_t friend_number, uint32_t conference_number, int *error)'),
    tox_conference_join: b<(t: Ptr, f: number, cookie: Bytes, len: number, e: Err) => number>(
      'uint32_t tox_conference_join(Tox *tox, uint32_t friend_number, const uint8_t *cookie, size_t length, int *error)'),
    tox_conference_send_message: b<(t: Ptr, c: number, type: number, msg: Bytes, len: number, e: Err) => boolean>(
      'bool tox_conference_send_message(Tox *tox, uint32_t conference_number, int type, const uint8_t *message, size_t length, int *error)'),
    tox_conference_get_title_size: b<(t: Ptr, c: number, e: Err) => number>(
      'size_t tox_conference_get_title_size(const Tox *tox, uint32_t conference_number, int *error)'),
    tox_conference_get_title: b<(t: Ptr, c: number, out: Bytes, e: Err) => boolean>(
      'bool tox_conference_get_title(const Tox *tox, uint32_t conference_number, uint8_t *title, int *error)'),
    tox_conference_set_title: b<(t: Ptr, c: number, title: Bytes, len: number, e: Err) => boolean>(
      'bool tox_conference_set_title(Tox *tox, uint32_t conference_number, const uint8_t *title, size_t length, int *error)'),
    tox_conference_peer_count: b<(t: Ptr, c: number, e: Err) => number>(
      'uint32_t tox_conference_peer_count(const Tox *tox, uint32_t conference_number, int *error)'),
    tox_conference_peer_get_name_size: b<(t: Ptr, c: number, p: number, e: Err) => number>(
      'size_t tox_conference_peer_get_name_size(const Tox *tox, uint32_t conference_number, uint32_t peer_number, int *error)'),
    tox_conference_peer_get_name: b<(t: Ptr, c: number, p: number, out: Bytes, e: Err) => boolean>(
      'bool tox_conference_peer_get_name(const Tox *tox, uint32_t conference_number, uint32_t peer_number, uint8_t *name, int *error)'),
    tox_conference_peer_get_public_key: b<(t: Ptr, c: number, p: number, out: Bytes, e: Err) => boolean>(
      'bool tox_conference_peer_get_public_key(const Tox *tox, uint32_t conference_number, uint32_t peer_number, uint8_t *public_key, int *error)'),
    tox_conference_peer_number_is_ours: b<(t: Ptr, c: number, p: number, e: Err) => boolean>(
      'bool tox_conference_peer_number_is_ours(const Tox *tox, uint32_t conference_number, uint32_t peer_number, int *error)'),
    tox_conference_offline_peer_count: b<(t: Ptr, c: number, e: Err) => number>(
      'uint32_t tox_conference_offline_peer_count(const Tox *tox, uint32_t conference_number, int *error)'),
    tox_conference_offline_peer_get_public_key: b<(t: Ptr, c: number, p: number, out: Bytes, e: Err) => boolean>(
      'bool tox_conference_offline_peer_get_public_key(const Tox *tox, uint32_t conference_number, uint32_t offline_peer_number, uint8_t *public_key, int *error)'),
    tox_conference_get_chatlist_size: b<(t: Ptr) => number>('size_t tox_conference_get_chatlist_size(const Tox *tox)'),
    tox_conference_get_chatlist: b<(t: Ptr, out: Uint32Array) => void>(
      'void tox_conference_get_chatlist(const Tox *tox, uint32_t *chatlist)'),
    tox_conference_get_type: b<(t: Ptr, c: number, e: Err) => number>(
      'int tox_conference_get_type(const Tox *tox, uint32_t conference_number, int *error)'),
    tox_conference_get_id: b<(t: Ptr, c: number, out: Bytes) => boolean>(
      'bool tox_conference_get_id(const Tox *tox, uint32_t conference_number, uint8_t *id)'),
    tox_conference_by_id: b<(t: Ptr, id: Bytes, e: Err) => number>(
      'uint32_t tox_conference_by_id(const Tox *tox, const uint8_t *id, int *error)'),

    // toxencryptsave
    tox_pass_encrypt: b<(plain: Bytes, plainLen: number, pass: Bytes, passLen: number, out: Bytes, e: Err) => boolean>(
      'bool tox_pass_encrypt(const uint8_t *plaintext, size_t plaintext_len, const uint8_t *passphrase, size_t passphrase_len, uint8_t *ciphertext, int *error)'),
    tox_pass_decrypt: b<(cipher: Bytes, cipherLen: number, pass: Bytes, passLen: number, out: Bytes, e: Err) => boolean>(
      'bool tox_pass_decrypt(const uint8_t *ciphertext, size_t ciphertext_len, const uint8_t *passphrase, size_t passphrase_len, uint8_t *plaintext, int *error)'),
    tox_is_data_encrypted: b<(data: Bytes) => boolean>('bool tox_is_data_encrypted(const uint8_t *data)'),
  };
}

export type ToxcoreFns = ReturnType<typeof bindToxcore>;
