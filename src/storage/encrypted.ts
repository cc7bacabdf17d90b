/**
 * toxencryptsave's passphrase container, byte-compatible with c-toxcore's
 * tox_pass_encrypt / tox_pass_decrypt:
 *
 *   [8 "toxEsave"][32 salt][24 nonce][16 MAC + N ciphertext]   (N + 80 bytes)
 *
 * key = scrypt(SHA-256(passphrase), salt, N=16384, r=8, p=2, 32 bytes) — what
 * libsodium derives from c-toxcore's opslimit/memlimit — and the body is a
 * XSalsa20-Poly1305 secretbox. Salt and nonce come from the injected Random.
 */
import { scrypt } from 'node:crypto';
import { bytesEqual, concatBytes, utf8Encode, type Random } from '../base/index.js';
import { MAC_SIZE, NONCE_SIZE, secretboxOpen, secretboxSeal, sha256 } from '../crypto/index.js';
import { EncryptedDataError } from './errors.js';

export const ENCRYPTION_MAGIC = utf8Encode('toxEsave');
export const ENCRYPTION_SALT_SIZE = 32;
/** Bytes toxEsave adds to the plaintext (TOX_PASS_ENCRYPTION_EXTRA_LENGTH). */
export const ENCRYPTION_EXTRA_LENGTH = ENCRYPTION_MAGIC.length + ENCRYPTION_SALT_SIZE + NONCE_SIZE + MAC_SIZE;

const SCRYPT = { N: 16384, r: 8, p: 2, keyLength: 32 } as const;
/** scrypt needs 128·N·r = 16 MiB; Node's default ceiling is 32 MiB, leave ample room. */
const SCRYPT_MAX_MEMORY = 64 * 1024 * 1024;

const SALT_AT = ENCRYPTION_MAGIC.length;
const NONCE_AT = SALT_AT + ENCRYPTION_SALT_SIZE;
const BOX_AT = NONCE_AT + NONCE_SIZE;

export type Passphrase = string | Uint8Array;

/** True when `data` starts with the `toxEsave` magic (tox_is_data_encrypted). */
export function isEncryptedData(data: Uint8Array): boolean {
  return data.length >= ENCRYPTION_MAGIC.length && bytesEqual(data.subarray(0, ENCRYPTION_MAGIC.length), ENCRYPTION_MAGIC);
}

/** The 32-byte secretbox key for `passphrase` (UTF-8 when a string) and `salt`. */
export function derivePassKey(passphrase: Passphrase, salt: Uint8Array): Promise<Uint8Array> {
  const password = sha256(typeof passphrase === 'string' ? utf8Encode(passphrase) : passphrase);
  return new Promise((resolve, reject) => {
    scrypt(password, salt, SCRYPT.keyLength, { N: SCRYPT.N, r: SCRYPT.r, p: SCRYPT.p, maxmem: SCRYPT_MAX_MEMORY }, (err, key) => {
      if (err) reject(new EncryptedDataError('KEY_DERIVATION_FAILED', `scrypt failed: ${err.message}`, {}, { cause: err }));
      else resolve(new Uint8Array(key.buffer, key.byteOffset, key.byteLength));
    });
  });
}

/** tox_pass_encrypt: a fresh random salt and nonce for every call. */
export async function encryptData(plain: Uint8Array, passphrase: Passphrase, random: Random): Promise<Uint8Array> {
  if (plain.length === 0) throw new EncryptedDataError('EMPTY_PLAINTEXT', 'toxEsave cannot encrypt empty data');
  const salt = random.bytes(ENCRYPTION_SALT_SIZE);
  const nonce = random.bytes(NONCE_SIZE);
  const key = await derivePassKey(passphrase, salt);
  return concatBytes(ENCRYPTION_MAGIC, salt, nonce, secretboxSeal(key, nonce, plain));
}

/** tox_pass_decrypt. Throws EncryptedDataError: ENCRYPTED_TOO_SHORT, ENCRYPTED_BAD_MAGIC or WRONG_PASSPHRASE. */
export async function decryptData(data: Uint8Array, passphrase: Passphrase): Promise<Uint8Array> {
  if (data.length <= ENCRYPTION_EXTRA_LENGTH) {
    throw new EncryptedDataError(
      'ENCRYPTED_TOO_SHORT',
      `encrypted data must be longer than ${ENCRYPTION_EXTRA_LENGTH} bytes, got ${data.length}`,
      { length: data.length },
    );
  }
  if (!isEncryptedData(data)) throw new EncryptedDataError('ENCRYPTED_BAD_MAGIC', 'data does not start with the "toxEsave" magic');
  const key = await derivePassKey(passphrase, data.subarray(SALT_AT, NONCE_AT));
  const plain = secretboxOpen(key, data.subarray(NONCE_AT, BOX_AT), data.subarray(BOX_AT));
  if (plain === undefined) {
    throw new EncryptedDataError('WRONG_PASSPHRASE', 'the passphrase does not decrypt this data (wrong passphrase, or the data is damaged)');
  }
  return plain;
}
