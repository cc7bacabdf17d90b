/**
 * Tox's authenticated encryption (XSalsa20-Poly1305): precomputed shared keys,
 * the MAC-first box layout, symmetric encryption with a random key, and
 * c-toxcore's rules (empty plaintext cannot be sealed; ciphertexts of 16 bytes
 * or less never open). Opening returns `undefined` on failure: ciphertexts come
 * from the network and must not throw.
 */
import { ToxError, UntrustedInputError } from '../base/index.js';
import type { Nonce, PublicKey, SecretKey, SharedKey } from './keys.js';
import { MAC_SIZE, NONCE_SIZE, PUBLIC_KEY_SIZE, SECRET_KEY_SIZE, SHARED_KEY_SIZE } from './keys.js';
import { sodium } from './sodium.js';

export class CryptoError extends ToxError {}

function checkKeyLengths(publicKey: Uint8Array, secretKey: Uint8Array): void {
  if (publicKey.length !== PUBLIC_KEY_SIZE || secretKey.length !== SECRET_KEY_SIZE) {
    throw new CryptoError('BAD_KEY', 'public and secret keys must be 32 bytes', { publicKey: publicKey.length, secretKey: secretKey.length });
  }
}

/** A peer's public key is a low-order point: the shared secret would be all zeros. */
export class WeakPublicKeyError extends UntrustedInputError {
  constructor() {
    super('WEAK_PUBLIC_KEY', 'the public key is a low-order point (no shared key can be derived)');
  }
}

/**
 * `crypto_box_beforenm(theirPublic, ourSecret)`. Throws WeakPublicKeyError for
 * low-order keys (libsodium refuses them); keys from the network may be such keys,
 * so receive paths either let the router count the error or use `tryPrecompute`.
 */
export function precompute(theirPublicKey: PublicKey, ourSecretKey: SecretKey): SharedKey {
  checkKeyLengths(theirPublicKey, ourSecretKey);
  try {
    return sodium().crypto_box_beforenm(theirPublicKey, ourSecretKey) as SharedKey;
  } catch {
    throw new WeakPublicKeyError();
  }
}

/** `precompute`, or `undefined` for a low-order public key. */
export function tryPrecompute(theirPublicKey: PublicKey, ourSecretKey: SecretKey): SharedKey | undefined {
  checkKeyLengths(theirPublicKey, ourSecretKey);
  try {
    return sodium().crypto_box_beforenm(theirPublicKey, ourSecretKey) as SharedKey;
  } catch {
    return undefined;
  }
}

/** Seals `plain` under a shared (or random symmetric) key: returns MAC (16) || ciphertext. */
export function seal(key: SharedKey, nonce: Nonce, plain: Uint8Array): Uint8Array {
  if (plain.length === 0) throw new CryptoError('EMPTY_PLAINTEXT', 'Tox never encrypts an empty plaintext');
  if (key.length !== SHARED_KEY_SIZE || nonce.length !== NONCE_SIZE) throw new CryptoError('BAD_KEY', 'key must be 32 bytes and nonce 24 bytes');
  return sodium().crypto_box_easy_afternm(plain, nonce, key);
}

/** Opens MAC || ciphertext; `undefined` when it does not authenticate (or is 16 bytes or shorter). */
export function open(key: SharedKey, nonce: Nonce, sealed: Uint8Array): Uint8Array | undefined {
  if (sealed.length <= MAC_SIZE || key.length !== SHARED_KEY_SIZE || nonce.length !== NONCE_SIZE) return undefined;
  try {
    return sodium().crypto_box_open_easy_afternm(sealed, nonce, key);
  } catch {
    return undefined;
  }
}

/** One-shot public-key box: precompute then seal (no caching). */
export function sealTo(theirPublicKey: PublicKey, ourSecretKey: SecretKey, nonce: Nonce, plain: Uint8Array): Uint8Array {
  return seal(precompute(theirPublicKey, ourSecretKey), nonce, plain);
}

export function openFrom(theirPublicKey: PublicKey, ourSecretKey: SecretKey, nonce: Nonce, sealed: Uint8Array): Uint8Array | undefined {
  return open(precompute(theirPublicKey, ourSecretKey), nonce, sealed);
}

/** libsodium `crypto_secretbox_easy`: same layout as `seal`, for random symmetric keys. */
export function secretboxSeal(key: Uint8Array, nonce: Uint8Array, plain: Uint8Array): Uint8Array {
  return seal(key as SharedKey, nonce as Nonce, plain);
}

export function secretboxOpen(key: Uint8Array, nonce: Uint8Array, sealed: Uint8Array): Uint8Array | undefined {
  return open(key as SharedKey, nonce as Nonce, sealed);
}
