/**
 * Key material with distinct branded types. Tox uses two key pairs per node
 * (the long-term identity and a per-session DHT key) plus session and path
 * keys; mixing them up is the classic interop bug, so the compiler keeps them apart.
 */
import type { Random } from '../base/index.js';
import { InvalidArgumentError, toHex } from '../base/index.js';
import { sodium } from './sodium.js';

declare const brand: unique symbol;
type Brand<T, B extends string> = T & { readonly [brand]: B };

export const PUBLIC_KEY_SIZE = 32;
export const SECRET_KEY_SIZE = 32;
export const SHARED_KEY_SIZE = 32;
export const NONCE_SIZE = 24;
export const MAC_SIZE = 16;

/** Long-term ("real") identity key: what a Tox ID carries. */
export type LongTermPublicKey = Brand<Uint8Array, 'LongTermPublicKey'>;
export type LongTermSecretKey = Brand<Uint8Array, 'LongTermSecretKey'>;
/** Per-session DHT key: DHT packets, cookie requests, TCP relay identities. */
export type DhtPublicKey = Brand<Uint8Array, 'DhtPublicKey'>;
export type DhtSecretKey = Brand<Uint8Array, 'DhtSecretKey'>;
/** Any other Curve25519 key (net_crypto session keys, onion path keys, temporary search keys). */
export type EphemeralPublicKey = Brand<Uint8Array, 'EphemeralPublicKey'>;
export type EphemeralSecretKey = Brand<Uint8Array, 'EphemeralSecretKey'>;

export type PublicKey = LongTermPublicKey | DhtPublicKey | EphemeralPublicKey;
export type SecretKey = LongTermSecretKey | DhtSecretKey | EphemeralSecretKey;

/** A precomputed `crypto_box_beforenm` key, or a random symmetric key used the same way. */
export type SharedKey = Brand<Uint8Array, 'SharedKey'>;
export type Nonce = Brand<Uint8Array, 'Nonce'>;

export interface KeyPair<P extends PublicKey = PublicKey, S extends SecretKey = SecretKey> {
  readonly publicKey: P;
  readonly secretKey: S;
}

export type LongTermKeyPair = KeyPair<LongTermPublicKey, LongTermSecretKey>;
export type DhtKeyPair = KeyPair<DhtPublicKey, DhtSecretKey>;
export type EphemeralKeyPair = KeyPair<EphemeralPublicKey, EphemeralSecretKey>;

function checkLength(bytes: Uint8Array, length: number, what: string): void {
  if (!(bytes instanceof Uint8Array) || bytes.length !== length) {
    throw new InvalidArgumentError(`${what} must be ${length} bytes`, { got: bytes instanceof Uint8Array ? bytes.length : typeof bytes });
  }
}

/** Brands 32 bytes as a key of the given kind after checking the length. */
export function asKey<K extends PublicKey | SecretKey | SharedKey>(bytes: Uint8Array, what = 'key'): K {
  checkLength(bytes, 32, what);
  return bytes as K;
}

export function asNonce(bytes: Uint8Array): Nonce {
  checkLength(bytes, NONCE_SIZE, 'nonce');
  return bytes as Nonce;
}

/** Curve25519 public key of a secret key (`crypto_scalarmult_base`). */
export function publicKeyOf<S extends SecretKey>(
  secretKey: S,
): S extends LongTermSecretKey ? LongTermPublicKey : S extends DhtSecretKey ? DhtPublicKey : EphemeralPublicKey {
  checkLength(secretKey, SECRET_KEY_SIZE, 'secret key');
  return sodium().crypto_scalarmult_base(secretKey) as never;
}

/** A fresh key pair from the injected randomness (deterministic under SeededRandom). */
export function generateKeyPair<P extends PublicKey, S extends SecretKey>(random: Random): KeyPair<P, S> {
  const secretKey = random.bytes(SECRET_KEY_SIZE) as S;
  return { secretKey, publicKey: sodium().crypto_scalarmult_base(secretKey) as P };
}

export function keyPairFromSecret<P extends PublicKey, S extends SecretKey>(secretKey: S): KeyPair<P, S> {
  checkLength(secretKey, SECRET_KEY_SIZE, 'secret key');
  return { secretKey, publicKey: sodium().crypto_scalarmult_base(secretKey) as P };
}

/** c-toxcore's `public_key_valid`: the high bit of the last byte must be clear. */
export function publicKeyValid(publicKey: Uint8Array): boolean {
  return publicKey.length === PUBLIC_KEY_SIZE && publicKey[31]! < 128;
}

/** Constant-time equality of two keys. */
export function keysEqual(a: Uint8Array, b: Uint8Array): boolean {
  if (a.length !== b.length) return false;
  let diff = 0;
  for (let i = 0; i < a.length; i++) diff |= a[i]! ^ b[i]!;
  return diff === 0;
}

/** Hex form used as a Map key for public keys. */
export function keyId(key: Uint8Array): string {
  return toHex(key);
}
