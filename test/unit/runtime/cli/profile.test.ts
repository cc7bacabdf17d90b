// `tocsin profile import|export|encrypt|decrypt` in-process, with profiles made by our storage
// layer and, where libtoxcore is installed, encrypted by c-toxcore's tox_pass_encrypt and
// checked with its tox_pass_decrypt (no Tox instance, no sockets). A wrong passphrase or a bad
// file must leave every file as it was.
import { mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PassThrough } from 'node:stream';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { SeededRandom, utf8Encode } from '../../../../src/base/index.js';
import { main } from '../../../../src/runtime/cli/main.js';
import { createProfile, decodeSavedata, encodeSavedata, encryptData, isEncryptedData, loadProfile, type Profile } from '../../../../src/storage/index.js';
import { toxPassDecrypt, toxPassEncrypt } from '../../../support/toxcore/encryptsave.js';
import { requireToxcore } from '../../../support/toxcore/lib.js';
import { testIo } from './io.js';

const PASS = 'correct horse battery staple';
let dir: string;
let profile: Profile;
let plain: Uint8Array;

beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'tocsin-cli-profile-'));
  profile = createProfile(new SeededRandom(7));
  profile.name = utf8Encode('imported friend of qTox');
  plain = encodeSavedata(profile);
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

const bytesOf = (path: string): Uint8Array => new Uint8Array(readFileSync(path));

/** A config whose identity `bot` keeps its profile at `dir/data/bot.tox`, optionally encrypted with $BOT_PASS. */
function writeConfig(options: { encrypted?: boolean } = {}): string {
  const file = join(dir, 'bot.json');
  writeFileSync(file, JSON.stringify({ dataDir: join(dir, 'data'), identities: [{ id: 'bot', ...(options.encrypted ? { passphraseEnv: 'BOT_PASS' } : {}) }] }));
  return file;
}

function expectSameIdentity(loaded: Profile): void {
  expect(loaded.keyPair.publicKey).toEqual(profile.keyPair.publicKey);
  expect(loaded.keyPair.secretKey).toEqual(profile.keyPair.secretKey);
  expect(loaded.nospam).toEqual(profile.nospam);
  expect(loaded.name).toEqual(profile.name);
}

describe('profile import', () => {
  it('imports a plain .tox as the identity profile and prints its Tox ID', async () => {
    writeFileSync(join(dir, 'qtox.tox'), plain);
    const io = testIo();
    expect(await main(['profile', 'import', join(dir, 'qtox.tox'), writeConfig()], io)).toBe(0);
    expect(bytesOf(join(dir, 'data/bot.tox'))).toEqual(plain);
    expect(io.out()).toMatch(/Tox ID: [0-9A-F]{76}/);
  });

  it('decrypts an encrypted .tox (passphrase on stdin) and re-encrypts it with the identity passphrase', async () => {
    writeFileSync(join(dir, 'enc.tox'), await encryptData(plain, PASS, new SeededRandom(1)));
    const io = testIo({ stdin: `${PASS}\n`, env: { BOT_PASS: 'bot secret' } });
    expect(await main(['profile', 'import', join(dir, 'enc.tox'), writeConfig({ encrypted: true })], io)).toBe(0);
    const written = bytesOf(join(dir, 'data/bot.tox'));
    expect(isEncryptedData(written)).toBe(true);
    expectSameIdentity(await loadProfile(join(dir, 'data/bot.tox'), { passphrase: 'bot secret' }));
  });

  it('a wrong passphrase is exit 1 and writes nothing; an existing profile needs --force and is kept as .bak', async () => {
    writeFileSync(join(dir, 'enc.tox'), await encryptData(plain, PASS, new SeededRandom(1)));
    const config = writeConfig();
    const wrong = testIo({ env: { IN: 'wrong' } });
    expect(await main(['profile', 'import', join(dir, 'enc.tox'), config, '--passphrase-env', 'IN'], wrong)).toBe(1);
    expect(wrong.err()).toContain('WRONG_PASSPHRASE');
    expect(readdirSync(dir).sort()).toEqual(['bot.json', 'enc.tox']);

    expect(await main(['profile', 'import', join(dir, 'enc.tox'), config, '--passphrase-env', 'IN'], testIo({ env: { IN: PASS } }))).toBe(0);
    const first = bytesOf(join(dir, 'data/bot.tox'));
    const other = encodeSavedata(createProfile(new SeededRandom(99)));
    writeFileSync(join(dir, 'other.tox'), other);
    expect(await main(['profile', 'import', join(dir, 'other.tox'), config], testIo())).toBe(2);
    expect(bytesOf(join(dir, 'data/bot.tox'))).toEqual(first);
    expect(await main(['profile', 'import', join(dir, 'other.tox'), config, '--force'], testIo())).toBe(0);
    expect(bytesOf(join(dir, 'data/bot.tox'))).toEqual(other);
    expect(bytesOf(join(dir, 'data/bot.tox.bak'))).toEqual(first);
  });

  it('rejects a file that is not a Tox profile (exit 1, nothing written)', async () => {
    writeFileSync(join(dir, 'junk.tox'), 'this is not savedata at all');
    const io = testIo();
    expect(await main(['profile', 'import', join(dir, 'junk.tox'), writeConfig()], io)).toBe(1);
    expect(io.err()).toContain('not a Tox profile');
    expect(readdirSync(dir).sort()).toEqual(['bot.json', 'junk.tox']);
  });

  it('an encrypted file with no passphrase available (stdin at its end) is exit 2', async () => {
    writeFileSync(join(dir, 'enc.tox'), await encryptData(plain, PASS, new SeededRandom(1)));
    const io = testIo();
    expect(await main(['profile', 'import', join(dir, 'enc.tox'), writeConfig()], io)).toBe(2);
    expect(io.err()).toContain('--passphrase-env');
  });

  it('keeps sections it does not model byte for byte', async () => {
    // An unknown section type (0x7e) before END: decoding skips it, the import must not drop it.
    const end = plain.length - 8;
    const extra = new Uint8Array([3, 0, 0, 0, 0x7e, 0, 0xce, 0x01, 1, 2, 3]);
    const withExtra = new Uint8Array([...plain.subarray(0, end), ...extra, ...plain.subarray(end)]);
    expect(() => decodeSavedata(withExtra)).not.toThrow();
    writeFileSync(join(dir, 'x.tox'), withExtra);
    expect(await main(['profile', 'import', join(dir, 'x.tox'), writeConfig()], testIo())).toBe(0);
    expect(bytesOf(join(dir, 'data/bot.tox'))).toEqual(withExtra);
  });
});

describe('profile export', () => {
  it('writes the identity profile plain, or encrypted with --encrypt; refuses to overwrite', async () => {
    const config = writeConfig({ encrypted: true });
    writeFileSync(join(dir, 'enc.tox'), plain);
    expect(await main(['profile', 'import', join(dir, 'enc.tox'), config], testIo({ env: { BOT_PASS: 'bp' } }))).toBe(0);

    expect(await main(['profile', 'export', join(dir, 'out.tox'), config], testIo({ env: { BOT_PASS: 'bp' } }))).toBe(0);
    expect(bytesOf(join(dir, 'out.tox'))).toEqual(plain);
    expect(await main(['profile', 'export', join(dir, 'out.tox'), config], testIo({ env: { BOT_PASS: 'bp' } }))).toBe(2);

    const io = testIo({ env: { BOT_PASS: 'bp', OUT: 'for qtox' } });
    expect(await main(['profile', 'export', join(dir, 'out2.tox'), config, '--encrypt', '--passphrase-env', 'OUT'], io)).toBe(0);
    expectSameIdentity(await loadProfile(join(dir, 'out2.tox'), { passphrase: 'for qtox' }));
    // The identity's passphrase variable missing: exit 2.
    expect(await main(['profile', 'export', join(dir, 'out3.tox'), config], testIo())).toBe(2);
  });

  it('an unknown --identity is exit 2', async () => {
    const io = testIo();
    expect(await main(['profile', 'export', join(dir, 'o.tox'), writeConfig(), '--identity', 'nobody'], io)).toBe(2);
    expect(io.err()).toContain('nobody');
  });
});

describe('profile encrypt / decrypt', () => {
  it('encrypts in place and decrypts to another path; the plain savedata round-trips exactly', async () => {
    const file = join(dir, 'p.tox');
    writeFileSync(file, plain);
    expect(await main(['profile', 'encrypt', file], testIo({ stdin: `${PASS}\n` }))).toBe(0);
    expect(isEncryptedData(bytesOf(file))).toBe(true);
    expect(await main(['profile', 'encrypt', file], testIo({ stdin: `${PASS}\n` }))).toBe(2);

    expect(await main(['profile', 'decrypt', file, '--out', join(dir, 'plain.tox')], testIo({ stdin: `${PASS}\n` }))).toBe(0);
    expect(bytesOf(join(dir, 'plain.tox'))).toEqual(plain);
    expect(isEncryptedData(bytesOf(file))).toBe(true);
    expect(await main(['profile', 'decrypt', file, '--out', join(dir, 'plain.tox')], testIo({ stdin: `${PASS}\n` }))).toBe(2);
  });

  it('a wrong passphrase never destroys the input', async () => {
    const file = join(dir, 'p.tox');
    const encrypted = await encryptData(plain, PASS, new SeededRandom(3));
    writeFileSync(file, encrypted);
    const io = testIo({ stdin: 'not the passphrase\n' });
    expect(await main(['profile', 'decrypt', file], io)).toBe(1);
    expect(io.err()).toContain('nothing was written');
    expect(bytesOf(file)).toEqual(encrypted);
    expect(readdirSync(dir)).toEqual(['p.tox']);
  });
});

describe.skipIf(requireToxcore() === null)('with c-toxcore toxencryptsave', () => {
  it('imports and decrypts a file encrypted by tox_pass_encrypt', async () => {
    writeFileSync(join(dir, 'c.tox'), toxPassEncrypt(plain, PASS));
    expect(await main(['profile', 'import', join(dir, 'c.tox'), writeConfig()], testIo({ stdin: `${PASS}\n` }))).toBe(0);
    expect(bytesOf(join(dir, 'data/bot.tox'))).toEqual(plain);
    expect(await main(['profile', 'decrypt', join(dir, 'c.tox')], testIo({ stdin: `${PASS}\n` }))).toBe(0);
    expect(bytesOf(join(dir, 'c.tox'))).toEqual(plain);
  });

  it('files we encrypt (export --encrypt, encrypt) open with tox_pass_decrypt', async () => {
    const config = writeConfig();
    writeFileSync(join(dir, 'in.tox'), plain);
    expect(await main(['profile', 'import', join(dir, 'in.tox'), config], testIo())).toBe(0);
    expect(await main(['profile', 'export', join(dir, 'q.tox'), config, '--encrypt'], testIo({ stdin: `${PASS}\n` }))).toBe(0);
    expect(toxPassDecrypt(bytesOf(join(dir, 'q.tox')), PASS)).toEqual(plain);
    expect(await main(['profile', 'encrypt', join(dir, 'in.tox'), '--passphrase-env', 'P'], testIo({ env: { P: PASS } }))).toBe(0);
    expect(toxPassDecrypt(bytesOf(join(dir, 'in.tox')), PASS)).toEqual(plain);
  });
});

describe('passphrase prompt on a terminal', () => {
  /** A fake terminal that types `answers` (one per prompt) and records what was echoed to stderr. */
  function terminal(answers: string[]) {
    const stdin = Object.assign(new PassThrough(), { isTTY: true, raw: false, setRawMode(mode: boolean) { stdin.raw = mode; } });
    let err = '';
    const io = {
      stdout: { write: () => true },
      stderr: {
        write: (text: string) => {
          err += text;
          // Each prompt ends with ": "; answer it the way a terminal in raw mode delivers keys.
          if (text.endsWith(': ')) {
            const answer = answers.shift() ?? '\u0003';
            queueMicrotask(() => {
              expect(stdin.raw).toBe(true);
              stdin.write(`${answer}\r`);
            });
          }
        },
      },
      stdin,
      env: {},
    };
    return { io, err: () => err };
  }

  it('asks twice for a new passphrase, echoes nothing, and encrypts with it', async () => {
    const file = join(dir, 'p.tox');
    writeFileSync(file, plain);
    const t = terminal(['typed secret', 'typed secret']);
    expect(await main(['profile', 'encrypt', file], t.io)).toBe(0);
    expect(t.err()).not.toContain('typed secret');
    expectSameIdentity(await loadProfile(file, { passphrase: 'typed secret' }));
  });

  it('two different answers write nothing', async () => {
    const file = join(dir, 'p.tox');
    writeFileSync(file, plain);
    const t = terminal(['one', 'two']);
    expect(await main(['profile', 'encrypt', file], t.io)).toBe(1);
    expect(bytesOf(file)).toEqual(plain);
  });
});
