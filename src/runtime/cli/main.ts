/**
 * `tocsin` argument handling: the usage text, one option table per command,
 * dispatch to the command modules, and the mapping of failures to exit codes
 * (0 ok, 1 runtime failure, 2 usage or configuration error) with one message
 * line per failure on stderr.
 */
import { parseArgs, type ParseArgsConfig } from 'node:util';
import { CryptoRandom, RealScheduler, ToxError, createLogger, textSink } from '../../base/index.js';
import { initCrypto } from '../../crypto/index.js';
import { loadPlugins } from '../bot/index.js';
import { loadConfigFile } from '../config/index.js';
import { EXIT, PROJECT_ROOT, USAGE_ERROR_CODES, UsageError, selectIdentity, type CliIo } from './common.js';
import { runConsole } from './console.js';
import { DEFAULT_INIT_PLUGINS, init } from './init.js';
import { profileCommand, type ProfileSubcommand } from './profile.js';
import { check, printIds, runNetwork } from './run.js';

export const DEFAULT_CONFIG = 'bots/echo.json';

export const USAGE = `usage: tocsin <command> [arguments] [options]

commands:
  run [config]                  start the bot(s) of a config (default ${DEFAULT_CONFIG})
  run --console [config]        talk to an identity's plugins on an in-memory node: no network,
      [--identity <id>]         no profile; lines on stdin are messages, /help lists the rest
  id [config]                   print the Tox ID of each identity (creating nothing)
  check [config]                validate a config and its plugins' options
  init [dir]                    create bots/<id>.json and a new profile data/<id>.tox in dir
      [--id <id>] [--name <display name>] [--plugins <a,b,...>] [--passphrase-env <VAR>] [--force]
                                (defaults: dir ".", id "bot", plugins ${DEFAULT_INIT_PLUGINS.join(',')})
  profile import <file> [config]  validate a .tox file (qTox, toxic, c-toxcore; plain or
                                  encrypted) and make it an identity's profile
  profile export <file> [config]  write an identity's profile to a .tox file (--encrypt to encrypt it)
  profile encrypt <file>          encrypt a .tox file in place, or to --out <path>
  profile decrypt <file>          decrypt a .tox file in place, or to --out <path>
      [--identity <id>] [--passphrase-env <VAR>] [--out <path>] [--force]

options:
  --identity <id>         the identity of a multi-identity config (default: the first)
  --passphrase-env <VAR>  read the passphrase of the .tox file named on the command line from
                          environment variable VAR; without it each passphrase is one line on
                          stdin (when stdin is not a terminal) or an unechoed prompt.
                          Passphrases are never command-line arguments. An identity's own
                          profile passphrase comes from its config's "passphraseEnv".
  --force                 replace an existing file (init keeps an existing profile; profile
                          import keeps the replaced one as <profile>.bak)
  -h, --help              this text

exit codes:
  0  ok
  1  failure while working: I/O error, wrong passphrase, damaged profile, network
  2  usage or configuration error: bad arguments, invalid config or plugin options, unknown
     identity, passphrase variable not set, file exists (without --force)`;

type Options = NonNullable<ParseArgsConfig['options']>;

const COMMAND_OPTIONS: Record<string, Options> = {
  run: { console: { type: 'boolean' }, identity: { type: 'string' } },
  id: {},
  check: {},
  init: { id: { type: 'string' }, name: { type: 'string' }, plugins: { type: 'string' }, 'passphrase-env': { type: 'string' }, force: { type: 'boolean' } },
  profile: { identity: { type: 'string' }, 'passphrase-env': { type: 'string' }, out: { type: 'string' }, encrypt: { type: 'boolean' }, force: { type: 'boolean' } },
};

const PROFILE_SUBCOMMANDS = new Set<string>(['import', 'export', 'encrypt', 'decrypt']);

function parse(command: string, args: string[]) {
  const options = COMMAND_OPTIONS[command];
  if (!options) throw new UsageError(`unknown command "${command}"`);
  try {
    return parseArgs({ args, allowPositionals: true, strict: true, options: { ...options, help: { type: 'boolean', short: 'h' } } });
  } catch (err) {
    throw new UsageError(`${command}: ${(err as Error).message}`);
  }
}

function atMost(positionals: string[], n: number, command: string): void {
  if (positionals.length > n) throw new UsageError(`${command}: unexpected arguments: ${positionals.slice(n).join(' ')}`);
}

async function consoleCommand(io: CliIo, configPath: string, identityId: string | undefined): Promise<void> {
  const config = loadConfigFile(configPath);
  const { identity, index } = selectIdentity(config, identityId);
  const plugins = await loadPlugins(identity.plugins, { root: PROJECT_ROOT, path: `identities[${index}].plugins` });
  const scheduler = new RealScheduler();
  await runConsole({
    identity,
    identityIndex: index,
    plugins,
    input: io.stdin,
    output: io.stdout,
    scheduler,
    random: new CryptoRandom(),
    log: createLogger({ level: config.logLevel, sink: textSink(io.stderr) }).child({ identity: identity.id }),
  });
}

async function dispatch(io: CliIo, command: string, args: string[]): Promise<boolean> {
  const parsed = parse(command, args);
  const positionals = parsed.positionals;
  const values = parsed.values as Record<string, string | boolean | undefined>;
  if (values.help) return false;
  const str = (name: string): string | undefined => (typeof values[name] === 'string' ? values[name] : undefined);
  const flag = (name: string): boolean => values[name] === true;
  switch (command) {
    case 'run':
      atMost(positionals, 1, command);
      if (flag('console')) await consoleCommand(io, positionals[0] ?? DEFAULT_CONFIG, str('identity'));
      else if (str('identity') !== undefined) throw new UsageError('run: --identity only applies with --console');
      else await runNetwork(io, positionals[0] ?? DEFAULT_CONFIG);
      return true;
    case 'id':
      atMost(positionals, 1, command);
      await printIds(io, positionals[0] ?? DEFAULT_CONFIG);
      return true;
    case 'check':
      atMost(positionals, 1, command);
      await check(io, positionals[0] ?? DEFAULT_CONFIG);
      return true;
    case 'init': {
      atMost(positionals, 1, command);
      const id = str('id') ?? 'bot';
      const plugins = (str('plugins') ?? DEFAULT_INIT_PLUGINS.join(',')).split(',').map((p) => p.trim()).filter((p) => p !== '');
      const passphraseEnv = str('passphrase-env');
      await init(io, { dir: positionals[0] ?? '.', id, name: str('name') ?? `Tocsin ${id}`, plugins, force: flag('force'), ...(passphraseEnv !== undefined ? { passphraseEnv } : {}) });
      return true;
    }
    case 'profile': {
      const [sub, file, second, ...extra] = positionals;
      if (sub === undefined || !PROFILE_SUBCOMMANDS.has(sub)) throw new UsageError(`profile: expected import, export, encrypt or decrypt${sub !== undefined ? `, got "${sub}"` : ''}`);
      if (file === undefined) throw new UsageError(`profile ${sub}: name the .tox file`);
      const usesConfig = sub === 'import' || sub === 'export';
      if (extra.length > 0 || (!usesConfig && second !== undefined)) throw new UsageError(`profile ${sub}: unexpected arguments: ${[...(usesConfig ? [] : [second]), ...extra].join(' ')}`);
      if (usesConfig && str('out') !== undefined) throw new UsageError(`profile ${sub}: --out only applies to encrypt and decrypt`);
      if (sub !== 'export' && flag('encrypt')) throw new UsageError(`profile ${sub}: --encrypt only applies to export`);
      if (!usesConfig && str('identity') !== undefined) throw new UsageError(`profile ${sub}: --identity only applies to import and export`);
      const identity = str('identity');
      const out = str('out');
      const passphraseEnv = str('passphrase-env');
      await profileCommand(io, sub as ProfileSubcommand, {
        file,
        configPath: second ?? DEFAULT_CONFIG,
        encrypt: flag('encrypt'),
        force: flag('force'),
        ...(identity !== undefined ? { identity } : {}),
        ...(out !== undefined ? { out } : {}),
        ...(passphraseEnv !== undefined ? { passphraseEnv } : {}),
      });
      return true;
    }
    default:
      throw new UsageError(`unknown command "${command}"`);
  }
}

/** Runs one `tocsin` command line; resolves with the exit code (a network `run` resolves once started). */
export async function main(argv: string[], io: CliIo): Promise<number> {
  const [command, ...args] = argv;
  if (command === undefined || command === '--help' || command === '-h' || command === 'help') {
    io.stdout.write(`${USAGE}\n`);
    return command === undefined ? EXIT.usage : EXIT.ok;
  }
  try {
    await initCrypto();
    if (!(await dispatch(io, command, args))) io.stdout.write(`${USAGE}\n`);
    return EXIT.ok;
  } catch (err) {
    if (err instanceof UsageError) {
      io.stderr.write(`tocsin: ${err.message}\n(tocsin --help for usage)\n`);
      return EXIT.usage;
    }
    if (err instanceof ToxError && USAGE_ERROR_CODES.has(err.code)) {
      io.stderr.write(`tocsin: ${err.message}\n`);
      return EXIT.usage;
    }
    const code = err instanceof ToxError ? ` [${err.code}]` : '';
    io.stderr.write(`tocsin: ${err instanceof Error ? err.message : String(err)}${code}\n`);
    return EXIT.failure;
  }
}
