// `tocsin` in-process: usage and exit codes (0 ok, 1 failure, 2 usage/config), `init` (files,
// refusal to overwrite, --force keeping the profile, encrypted profiles), `check` and `id`.
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { formatToxId } from '../../../../src/crypto/index.js';
import { main } from '../../../../src/runtime/cli/main.js';
import { parseConfig } from '../../../../src/runtime/config/index.js';
import { isEncryptedData, loadProfile } from '../../../../src/storage/index.js';
import { testIo } from './io.js';

const dirs: string[] = [];
afterEach(() => {
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});
function tempDir(): string {
  const d = mkdtempSync(join(tmpdir(), 'tocsin-cli-'));
  dirs.push(d);
  return d;
}

describe('usage and exit codes', () => {
  it('--help lists every command and the exit codes, exit 0; no command is exit 2', async () => {
    const io = testIo();
    expect(await main(['--help'], io)).toBe(0);
    for (const word of ['run [config]', 'run --console', 'id [config]', 'check [config]', 'init [dir]', 'profile import', 'profile export', 'profile encrypt', 'profile decrypt', '--passphrase-env', 'exit codes']) {
      expect(io.out()).toContain(word);
    }
    expect(await main([], testIo())).toBe(2);
    const sub = testIo();
    expect(await main(['init', '--help'], sub)).toBe(0);
    expect(sub.out()).toContain('usage: tocsin');
  });

  it.each([
    [['frobnicate']],
    [['init', '--bogus']],
    [['check', 'a.json', 'b.json']],
    [['profile']],
    [['profile', 'rename', 'x.tox']],
    [['profile', 'encrypt']],
    [['profile', 'encrypt', 'x.tox', '--encrypt']],
    [['profile', 'import', 'x.tox', '--out', 'y.tox']],
    [['run', '--identity', 'echo']],
    [['run', '--console', 'bots/echo.json', '--identity', 'nobody']],
    [['run', '--console', 'no/such/config.json']],
  ])('misuse %j exits 2 with a message on stderr', async (argv) => {
    const io = testIo();
    expect(await main(argv, io)).toBe(2);
    expect(io.err()).toMatch(/^tocsin: /);
    expect(io.out()).toBe('');
  });

  it('a missing or invalid config is exit 2, naming the file', async () => {
    const dir = tempDir();
    const missing = testIo();
    expect(await main(['check', join(dir, 'none.json')], missing)).toBe(2);
    expect(missing.err()).toContain('none.json');
    writeFileSync(join(dir, 'bad.json'), JSON.stringify({ identities: [{ id: 'x', network: { mode: 'local', udp: { host: '10.0.0.1' } } }] }));
    const bad = testIo();
    expect(await main(['check', join(dir, 'bad.json')], bad)).toBe(2);
    expect(bad.err()).toContain('identities[0].network.udp.host');
  });

  it('check validates the plugins too: an unknown plugin is exit 2', async () => {
    const dir = tempDir();
    writeFileSync(join(dir, 'c.json'), JSON.stringify({ identities: [{ id: 'x', plugins: [{ name: 'no-such-plugin-here' }] }] }));
    const io = testIo();
    expect(await main(['check', join(dir, 'c.json')], io)).toBe(2);
    expect(io.err()).toContain('no-such-plugin-here');
  });

  it('the shipped default config checks ok', async () => {
    const io = testIo();
    expect(await main(['check'], io)).toBe(0);
    expect(io.out()).toContain('bots/echo.json: ok');
  });
});

describe('tocsin init', () => {
  it('writes a valid local-only config and a new profile, and prints its Tox ID and next steps', async () => {
    const dir = tempDir();
    const io = testIo();
    expect(await main(['init', dir, '--id', 'greeter', '--name', 'Greeter'], io)).toBe(0);
    const configFile = join(dir, 'bots/greeter.json');
    const config = parseConfig(JSON.parse(readFileSync(configFile, 'utf8')));
    const identity = config.identities[0]!;
    expect(identity).toMatchObject({ id: 'greeter', name: 'Greeter', network: { mode: 'local' } });
    expect(identity.plugins.map((p) => p.name)).toEqual(['auto-accept', 'echo']);
    const profile = await loadProfile(join(dir, 'data/greeter.tox'));
    const toxId = formatToxId({ publicKey: profile.keyPair.publicKey, nospam: profile.nospam });
    expect(io.out()).toContain(`Tox ID: ${toxId}`);
    expect(io.out()).toContain('tocsin run bots/greeter.json');
    expect(new TextDecoder().decode(profile.name)).toBe('Greeter');
    const checked = testIo();
    expect(await main(['check', configFile], checked)).toBe(0);
  });

  it('refuses to overwrite (exit 2, files untouched); --force rewrites the config and keeps the profile', async () => {
    const dir = tempDir();
    expect(await main(['init', dir], testIo())).toBe(0);
    const configFile = join(dir, 'bots/bot.json');
    const profileFile = join(dir, 'data/bot.tox');
    const profileBytes = readFileSync(profileFile);
    writeFileSync(configFile, '{"edited": true}');
    const again = testIo();
    expect(await main(['init', dir], again)).toBe(2);
    expect(again.err()).toContain('already exist');
    expect(readFileSync(configFile, 'utf8')).toBe('{"edited": true}');

    const forced = testIo();
    expect(await main(['init', dir, '--force', '--plugins', 'echo'], forced)).toBe(0);
    expect(readFileSync(profileFile)).toEqual(profileBytes);
    expect(forced.out()).toContain('existing profile');
    expect(parseConfig(JSON.parse(readFileSync(configFile, 'utf8'))).identities[0]!.plugins.map((p) => p.name)).toEqual(['echo']);
  });

  it('refuses when only the profile exists', async () => {
    const dir = tempDir();
    expect(await main(['init', dir], testIo())).toBe(0);
    rmSync(join(dir, 'bots/bot.json'));
    expect(await main(['init', dir], testIo())).toBe(2);
    expect(existsSync(join(dir, 'bots/bot.json'))).toBe(false);
  });

  it('--passphrase-env encrypts the profile and records the variable name (never the value)', async () => {
    const dir = tempDir();
    const unset = testIo();
    expect(await main(['init', dir, '--passphrase-env', 'BOT_PASS'], unset)).toBe(2);
    expect(unset.err()).toContain('BOT_PASS');
    expect(existsSync(join(dir, 'data/bot.tox'))).toBe(false);
    expect(existsSync(join(dir, 'bots/bot.json'))).toBe(false);

    expect(await main(['init', dir, '--passphrase-env', 'BOT_PASS'], testIo({ env: { BOT_PASS: 'hunter2 hunter2' } }))).toBe(0);
    const text = readFileSync(join(dir, 'bots/bot.json'), 'utf8');
    expect(JSON.parse(text).identities[0].passphraseEnv).toBe('BOT_PASS');
    expect(text).not.toContain('hunter2');
    const bytes = new Uint8Array(readFileSync(join(dir, 'data/bot.tox')));
    expect(isEncryptedData(bytes)).toBe(true);
    await expect(loadProfile(join(dir, 'data/bot.tox'), { passphrase: 'hunter2 hunter2' })).resolves.toBeDefined();
  });

  it('an unknown plugin or a bad id is exit 2 and writes nothing', async () => {
    const dir = tempDir();
    const io = testIo();
    expect(await main(['init', dir, '--plugins', 'echo,nope-not-a-plugin'], io)).toBe(2);
    expect(io.err()).toContain('nope-not-a-plugin');
    expect(await main(['init', dir, '--id', '../escape'], testIo())).toBe(2);
    expect(existsSync(join(dir, 'bots'))).toBe(false);
    expect(existsSync(join(dir, 'data'))).toBe(false);
  });
});

describe('tocsin id', () => {
  it('prints the Tox ID of each identity; a passphrase variable that is not set is exit 2', async () => {
    const dir = tempDir();
    expect(await main(['init', dir, '--passphrase-env', 'P'], testIo({ env: { P: 'pw' } }))).toBe(0);
    const profile = await loadProfile(join(dir, 'data/bot.tox'), { passphrase: 'pw' });
    // The generated config's dataDir is relative to the working directory; point it at `dir`.
    const config = JSON.parse(readFileSync(join(dir, 'bots/bot.json'), 'utf8'));
    config.dataDir = join(dir, 'data');
    writeFileSync(join(dir, 'abs.json'), JSON.stringify(config));
    const io = testIo({ env: { P: 'pw' } });
    expect(await main(['id', join(dir, 'abs.json')], io)).toBe(0);
    expect(io.out()).toBe(`bot ${formatToxId({ publicKey: profile.keyPair.publicKey, nospam: profile.nospam })}\n`);
    expect(await main(['id', join(dir, 'abs.json')], testIo())).toBe(2);
    const wrong = testIo({ env: { P: 'not it' } });
    expect(await main(['id', join(dir, 'abs.json')], wrong)).toBe(1);
    expect(wrong.err()).toContain('WRONG_PASSPHRASE');
  });
});
