// Native libsodium (libsodium.so.23) through koffi, as the baseline for crypto benchmarks of the
// pure-TS/WASM code paths. Owns: the lazy one-per-process binding and a small typed API
// (precomputed crypto_box, X25519 base multiplication, randombytes).

import koffi from 'koffi';

type Bytes = Uint8Array;

export interface NativeSodium {
  /** crypto_box_beforenm: the 32-byte shared key for (their pk, our sk). */
  boxBeforenm(publicKey: Bytes, secretKey: Bytes): Uint8Array;
  /** crypto_box_easy_afternm: MAC (16 bytes) followed by the ciphertext. */
  boxEasyAfternm(message: Bytes, nonce: Bytes, sharedKey: Bytes): Uint8Array;
  /** crypto_box_open_easy_afternm: the plaintext, or null when authentication fails. */
  boxOpenEasyAfternm(ciphertext: Bytes, nonce: Bytes, sharedKey: Bytes): Uint8Array | null;
  /** crypto_scalarmult_base: the X25519 public key of a 32-byte secret key. */
  scalarmultBase(secretKey: Bytes): Uint8Array;
  /** randombytes_buf into a new array of `length` bytes. */
  randomBytes(length: number): Uint8Array;
}

const KEY = 32;
const NONCE = 24;
const MAC = 16;

type Loaded = { ok: true; api: NativeSodium } | { ok: false; error: unknown };
let cached: Loaded | undefined;

function check(bytes: Bytes, length: number, what: string): Bytes {
  if (bytes.length !== length) throw new RangeError(`${what} must be ${length} bytes, got ${bytes.length}`);
  return bytes;
}

function bind(): NativeSodium {
  const lib = koffi.load('libsodium.so.23');
  const sodiumInit = lib.func('int sodium_init(void)') as () => number;
  const beforenm = lib.func(
    'int crypto_box_beforenm(uint8_t *k, const uint8_t *pk, const uint8_t *sk)',
  ) as (k: Bytes, pk: Bytes, sk: Bytes) => number;
  const easyAfternm = lib.func(
    'int crypto_box_easy_afternm(uint8_t *c, const uint8_t *m, unsigned long long mlen, const uint8_t *n, const uint8_t *k)',
  ) as (c: Bytes, m: Bytes, mlen: number, n: Bytes, k: Bytes) => number;
  const openEasyAfternm = lib.func(
    'int crypto_box_open_easy_afternm(uint8_t *m, const uint8_t *c, unsigned long long clen, const uint8_t *n, const uint8_t *k)',
  ) as (m: Bytes, c: Bytes, clen: number, n: Bytes, k: Bytes) => number;
  const scalarmultBase = lib.func(
    'int crypto_scalarmult_base(uint8_t *q, const uint8_t *n)',
  ) as (q: Bytes, n: Bytes) => number;
  const randombytesBuf = lib.func('void randombytes_buf(uint8_t *buf, size_t size)') as (b: Bytes, n: number) => void;

  if (sodiumInit() < 0) throw new Error('sodium_init failed');

  return {
    boxBeforenm(publicKey, secretKey) {
      const k = new Uint8Array(KEY);
      if (beforenm(k, check(publicKey, KEY, 'public key'), check(secretKey, KEY, 'secret key')) !== 0) {
        throw new Error('crypto_box_beforenm failed (weak public key)');
      }
      return k;
    },
    boxEasyAfternm(message, nonce, sharedKey) {
      const c = new Uint8Array(message.length + MAC);
      if (easyAfternm(c, message, message.length, check(nonce, NONCE, 'nonce'), check(sharedKey, KEY, 'key')) !== 0) {
        throw new Error('crypto_box_easy_afternm failed');
      }
      return c;
    },
    boxOpenEasyAfternm(ciphertext, nonce, sharedKey) {
      if (ciphertext.length < MAC) return null;
      const m = new Uint8Array(ciphertext.length - MAC);
      const rc = openEasyAfternm(m, ciphertext, ciphertext.length, check(nonce, NONCE, 'nonce'), check(sharedKey, KEY, 'key'));
      return rc === 0 ? m : null;
    },
    scalarmultBase(secretKey) {
      const q = new Uint8Array(KEY);
      if (scalarmultBase(q, check(secretKey, KEY, 'secret key')) !== 0) throw new Error('crypto_scalarmult_base failed');
      return q;
    },
    randomBytes(length) {
      const out = new Uint8Array(length);
      if (length > 0) randombytesBuf(out, length);
      return out;
    },
  };
}

function load(): Loaded {
  if (cached === undefined) {
    try {
      cached = { ok: true, api: bind() };
    } catch (error) {
      cached = { ok: false, error };
    }
  }
  return cached;
}

export function nativeSodiumAvailable(): boolean {
  return load().ok;
}

/** The bound API; throws (with the load error as cause) when libsodium.so.23 is unavailable. */
export function nativeSodium(): NativeSodium {
  const loaded = load();
  if (!loaded.ok) throw new Error('cannot load libsodium.so.23', { cause: loaded.error });
  return loaded.api;
}
