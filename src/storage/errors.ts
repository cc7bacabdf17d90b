/**
 * Typed errors of the storage layer. `ProfileError` names what is wrong with a
 * profile file (its `code` is stable, its message says where: section type,
 * offset, path); `EncryptedDataError` covers the toxEsave container on its own.
 */
import { ToxError } from '../base/index.js';

export type ProfileErrorCode =
  /** No file at the given path. */
  | 'PROFILE_NOT_FOUND'
  /** The file exists but could not be read. */
  | 'PROFILE_IO_ERROR'
  /** The data ends early: short header, a section overrunning the end, no END section. */
  | 'PROFILE_TRUNCATED'
  /** The first 8 bytes are not a c-toxcore savedata header. */
  | 'PROFILE_BAD_MAGIC'
  /** A section header is corrupted or a section body does not decode. */
  | 'PROFILE_BAD_SECTION'
  /** There is no NOSPAMKEYS section, so the profile has no identity. */
  | 'PROFILE_MISSING_KEYS'
  /** The stored public key is not the one derived from the stored secret key. */
  | 'PROFILE_KEY_MISMATCH'
  /** The profile is passphrase-encrypted and no passphrase was given. */
  | 'PROFILE_ENCRYPTED'
  /** The passphrase does not open the encrypted profile (or the ciphertext is damaged). */
  | 'WRONG_PASSPHRASE';

export class ProfileError extends ToxError {
  declare readonly code: ProfileErrorCode;

  constructor(code: ProfileErrorCode, message: string, details: Record<string, unknown> = {}, options?: { cause?: unknown }) {
    super(code, message, details, options);
  }
}

export type EncryptedDataErrorCode =
  /** Not longer than the 80-byte toxEsave overhead. */
  | 'ENCRYPTED_TOO_SHORT'
  /** Does not start with the `toxEsave` magic. */
  | 'ENCRYPTED_BAD_MAGIC'
  /** The secretbox does not open: wrong passphrase or damaged ciphertext. */
  | 'WRONG_PASSPHRASE'
  /** toxEsave cannot hold an empty plaintext. */
  | 'EMPTY_PLAINTEXT'
  /** scrypt itself failed (out of memory). */
  | 'KEY_DERIVATION_FAILED';

export class EncryptedDataError extends ToxError {
  declare readonly code: EncryptedDataErrorCode;

  constructor(code: EncryptedDataErrorCode, message: string, details: Record<string, unknown> = {}, options?: { cause?: unknown }) {
    super(code, message, details, options);
  }
}
