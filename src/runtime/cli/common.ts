/**
 * What every `tocsin` command shares: the I/O a command runs against (streams
 * and environment are passed in, so tests drive commands without a child
 * process), the error codes that mean "fix the invocation" (exit 2) rather
 * than "it failed" (exit 1), identity lookup in a config, profile paths, and
 * passphrases — from a named environment variable, else a line on stdin when
 * stdin is not a terminal, else an unechoed terminal prompt.
 */
import { resolve } from 'node:path';
import { createInterface, type Interface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { ToxError } from '../../base/index.js';
import type { BotConfig, IdentityConfig } from '../config/index.js';

/** The project root: `plugins/<name>` is resolved from here. */
export const PROJECT_ROOT = fileURLToPath(new URL('../../../', import.meta.url));

export interface TextOut {
  write(text: string): unknown;
  readonly isTTY?: boolean;
}

export interface TextIn extends NodeJS.ReadableStream {
  /** True for a terminal: passphrases are then prompted for, and the console shows a prompt. */
  readonly isTTY?: boolean;
  setRawMode?(mode: boolean): unknown;
}

export interface CliIo {
  readonly stdout: TextOut;
  readonly stderr: TextOut;
  readonly stdin: TextIn;
  readonly env: Readonly<Record<string, string | undefined>>;
}

/** Exit codes: 0 ok, 1 runtime failure, 2 usage or configuration error. */
export const EXIT = Object.freeze({ ok: 0, failure: 1, usage: 2 });

/** Error codes that exit with 2: the command line, the config or the environment must change. */
export const USAGE_ERROR_CODES: ReadonlySet<string> = new Set([
  'USAGE',
  'CONFIG_INVALID',
  'CONFIG_NOT_FOUND',
  'PLUGIN_NOT_FOUND',
  'PLUGIN_INVALID',
  'PLUGIN_OPTIONS_INVALID',
  'FILE_EXISTS',
  'IDENTITY_NOT_FOUND',
  'PASSPHRASE_MISSING',
  'PROFILE_ALREADY_ENCRYPTED',
  'PROFILE_NOT_ENCRYPTED',
]);

export class UsageError extends ToxError {
  constructor(message: string) {
    super('USAGE', message);
  }
}

export function profilePathOf(config: BotConfig, identity: IdentityConfig): string {
  return resolve(identity.profile ?? resolve(config.dataDir, `${identity.id}.tox`));
}

/** The identity with id `id`, or the first one. */
export function selectIdentity(config: BotConfig, id: string | undefined): { identity: IdentityConfig; index: number } {
  if (id === undefined) return { identity: config.identities[0]!, index: 0 };
  const index = config.identities.findIndex((i) => i.id === id);
  if (index < 0) {
    throw new ToxError('IDENTITY_NOT_FOUND', `no identity "${id}" in the config (it has: ${config.identities.map((i) => i.id).join(', ')})`, { id });
  }
  return { identity: config.identities[index]!, index };
}

/** The value of environment variable `name`; PASSPHRASE_MISSING when unset. */
export function passphraseFromEnv(io: CliIo, name: string, what: string): string {
  const value = io.env[name];
  if (value === undefined) throw new ToxError('PASSPHRASE_MISSING', `${what}: environment variable ${name} is not set`, { variable: name });
  return value;
}

/** The identity's profile passphrase (from its `passphraseEnv`), or undefined for a plain profile. */
export function identityPassphrase(io: CliIo, identity: IdentityConfig): string | undefined {
  if (identity.passphraseEnv === undefined) return undefined;
  return passphraseFromEnv(io, identity.passphraseEnv, `identity "${identity.id}"`);
}

/**
 * Passphrases asked for by a command. With `envName` every request reads
 * that variable; otherwise each request takes the next stdin line (stdin not
 * a terminal) or prompts on the terminal without echo (asking twice when a
 * new passphrase is being set).
 */
export class PassphraseReader {
  private lines: AsyncIterator<string> | undefined;
  private rl: Interface | undefined;

  constructor(
    private readonly io: CliIo,
    private readonly envName: string | undefined,
  ) {}

  async read(what: string, options: { confirm?: boolean } = {}): Promise<string> {
    if (this.envName !== undefined) return passphraseFromEnv(this.io, this.envName, what);
    if (this.io.stdin.isTTY && this.io.stdin.setRawMode) {
      const first = await this.prompt(`${what}: `);
      if (options.confirm && (await this.prompt('again: ')) !== first) throw new ToxError('PASSPHRASE_MISMATCH', 'the two passphrases differ');
      return first;
    }
    if (!this.rl) {
      this.rl = createInterface({ input: this.io.stdin, crlfDelay: Infinity });
      this.lines = this.rl[Symbol.asyncIterator]();
    }
    const next = await this.lines!.next();
    if (next.done) throw new ToxError('PASSPHRASE_MISSING', `${what}: no passphrase (give --passphrase-env <VAR>, or a line on stdin)`);
    return next.value;
  }

  close(): void {
    this.rl?.close();
  }

  /** Reads one line from the terminal in raw mode, echoing nothing. */
  private prompt(label: string): Promise<string> {
    const { stdin, stderr } = this.io;
    stderr.write(label);
    return new Promise((resolvePrompt, reject) => {
      let text = '';
      const done = (err?: Error): void => {
        stdin.removeListener('data', onData);
        stdin.setRawMode!(false);
        stdin.pause();
        stderr.write('\n');
        if (err) reject(err);
        else resolvePrompt(text);
      };
      const onData = (chunk: Buffer | string): void => {
        for (const c of chunk.toString()) {
          if (c === '\r' || c === '\n') return done();
          if (c === '\u0003' || c === '\u0004') return done(new ToxError('PASSPHRASE_MISSING', 'cancelled'));
          if (c === '\u007f' || c === '\b') text = text.slice(0, -1);
          else text += c;
        }
      };
      stdin.setRawMode!(true);
      stdin.on('data', onData);
      stdin.resume();
    });
  }
}
