import { mkdtemp, readdir, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { MemorySink, SeededRandom, concatBytes, createLogger, fromHex } from '../../../src/base/index.js';
import { publicKeyOf } from '../../../src/crypto/index.js';
import {
  ProfileError,
  backupPathOf,
  createProfile,
  decodeProfile,
  encodeSavedata,
  loadProfile,
  readFileIfExists,
  saveProfile,
} from '../../../src/storage/index.js';
import { fullProfile } from './profile-fixtures.js';

let dir: string;
beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'tocsin-profile-'));
});
afterEach(async () => {
  await rm(dir, { recursive: true, force: true });
});

async function expectLoadError(promise: Promise<unknown>, code: string): Promise<ProfileError> {
  const err = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(err).toBeInstanceOf(ProfileError);
  expect((err as ProfileError).code).toBe(code);
  return err as ProfileError;
}

describe('createProfile', () => {
  it('makes a fresh identity with a random nospam and nothing else', () => {
    const profile = createProfile(new SeededRandom(1));
    expect(profile.nospam).toHaveLength(4);
    expect(publicKeyOf(profile.keyPair.secretKey)).toEqual(profile.keyPair.publicKey);
    expect(profile).toMatchObject({ userStatus: 'online', friends: [], conferences: [], dhtNodes: [] });
    expect(createProfile(new SeededRandom(1))).toEqual(profile);
    expect(createProfile(new SeededRandom(2)).keyPair.publicKey).not.toEqual(profile.keyPair.publicKey);
  });
});

describe('saveProfile / loadProfile', () => {
  it('round-trips a plain profile as c-toxcore savedata, mode 0600', async () => {
    const path = join(dir, 'bot.tox');
    const profile = fullProfile();
    await saveProfile(path, profile, { random: new SeededRandom(1) });
    expect(await readFileIfExists(path)).toEqual(encodeSavedata(profile));
    expect((await stat(path)).mode & 0o777).toBe(0o600);
    expect(await loadProfile(path)).toEqual(profile);
  });

  it('round-trips an encrypted profile and demands the passphrase', async () => {
    const path = join(dir, 'bot.tox');
    const profile = fullProfile();
    await saveProfile(path, profile, { random: new SeededRandom(1), passphrase: 'correct horse' });
    const bytes = (await readFileIfExists(path))!;
    expect(Buffer.from(bytes.subarray(0, 8)).toString('latin1')).toBe('toxEsave');
    expect(await loadProfile(path, { passphrase: 'correct horse' })).toEqual(profile);
    const missing = await expectLoadError(loadProfile(path), 'PROFILE_ENCRYPTED');
    expect(missing.message).toContain(path);
    await expectLoadError(loadProfile(path, { passphrase: 'battery staple' }), 'WRONG_PASSPHRASE');
  });

  it('loads a plain profile even when a passphrase is supplied', async () => {
    const profile = fullProfile();
    expect(await decodeProfile(encodeSavedata(profile), { passphrase: 'unused' })).toEqual(profile);
  });

  it('keeps the previous save as the backup', async () => {
    const path = join(dir, 'bot.tox');
    const first = fullProfile(1);
    const second = { ...first, name: fromHex('4242') };
    await saveProfile(path, first, { random: new SeededRandom(1) });
    await saveProfile(path, second, { random: new SeededRandom(1) });
    expect(await loadProfile(path)).toEqual(second);
    expect(await loadProfile(backupPathOf(path))).toEqual(first);
  });

  it('says PROFILE_NOT_FOUND for a missing file', async () => {
    const err = await expectLoadError(loadProfile(join(dir, 'none.tox')), 'PROFILE_NOT_FOUND');
    expect(err.details).toMatchObject({ path: join(dir, 'none.tox') });
  });

  it('says PROFILE_IO_ERROR when the path cannot be read', async () => {
    await expectLoadError(loadProfile(dir), 'PROFILE_IO_ERROR');
  });

  it('logs skipped unknown sections', async () => {
    const bytes = encodeSavedata(fullProfile());
    const unknown = fromHex('0100000015 00ce01 ff'.replace(/ /g, ''));
    const withUnknown = concatBytes(bytes.subarray(0, bytes.length - 8), unknown, bytes.subarray(bytes.length - 8));
    const sink = new MemorySink();
    await decodeProfile(withUnknown, { logger: createLogger({ level: 'debug', sink, clock: () => 0 }) });
    expect(sink.records).toEqual([expect.objectContaining({ level: 'warn', fields: expect.objectContaining({ type: 0x15, length: 1 }) })]);
  });
});

describe('a failed load leaves the file alone', () => {
  const cases: Array<[string, string, (good: Uint8Array) => Uint8Array, { passphrase?: string }]> = [
    ['truncated', 'PROFILE_TRUNCATED', (good) => good.subarray(0, good.length - 100), {}],
    ['corrupted header', 'PROFILE_BAD_SECTION', (good) => Object.assign(good.slice(), { 14: 0x00 }), {}],
    ['foreign file', 'PROFILE_BAD_MAGIC', () => fromHex('7b7d0a0000000000'), {}],
    ['empty file', 'PROFILE_TRUNCATED', () => new Uint8Array(0), {}],
  ];

  for (const [what, code, damage, options] of cases) {
    it(`${what}: ${code}`, async () => {
      const path = join(dir, 'bot.tox');
      const bytes = damage(encodeSavedata(fullProfile()));
      await writeFile(path, bytes);
      const before = await stat(path);
      await expectLoadError(loadProfile(path, options), code);
      expect(await readFileIfExists(path)).toEqual(bytes);
      expect((await stat(path)).mtimeMs).toBe(before.mtimeMs);
      expect((await stat(path)).ino).toBe(before.ino);
      expect(await readdir(dir)).toEqual(['bot.tox']);
    });
  }

  it('wrong passphrase and short encrypted data', async () => {
    const path = join(dir, 'bot.tox');
    await saveProfile(path, fullProfile(), { random: new SeededRandom(3), passphrase: 'pw' });
    for (const [bytes, passphrase, code] of [
      [(await readFileIfExists(path))!, 'not pw', 'WRONG_PASSPHRASE'],
      [(await readFileIfExists(path))!.subarray(0, 80), 'pw', 'PROFILE_TRUNCATED'],
    ] as const) {
      await writeFile(path, bytes);
      const before = await stat(path);
      await expectLoadError(loadProfile(path, { passphrase }), code);
      expect(await readFileIfExists(path)).toEqual(bytes);
      expect((await stat(path)).mtimeMs).toBe(before.mtimeMs);
      expect(await readdir(dir)).toEqual(['bot.tox']);
    }
  });
});
