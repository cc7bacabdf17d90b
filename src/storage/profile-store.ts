/**
 * Profiles on disk: create a fresh identity, load a (possibly passphrase-
 * encrypted) profile file, and save one atomically with a one-generation
 * backup. Loading only ever reads: a failed load leaves the file untouched.
 * Failures are ProfileErrors whose code names the problem.
 */
import type { Logger, Random } from '../base/index.js';
import { generateKeyPair, NOSPAM_SIZE, type LongTermPublicKey, type LongTermSecretKey } from '../crypto/index.js';
import { readFileIfExists, writeFileAtomic } from './atomic-file.js';
import { decryptData, encryptData, isEncryptedData, type Passphrase } from './encrypted.js';
import { EncryptedDataError, ProfileError } from './errors.js';
import { decodeSavedata, encodeSavedata } from './savedata/savedata.js';
import { emptyProfileContent, type Profile } from './savedata/profile.js';

/** A new identity (fresh long-term keys, random nospam) with nothing else in it. */
export function createProfile(random: Random): Profile {
  return {
    nospam: random.bytes(NOSPAM_SIZE),
    keyPair: generateKeyPair<LongTermPublicKey, LongTermSecretKey>(random),
    ...emptyProfileContent(),
  };
}

export interface DecodeProfileOptions {
  /** Needed when the data is toxEsave-encrypted; ignored otherwise. */
  passphrase?: Passphrase;
  /** Told about skipped unknown sections. */
  logger?: Logger;
}

/** Profile file contents (plain savedata or toxEsave) to a Profile. Throws ProfileError. */
export async function decodeProfile(bytes: Uint8Array, options: DecodeProfileOptions = {}): Promise<Profile> {
  let plain = bytes;
  if (isEncryptedData(bytes)) {
    if (options.passphrase === undefined) {
      throw new ProfileError('PROFILE_ENCRYPTED', 'the profile is passphrase-encrypted; a passphrase is needed to open it');
    }
    try {
      plain = await decryptData(bytes, options.passphrase);
    } catch (err) {
      if (!(err instanceof EncryptedDataError) || (err.code !== 'WRONG_PASSPHRASE' && err.code !== 'ENCRYPTED_TOO_SHORT')) throw err;
      const code = err.code === 'WRONG_PASSPHRASE' ? 'WRONG_PASSPHRASE' : 'PROFILE_TRUNCATED';
      throw new ProfileError(code, `encrypted profile: ${err.message}`, { ...err.details }, { cause: err });
    }
  }
  return decodeSavedata(plain, {
    onUnknownSection: (section) => options.logger?.warn('skipping unknown profile section', { ...section }),
  });
}

export type LoadProfileOptions = DecodeProfileOptions;

/** Reads and decodes the profile at `path`. Throws ProfileError (PROFILE_NOT_FOUND when there is no file). */
export async function loadProfile(path: string, options: LoadProfileOptions = {}): Promise<Profile> {
  let bytes: Uint8Array | undefined;
  try {
    bytes = await readFileIfExists(path);
  } catch (err) {
    throw new ProfileError('PROFILE_IO_ERROR', `cannot read the profile ${path}: ${(err as Error).message}`, { path }, { cause: err });
  }
  if (bytes === undefined) throw new ProfileError('PROFILE_NOT_FOUND', `there is no profile at ${path}`, { path });
  try {
    return await decodeProfile(bytes, options);
  } catch (err) {
    if (!(err instanceof ProfileError)) throw err;
    throw new ProfileError(err.code, `${path}: ${err.message}`, { ...err.details, path }, { cause: err });
  }
}

export interface SaveProfileOptions {
  /** Salt and nonce for encryption. */
  random: Random;
  /** Encrypt with toxEsave (c-toxcore's tox_pass_encrypt format). */
  passphrase?: Passphrase;
  /** Keep the replaced file as `<path>.bak` (default true). */
  backup?: boolean;
}

/** Encodes, optionally encrypts, and atomically replaces the profile at `path` (mode 0600). */
export async function saveProfile(path: string, profile: Profile, options: SaveProfileOptions): Promise<void> {
  const plain = encodeSavedata(profile);
  const data = options.passphrase === undefined ? plain : await encryptData(plain, options.passphrase, options.random);
  await writeFileAtomic(path, data, { backup: options.backup ?? true, mode: 0o600 });
}
