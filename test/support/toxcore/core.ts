// Base of the c-toxcore instance wrapper: one Tox*, its event emitter and its lifecycle.
// Owns: kill/iterate/loop, self identity and profile (address, keys, DHT id, ports, nospam,
// name, status message, user status, connection status), bootstrap/TCP relay, savedata.
// Friends, files and conferences are layered on top in friends.ts, files.ts, conferences.ts.

import { EventEmitter } from 'eventemitter3';
import type { Ptr, ToxcoreFns } from './bindings.js';
import { type Connection, type UserStatus, withError } from './constants.js';
import { attachTarget, detachTarget, type DispatchTarget, type ToxcoreEvents } from './events.js';
import type { Toxcore } from './lib.js';

const encoder = new TextEncoder();
const decoder = new TextDecoder();

/** UTF-8 bytes of a string; byte arrays pass through unchanged. */
export function utf8(value: string | Uint8Array): Uint8Array {
  return typeof value === 'string' ? encoder.encode(value) : value;
}

/** Bytes from a Uint8Array or a hex string, checked against the expected length. */
export function keyBytes(value: Uint8Array | string, length: number, what: string): Uint8Array {
  const bytes = typeof value === 'string' ? Uint8Array.from(Buffer.from(value, 'hex')) : value;
  if (bytes.length !== length) throw new RangeError(`${what} must be ${length} bytes, got ${bytes.length}`);
  return bytes;
}

export function toHex(bytes: Uint8Array): string {
  return Buffer.from(bytes).toString('hex').toUpperCase();
}

export class ToxcoreCore extends EventEmitter<ToxcoreEvents> implements DispatchTarget {
  protected readonly fn: ToxcoreFns;
  private alive = true;
  private loop: NodeJS.Timeout | undefined;
  private pendingCallbackError: { error: unknown } | undefined;

  /** Takes ownership of a Tox* from tox_new; installs the shared callback trampolines on it. */
  constructor(lib: Toxcore, readonly tox: Ptr) {
    super();
    this.fn = lib.fn;
    attachTarget(tox, this);
    lib.installCallbacks(tox);
  }

  // ---- lifecycle -------------------------------------------------------------------------

  get killed(): boolean {
    return !this.alive;
  }

  /** tox_kill; idempotent. Stops the loop and detaches the dispatch entry first. */
  kill(): void {
    if (!this.alive) return;
    this.stopLoop();
    this.alive = false;
    detachTarget(this.tox);
    this.fn.tox_kill(this.tox);
    this.removeAllListeners();
  }

  /** One tox_iterate; rethrows the first error a listener threw during it. */
  iterate(): void {
    this.ensureAlive();
    this.fn.tox_iterate(this.tox, null);
    const pending = this.pendingCallbackError;
    if (pending !== undefined) {
      this.pendingCallbackError = undefined;
      throw pending.error;
    }
  }

  iterationInterval(): number {
    this.ensureAlive();
    return this.fn.tox_iteration_interval(this.tox);
  }

  /** Iterates on a timer until stopLoop()/kill(). A listener error surfaces as an uncaught exception. */
  startLoop(intervalMs = 1): void {
    this.ensureAlive();
    this.stopLoop();
    this.loop = setInterval(() => this.iterate(), intervalMs);
  }

  stopLoop(): void {
    if (this.loop !== undefined) clearInterval(this.loop);
    this.loop = undefined;
  }

  /** Called by the dispatch table when a listener throws; iterate() rethrows it. */
  noteCallbackError(error: unknown): void {
    this.pendingCallbackError ??= { error };
  }

  protected ensureAlive(): void {
    if (!this.alive) throw new Error('c-toxcore instance was killed');
  }

  /** Reads a C string/blob through a `*_size` + getter pair. */
  protected readBytes(size: number, read: (out: Uint8Array) => unknown): Uint8Array {
    const out = new Uint8Array(size);
    if (size > 0) read(out);
    return out;
  }

  protected readText(size: number, read: (out: Uint8Array) => unknown): string {
    return decoder.decode(this.readBytes(size, read));
  }

  // ---- network -----------------------------------------------------------------------------

  /** tox_bootstrap. `dhtId` is the node's DHT key (tox_self_get_dht_id), not its Tox public key. */
  bootstrap(host: string, port: number, dhtId: Uint8Array | string): void {
    this.ensureAlive();
    const key = keyBytes(dhtId, 32, 'DHT id');
    withError('TOX_ERR_BOOTSTRAP', 'tox_bootstrap', (e) => this.fn.tox_bootstrap(this.tox, host, port, key, e));
  }

  /** tox_add_tcp_relay. A TCP-only client must also bootstrap() to get onion path nodes. */
  addTcpRelay(host: string, port: number, publicKey: Uint8Array | string): void {
    this.ensureAlive();
    const key = keyBytes(publicKey, 32, 'relay public key');
    withError('TOX_ERR_BOOTSTRAP', 'tox_add_tcp_relay', (e) => this.fn.tox_add_tcp_relay(this.tox, host, port, key, e));
  }

  /** On 127.0.0.1 c-toxcore reports TCP here even when all traffic is UDP (127/8 counts as LAN). */
  get connectionStatus(): Connection {
    this.ensureAlive();
    return this.fn.tox_self_get_connection_status(this.tox) as Connection;
  }

  get udpPort(): number {
    this.ensureAlive();
    return withError('TOX_ERR_GET_PORT', 'tox_self_get_udp_port', (e) => this.fn.tox_self_get_udp_port(this.tox, e));
  }

  /** Throws TOX_ERR_GET_PORT_NOT_BOUND when the instance was created with tcpPort 0. */
  get tcpPort(): number {
    this.ensureAlive();
    return withError('TOX_ERR_GET_PORT', 'tox_self_get_tcp_port', (e) => this.fn.tox_self_get_tcp_port(this.tox, e));
  }

  // ---- identity ----------------------------------------------------------------------------

  /** The 38-byte Tox ID: public key, nospam, checksum. */
  get address(): Uint8Array {
    this.ensureAlive();
    return this.readBytes(38, (out) => this.fn.tox_self_get_address(this.tox, out));
  }

  get addressHex(): string {
    return toHex(this.address);
  }

  get publicKey(): Uint8Array {
    this.ensureAlive();
    return this.readBytes(32, (out) => this.fn.tox_self_get_public_key(this.tox, out));
  }

  get secretKey(): Uint8Array {
    this.ensureAlive();
    return this.readBytes(32, (out) => this.fn.tox_self_get_secret_key(this.tox, out));
  }

  get dhtId(): Uint8Array {
    this.ensureAlive();
    return this.readBytes(32, (out) => this.fn.tox_self_get_dht_id(this.tox, out));
  }

  /** Host-order value; the address carries it big-endian. */
  get nospam(): number {
    this.ensureAlive();
    return this.fn.tox_self_get_nospam(this.tox);
  }

  set nospam(value: number) {
    this.ensureAlive();
    this.fn.tox_self_set_nospam(this.tox, value >>> 0);
  }

  // ---- profile -----------------------------------------------------------------------------

  get name(): string {
    this.ensureAlive();
    return this.readText(this.fn.tox_self_get_name_size(this.tox), (out) => this.fn.tox_self_get_name(this.tox, out));
  }

  set name(value: string) {
    this.ensureAlive();
    const bytes = utf8(value);
    withError('TOX_ERR_SET_INFO', 'tox_self_set_name', (e) => this.fn.tox_self_set_name(this.tox, bytes, bytes.length, e));
  }

  get statusMessage(): string {
    this.ensureAlive();
    return this.readText(this.fn.tox_self_get_status_message_size(this.tox), (out) =>
      this.fn.tox_self_get_status_message(this.tox, out));
  }

  set statusMessage(value: string) {
    this.ensureAlive();
    const bytes = utf8(value);
    withError('TOX_ERR_SET_INFO', 'tox_self_set_status_message', (e) =>
      this.fn.tox_self_set_status_message(this.tox, bytes, bytes.length, e));
  }

  get userStatus(): UserStatus {
    this.ensureAlive();
    return this.fn.tox_self_get_status(this.tox) as UserStatus;
  }

  set userStatus(value: UserStatus) {
    this.ensureAlive();
    this.fn.tox_self_set_status(this.tox, value);
  }

  // ---- savedata ----------------------------------------------------------------------------

  /** tox_get_savedata: the full state blob, loadable with `create({ savedata })`. */
  savedata(): Uint8Array {
    this.ensureAlive();
    return this.readBytes(this.fn.tox_get_savedata_size(this.tox), (out) => this.fn.tox_get_savedata(this.tox, out));
  }
}
