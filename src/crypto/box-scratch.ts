/**
 * Copy-saving boxes for hot paths: `BoxScratch` owns a buffer in libsodium's
 * WebAssembly memory holding a key, a nonce and one message, and seals or
 * opens through the raw `crypto_box_*_afternm` exports. libsodium-wrappers'
 * own functions allocate and copy every argument and the result on each call;
 * here the key is copied once per key change and the result is written
 * straight into the caller's buffer (sealing) or copied out once (opening).
 * Same layout and rules as box.ts (MAC first; empty plaintexts never sealed;
 * 16 bytes or less never open). One
 * scratch per owner (e.g. a net_crypto instance); `dispose` frees it.
 */
import { InvalidStateError } from '../base/index.js';
import { CryptoError } from './box.js';
import { MAC_SIZE, NONCE_SIZE, SHARED_KEY_SIZE, type Nonce, type SharedKey } from './keys.js';
import { sodium } from './sodium.js';

/** The raw WebAssembly exports we use (present in libsodium-wrappers' `libsodium` object). */
interface RawSodium {
  HEAPU8: Uint8Array;
  _malloc(size: number): number;
  _free(ptr: number): void;
  _crypto_box_easy_afternm(c: number, m: number, mlenLow: number, mlenHigh: number, n: number, k: number): number;
  _crypto_box_open_easy_afternm(m: number, c: number, clenLow: number, clenHigh: number, n: number, k: number): number;
}

function raw(): RawSodium {
  return (sodium() as unknown as { libsodium: RawSodium }).libsodium;
}

export class BoxScratch {
  private readonly lib = raw();
  private ptr: number;
  private readonly keyAt: number;
  private readonly nonceAt: number;
  private readonly inAt: number;
  private readonly outAt: number;
  private lastKey: Uint8Array | undefined;

  /** A scratch for plaintexts up to `maxMessage` bytes (sealed: up to maxMessage + 16). */
  constructor(readonly maxMessage: number) {
    this.ptr = this.lib._malloc(SHARED_KEY_SIZE + NONCE_SIZE + 2 * (maxMessage + MAC_SIZE));
    this.keyAt = this.ptr;
    this.nonceAt = this.keyAt + SHARED_KEY_SIZE;
    this.inAt = this.nonceAt + NONCE_SIZE;
    this.outAt = this.inAt + maxMessage + MAC_SIZE;
  }

  /** Seals `plain` (1..maxMessage bytes) into `out` at `offset` (MAC || ciphertext, plain.length + 16 bytes); returns the sealed length. */
  sealInto(key: SharedKey, nonce: Nonce, plain: Uint8Array, out: Uint8Array, offset: number): number {
    if (plain.length === 0) throw new CryptoError('EMPTY_PLAINTEXT', 'Tox never encrypts an empty plaintext');
    if (plain.length > this.maxMessage) throw new CryptoError('TOO_LONG', `at most ${this.maxMessage} bytes`, { length: plain.length });
    this.load(key, nonce, plain);
    const sealedLength = plain.length + MAC_SIZE;
    if (this.lib._crypto_box_easy_afternm(this.outAt, this.inAt, plain.length, 0, this.nonceAt, this.keyAt) !== 0) throw new CryptoError('SEAL_FAILED', 'crypto_box_easy_afternm failed');
    out.set(this.lib.HEAPU8.subarray(this.outAt, this.outAt + sealedLength), offset);
    return sealedLength;
  }

  /**
   * Opens MAC || ciphertext into a new array (the caller may keep it);
   * `undefined` when it does not authenticate, is 16 bytes or shorter, or is
   * longer than the scratch takes.
   */
  open(key: SharedKey, nonce: Nonce, sealed: Uint8Array): Uint8Array | undefined {
    if (sealed.length <= MAC_SIZE || sealed.length > this.maxMessage + MAC_SIZE || key.length !== SHARED_KEY_SIZE || nonce.length !== NONCE_SIZE) return undefined;
    this.load(key, nonce, sealed);
    if (this.lib._crypto_box_open_easy_afternm(this.outAt, this.inAt, sealed.length, 0, this.nonceAt, this.keyAt) !== 0) return undefined;
    return this.lib.HEAPU8.slice(this.outAt, this.outAt + sealed.length - MAC_SIZE);
  }

  dispose(): void {
    if (this.ptr === 0) return;
    this.lib._free(this.ptr);
    this.ptr = 0;
  }

  private load(key: Uint8Array, nonce: Uint8Array, message: Uint8Array): void {
    if (this.ptr === 0) throw new InvalidStateError('box scratch disposed');
    if (key.length !== SHARED_KEY_SIZE || nonce.length !== NONCE_SIZE) throw new CryptoError('BAD_KEY', 'key must be 32 bytes and nonce 24 bytes');
    // The heap view is re-read on every call: WebAssembly memory growth replaces it.
    const heap = this.lib.HEAPU8;
    if (this.lastKey !== key) {
      heap.set(key, this.keyAt);
      this.lastKey = key;
    }
    heap.set(nonce, this.nonceAt);
    heap.set(message, this.inAt);
  }
}
