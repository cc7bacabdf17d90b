/**
 * `tocsin profile import|export|encrypt|decrypt`: moving Tox profiles (the
 * `.tox` save files of qTox, toxic and c-toxcore, plain or toxEsave-encrypted)
 * in and out of a bot identity, and converting them. Every input is decoded
 * as savedata before anything is written; the savedata bytes themselves are
 * carried over unchanged (only the encryption layer changes), so sections we
 * do not model survive. Writes are atomic: a wrong passphrase or a bad file
 * leaves every existing file as it was.
 */
import { mkdir } from 'node:fs/promises';
import { dirname, resolve } from 'node:path';
import { CryptoRandom, ToxError } from '../../base/index.js';
import { formatToxId } from '../../crypto/index.js';
import {
  ProfileError, decodeProfile, decryptData, encryptData, isEncryptedData, readFileIfExists, writeFileAtomic, EncryptedDataError, type Profile,
} from '../../storage/index.js';
import { loadConfigFile } from '../config/index.js';
import { PassphraseReader, identityPassphrase, profilePathOf, selectIdentity, type CliIo } from './common.js';

export interface ProfileCommandOptions {
  /** The .tox file the command reads (import, encrypt, decrypt) or writes (export). */
  file: string;
  /** Bot config of the identity (import, export). */
  configPath: string;
  identity?: string;
  /** Output path of encrypt/decrypt (default: in place). */
  out?: string;
  /** export: encrypt the written file. */
  encrypt: boolean;
  /** Environment variable with the passphrase of the file given on the command line. */
  passphraseEnv?: string;
  force: boolean;
}

async function readProfileFile(path: string): Promise<Uint8Array> {
  let bytes: Uint8Array | undefined;
  try {
    bytes = await readFileIfExists(path);
  } catch (err) {
    throw new ProfileError('PROFILE_IO_ERROR', `cannot read ${path}: ${(err as Error).message}`, { path }, { cause: err });
  }
  if (bytes === undefined) throw new ProfileError('PROFILE_NOT_FOUND', `there is no file at ${path}`, { path });
  return bytes;
}

/** The plain savedata of a profile file and its decoded profile (validation); asks for a passphrase only when it is encrypted. */
async function openProfileBytes(path: string, bytes: Uint8Array, passphrase: () => Promise<string | undefined>): Promise<{ plain: Uint8Array; profile: Profile }> {
  let plain = bytes;
  if (isEncryptedData(bytes)) {
    const pass = await passphrase();
    if (pass === undefined) throw new ProfileError('PROFILE_ENCRYPTED', `${path} is passphrase-encrypted; a passphrase is needed to open it`, { path });
    try {
      plain = await decryptData(bytes, pass);
    } catch (err) {
      if (err instanceof EncryptedDataError && err.code === 'WRONG_PASSPHRASE') {
        throw new ProfileError('WRONG_PASSPHRASE', `${path}: the passphrase does not open this profile (nothing was written)`, { path }, { cause: err });
      }
      throw new ProfileError('PROFILE_TRUNCATED', `${path}: ${(err as Error).message}`, { path }, { cause: err });
    }
  }
  try {
    return { plain, profile: await decodeProfile(plain) };
  } catch (err) {
    if (err instanceof ProfileError) throw new ProfileError(err.code, `${path}: not a Tox profile: ${err.message}`, { ...err.details, path }, { cause: err });
    throw err;
  }
}

async function refuseExisting(path: string, force: boolean, hint = 'pass --force to replace it'): Promise<boolean> {
  const existed = (await readFileIfExists(path)) !== undefined;
  if (existed && !force) throw new ToxError('FILE_EXISTS', `${path} already exists; ${hint}`, { path });
  return existed;
}

async function write(path: string, plain: Uint8Array, passphrase: string | undefined, backup: boolean): Promise<void> {
  const data = passphrase === undefined ? plain : await encryptData(plain, passphrase, new CryptoRandom());
  await mkdir(dirname(path), { recursive: true });
  await writeFileAtomic(path, data, { mode: 0o600, backup });
}

function idOf(profile: Profile): string {
  return formatToxId({ publicKey: profile.keyPair.publicKey, nospam: profile.nospam });
}

/** `profile import <file> [config]`: the file becomes the identity's profile (encrypted with the identity's passphrase if it has one). */
async function importProfile(io: CliIo, o: ProfileCommandOptions, reader: PassphraseReader): Promise<void> {
  const config = loadConfigFile(o.configPath);
  const { identity } = selectIdentity(config, o.identity);
  const target = profilePathOf(config, identity);
  const targetPass = identityPassphrase(io, identity);
  const source = resolve(o.file);
  const existed = await refuseExisting(target, o.force, 'pass --force to replace it (the old one is kept as .bak)');
  const { plain, profile } = await openProfileBytes(source, await readProfileFile(source), () => reader.read(`passphrase of ${o.file}`));
  await write(target, plain, targetPass, existed);
  io.stdout.write(`imported ${source}\n      as ${target} (identity ${identity.id}${targetPass !== undefined ? ', encrypted' : ''}${existed ? '; previous profile kept as .bak' : ''})\nTox ID: ${idOf(profile)}\n`);
}

/** `profile export <file> [config]`: the identity's profile written to a .tox file, plain or (--encrypt) encrypted. */
async function exportProfile(io: CliIo, o: ProfileCommandOptions, reader: PassphraseReader): Promise<void> {
  const config = loadConfigFile(o.configPath);
  const { identity } = selectIdentity(config, o.identity);
  const sourcePath = profilePathOf(config, identity);
  const target = resolve(o.file);
  await refuseExisting(target, o.force);
  const sourcePass = identityPassphrase(io, identity);
  const { plain, profile } = await openProfileBytes(sourcePath, await readProfileFile(sourcePath), async () => sourcePass);
  const pass = o.encrypt ? await reader.read(`new passphrase for ${o.file}`, { confirm: true }) : undefined;
  await write(target, plain, pass, false);
  io.stdout.write(`exported identity ${identity.id} to ${target}${pass !== undefined ? ' (encrypted)' : ' (not encrypted: it holds the secret key)'}\nTox ID: ${idOf(profile)}\n`);
}

/** `profile encrypt|decrypt <file>`: in place or to --out. */
async function convertProfile(io: CliIo, o: ProfileCommandOptions, reader: PassphraseReader, encrypt: boolean): Promise<void> {
  const source = resolve(o.file);
  const target = resolve(o.out ?? o.file);
  if (target !== source) await refuseExisting(target, o.force);
  const bytes = await readProfileFile(source);
  if (isEncryptedData(bytes) === encrypt) {
    throw new ToxError(encrypt ? 'PROFILE_ALREADY_ENCRYPTED' : 'PROFILE_NOT_ENCRYPTED', `${source} is ${encrypt ? 'already' : 'not'} encrypted; nothing to do`, { path: source });
  }
  const { plain, profile } = await openProfileBytes(source, bytes, () => reader.read(`passphrase of ${o.file}`));
  const pass = encrypt ? await reader.read(`new passphrase for ${o.out ?? o.file}`, { confirm: true }) : undefined;
  await write(target, plain, pass, false);
  io.stdout.write(`${encrypt ? 'encrypted' : 'decrypted'} ${source}${target !== source ? ` to ${target}` : ' in place'}\nTox ID: ${idOf(profile)}\n`);
}

export type ProfileSubcommand = 'import' | 'export' | 'encrypt' | 'decrypt';

export async function profileCommand(io: CliIo, sub: ProfileSubcommand, options: ProfileCommandOptions): Promise<void> {
  const reader = new PassphraseReader(io, options.passphraseEnv);
  try {
    if (sub === 'import') await importProfile(io, options, reader);
    else if (sub === 'export') await exportProfile(io, options, reader);
    else await convertProfile(io, options, reader, sub === 'encrypt');
  } finally {
    reader.close();
  }
}
