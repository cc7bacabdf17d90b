import { spawn } from 'node:child_process';
import { mkdtemp, readdir, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { bytesEqual, utf8Decode, utf8Encode } from '../../../src/base/index.js';
import { backupPathOf, readFileIfExists, writeFileAtomic } from '../../../src/storage/index.js';
import { VERSION_SIZE, content } from '../../fixtures/storage/atomic-writer.js';

let dir: string;
beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'tocsin-atomic-'));
});
afterEach(async () => {
  await rm(dir, { recursive: true, force: true });
});

const text = async (path: string): Promise<string | undefined> => {
  const bytes = await readFileIfExists(path);
  return bytes && utf8Decode(bytes);
};

describe('writeFileAtomic', () => {
  it('creates, then replaces, leaving no temp files', async () => {
    const path = join(dir, 'profile.tox');
    await writeFileAtomic(path, utf8Encode('one'));
    await writeFileAtomic(path, 'two');
    expect(await text(path)).toBe('two');
    expect(await readdir(dir)).toEqual(['profile.tox']);
    expect((await stat(path)).mode & 0o777).toBe(0o600);
  });

  it('keeps exactly one backup: the previous version', async () => {
    const path = join(dir, 'db.json');
    await writeFileAtomic(path, 'v1', { backup: true });
    expect(await text(backupPathOf(path))).toBeUndefined();
    await writeFileAtomic(path, 'v2', { backup: true });
    await writeFileAtomic(path, 'v3', { backup: true });
    expect(await text(path)).toBe('v3');
    expect(await text(backupPathOf(path))).toBe('v2');
    expect((await readdir(dir)).sort()).toEqual(['db.json', 'db.json.bak']);
  });

  it('writes no backup unless asked', async () => {
    const path = join(dir, 'x');
    await writeFileAtomic(path, 'a');
    await writeFileAtomic(path, 'b');
    expect(await readdir(dir)).toEqual(['x']);
  });

  it('ignores temp files a crashed writer left behind, even with its own pid', async () => {
    const path = join(dir, 'profile.tox');
    const leftover = join(dir, `.profile.tox.${process.pid}.0.tmp`);
    await writeFile(leftover, 'half-written garbage');
    await writeFileAtomic(path, 'good');
    expect(await text(path)).toBe('good');
    expect(await text(leftover)).toBe('half-written garbage');
  });

  it('lets concurrent writers finish with one complete version', async () => {
    const path = join(dir, 'race');
    await Promise.all(['a', 'b', 'c', 'd'].map((v) => writeFileAtomic(path, v.repeat(10_000), { backup: true })));
    expect(['a', 'b', 'c', 'd'].map((v) => v.repeat(10_000))).toContain(await text(path));
    // No temp file survives; whether a backup exists depends on who read first.
    expect((await readdir(dir)).filter((f) => f !== 'race' && f !== 'race.bak')).toEqual([]);
  });

  it('reports a missing directory as ENOENT', async () => {
    await expect(writeFileAtomic(join(dir, 'missing', 'f'), 'x')).rejects.toMatchObject({ code: 'ENOENT' });
  });
});

describe('readFileIfExists', () => {
  it('returns undefined for a missing file and plain bytes otherwise', async () => {
    expect(await readFileIfExists(join(dir, 'nope'))).toBeUndefined();
    await writeFile(join(dir, 'yes'), 'data');
    const bytes = await readFileIfExists(join(dir, 'yes'));
    expect(bytes).toBeInstanceOf(Uint8Array);
    expect(utf8Decode(bytes!)).toBe('data');
  });

  it('propagates errors other than a missing file', async () => {
    await expect(readFileIfExists(dir)).rejects.toMatchObject({ code: 'EISDIR' });
  });
});

/** The version a file holds, checking that it is complete and uniform. */
function completeVersion(bytes: Uint8Array): number {
  expect(bytes.length).toBe(VERSION_SIZE);
  const version = Number(/^version (\d+)\n/.exec(utf8Decode(bytes.subarray(0, 32)))![1]);
  expect(bytesEqual(bytes, content(version))).toBe(true);
  return version;
}

describe('writeFileAtomic under kill -9', () => {
  const writer = fileURLToPath(new URL('../../fixtures/storage/atomic-writer.ts', import.meta.url));

  it('always leaves a complete old or new version', async () => {
    const path = join(dir, 'state');
    for (const killAfter of [3, 17, 41]) {
      const child = spawn(process.execPath, ['--import', 'tsx', writer, path], { stdio: ['ignore', 'pipe', 'inherit'] });
      let last = -1;
      await new Promise<void>((resolve, reject) => {
        child.on('error', reject);
        child.on('exit', () => resolve());
        child.stdout.setEncoding('utf8');
        child.stdout.on('data', (chunk: string) => {
          for (const line of chunk.split('\n').filter(Boolean)) last = Number(line);
          if (last >= killAfter && child.exitCode === null) child.kill('SIGKILL');
        });
      });
      expect(child.signalCode).toBe('SIGKILL');
      const version = completeVersion((await readFileIfExists(path))!);
      expect(version).toBeGreaterThanOrEqual(last);
      const backup = await readFileIfExists(backupPathOf(path));
      if (backup) expect(completeVersion(backup)).toBeLessThanOrEqual(version);
    }
  }, 60_000);
});
