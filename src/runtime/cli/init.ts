/**
 * `tocsin init [dir]`: a new bot in `dir` — the config `bots/<id>.json`
 * (local-only network, the chosen plugins with default options) and its
 * profile `data/<id>.tox` with fresh keys — then the Tox ID and what to do
 * next. Existing files are never replaced without `--force`, and even then an
 * existing profile is kept (its identity is reused), so init never destroys
 * keys. The config is validated (schema and plugins) before anything is written.
 */
import { mkdir } from 'node:fs/promises';
import { join, relative, resolve } from 'node:path';
import { CryptoRandom, ToxError, utf8Encode } from '../../base/index.js';
import { formatToxId } from '../../crypto/index.js';
import { createProfile, loadProfile, readFileIfExists, saveProfile, writeFileAtomic, type Profile } from '../../storage/index.js';
import { loadPlugins } from '../bot/index.js';
import { parseConfig } from '../config/index.js';
import { PROJECT_ROOT, UsageError, passphraseFromEnv, type CliIo } from './common.js';

export interface InitOptions {
  dir: string;
  /** Identity id: names the config and profile files (default `bot`). */
  id: string;
  /** The bot's Tox display name. */
  name: string;
  plugins: readonly string[];
  /** Encrypt the profile with the passphrase in this environment variable (and record its name in the config). */
  passphraseEnv?: string;
  force: boolean;
}

export const DEFAULT_INIT_PLUGINS = Object.freeze(['auto-accept', 'echo']);

async function exists(path: string): Promise<boolean> {
  return (await readFileIfExists(path)) !== undefined;
}

export async function init(io: CliIo, options: InitOptions): Promise<void> {
  if (!/^[A-Za-z0-9_-]+$/.test(options.id)) throw new UsageError(`--id "${options.id}": letters, digits, "_" and "-" only`);
  if (options.plugins.length === 0) throw new UsageError('--plugins: name at least one plugin');
  const dir = resolve(options.dir);
  const configFile = join(dir, 'bots', `${options.id}.json`);
  const profileFile = join(dir, 'data', `${options.id}.tox`);
  const configExists = await exists(configFile);
  const profileExists = await exists(profileFile);
  if (!options.force && (configExists || profileExists)) {
    const found = [configExists ? configFile : undefined, profileExists ? profileFile : undefined].filter((f) => f !== undefined);
    throw new ToxError('FILE_EXISTS', `${found.join(' and ')} already exist${found.length === 1 ? 's' : ''}; pick another --id or directory, or pass --force (which keeps an existing profile)`, { files: found });
  }

  const config = {
    dataDir: 'data',
    logLevel: 'info',
    identities: [
      {
        id: options.id,
        name: options.name,
        statusMessage: '',
        ...(options.passphraseEnv !== undefined ? { passphraseEnv: options.passphraseEnv } : {}),
        network: { mode: 'local' },
        plugins: options.plugins.map((name) => ({ name })),
      },
    ],
  };
  // The file must pass `tocsin check`: schema first, then every plugin name and its default options.
  const parsed = parseConfig(config, configFile);
  await loadPlugins(parsed.identities[0]!.plugins, { root: PROJECT_ROOT, path: 'identities[0].plugins' });
  const passphrase = options.passphraseEnv !== undefined ? passphraseFromEnv(io, options.passphraseEnv, '--passphrase-env') : undefined;

  let profile: Profile;
  if (profileExists) {
    profile = await loadProfile(profileFile, passphrase !== undefined ? { passphrase } : {});
  } else {
    const random = new CryptoRandom();
    profile = createProfile(random);
    profile.name = utf8Encode(options.name);
    await mkdir(join(dir, 'data'), { recursive: true });
    await saveProfile(profileFile, profile, { random, backup: false, ...(passphrase !== undefined ? { passphrase } : {}) });
  }
  await mkdir(join(dir, 'bots'), { recursive: true });
  await writeFileAtomic(configFile, `${JSON.stringify(config, null, 2)}\n`, { mode: 0o644 });

  const configRel = relative(dir, configFile);
  const toxId = formatToxId({ publicKey: profile.keyPair.publicKey, nospam: profile.nospam });
  io.stdout.write(
    [
      `created ${configFile}`,
      profileExists ? `kept    ${profileFile} (existing profile)` : `created ${profileFile} (new keys${passphrase !== undefined ? ', encrypted' : ''})`,
      '',
      `Tox ID: ${toxId}`,
      '',
      'next:',
      `  cd ${dir}`,
      `  tocsin run ${configRel}              start it (local-only: loopback, state in ./data)`,
      `  tocsin run --console ${configRel}    talk to it here, without a network`,
      '  then add the Tox ID as a friend from qTox or toxic bootstrapped from the address `run` prints',
      '',
    ].join('\n'),
  );
}
