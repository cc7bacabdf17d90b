/** Plugin stores: persistence through atomic writes, corruption detection that never overwrites, value rules. */
import { mkdtemp, readFile, readdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { PluginStoreError, memoryPluginStore, openPluginStore } from '../../../../src/runtime/bot/index.js';

let dir: string;
beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'tocsin-store-'));
});
afterEach(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe('openPluginStore', () => {
  it('starts empty, persists values, and reads them back after reopening', async () => {
    const file = join(dir, 'nested', 'echo.json');
    const store = await openPluginStore(file);
    expect(store.keys()).toEqual([]);
    await store.set('count', 1);
    await store.set('seen', { alice: [1, 2] });
    await store.update<number>('count', (n) => (n ?? 0) + 1);
    await store.delete('missing');
    const again = await openPluginStore(file);
    expect(again.get('count')).toBe(2);
    expect(again.get('seen')).toEqual({ alice: [1, 2] });
    expect(again.has('seen')).toBe(true);
    await again.set('seen', undefined);
    expect((await openPluginStore(file)).keys()).toEqual(['count']);
    expect(JSON.parse(await readFile(`${file}.bak`, 'utf8'))).toEqual({ count: 2, seen: { alice: [1, 2] } });
  });

  it('coalesces a burst of changes into one write and leaves no temp files', async () => {
    const file = join(dir, 'burst.json');
    const store = await openPluginStore(file);
    await Promise.all(Array.from({ length: 50 }, (_, i) => store.set(`k${i}`, i)));
    await store.flush();
    expect(Object.keys(JSON.parse(await readFile(file, 'utf8')))).toHaveLength(50);
    // A second write would have kept the first as burst.json.bak.
    expect(await readdir(dir)).toEqual(['burst.json']);
  });

  it.each([
    ['not JSON', '{"count": 1,', /not valid JSON/],
    ['an array', '[1, 2]', /expected a JSON object/],
    ['empty', '', /the file is empty/],
    ['invalid UTF-8', Buffer.from([0x7b, 0xff, 0x7d]), /not valid JSON/],
  ])('refuses a corrupted file (%s) with a clear error and never touches it', async (_what, content, why) => {
    const file = join(dir, 'broken.json');
    await writeFile(file, content);
    const before = await readFile(file);
    const err = await openPluginStore(file).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(PluginStoreError);
    expect(err).toMatchObject({ code: 'PLUGIN_STORE_CORRUPT', file });
    expect((err as Error).message).toMatch(why);
    expect((err as Error).message).toContain(file);
    expect((err as Error).message).toMatch(/left untouched/);
    expect(await readFile(file)).toEqual(before);
    expect(await readdir(dir)).toEqual(['broken.json']);
  });

  it('freezes values and rejects what JSON cannot hold', async () => {
    const store = await openPluginStore(join(dir, 'values.json'));
    const value = { list: [1] };
    await store.set('v', value);
    value.list.push(2);
    const stored = store.get<{ list: number[] }>('v')!;
    expect(stored.list).toEqual([1]);
    expect(() => stored.list.push(3)).toThrow(TypeError);
    await expect(store.set('big', 1n)).rejects.toMatchObject({ code: 'PLUGIN_STORE_INVALID' });
    await expect(store.set('fn', () => 1)).rejects.toMatchObject({ code: 'PLUGIN_STORE_INVALID' });
    const cyclic: Record<string, unknown> = {};
    cyclic.self = cyclic;
    await expect(store.set('cyclic', cyclic)).rejects.toMatchObject({ code: 'PLUGIN_STORE_INVALID' });
  });

  it('reports read and write failures as PLUGIN_STORE_IO', async () => {
    await expect(openPluginStore(dir)).rejects.toMatchObject({ code: 'PLUGIN_STORE_IO' });
    const store = await openPluginStore(join(dir, 'sub', 'store.json'));
    await writeFile(join(dir, 'sub'), 'now a file');
    await expect(store.set('a', 1)).rejects.toMatchObject({ code: 'PLUGIN_STORE_IO' });
    expect(store.get('a')).toBe(1);
  });
});

describe('memoryPluginStore', () => {
  it('behaves like a store without a file', async () => {
    const store = memoryPluginStore({ a: 1 });
    expect(store.file).toBeUndefined();
    await store.set('b', [2]);
    expect(store.keys()).toEqual(['a', 'b']);
  });
});
