/** The logger plugin: JSON lines under the data dir, kind filters, byte summaries, rotation, flush on stop, no blocking. */
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { conferenceId } from '../../src/runtime/sdk/index.js';
import { createTestBot, MemoryBotNode, testPublicKey } from '../../src/runtime/sdk/testing.js';
import logger from '../../plugins/logger/index.js';
import echo from '../../plugins/echo/index.js';

const dirs: string[] = [];
afterEach(() => {
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});

function dataDir(): string {
  const d = mkdtempSync(join(tmpdir(), 'tocsin-logger-'));
  dirs.push(d);
  return d;
}

const lines = (file: string): Array<Record<string, unknown>> =>
  readFileSync(file, 'utf8').trim().split('\n').filter(Boolean).map((l) => JSON.parse(l) as Record<string, unknown>);

describe('logger plugin', () => {
  it('writes each event as a JSON line relative to the data dir, passes events on, and flushes on stop', async () => {
    const dir = dataDir();
    const node = new MemoryBotNode();
    const alice = node.addTestFriend('alice');
    const room = node.addTestConference('room');
    const bob = node.addTestPeer(room.id, 'bob');
    const bot = await createTestBot({ plugins: [{ plugin: logger, options: { path: 'logs/events.jsonl' } }, echo], node, dataDir: dir });
    await bot.say(alice, 'hello');
    await bot.sayIn(room, bob, 'hi all');
    expect(node.sentTo(alice)).toEqual(['hello']);
    await bot.stop();
    const got = lines(join(dir, 'logs/events.jsonl'));
    expect(got.map((l) => l['kind'])).toEqual(['friend.message', 'conference.message']);
    expect(got[1]).toMatchObject({ kind: 'conference.message', text: 'hi all', peer: { name: 'bob', publicKey: bob.publicKey }, conference: { id: room.id } });
    expect(typeof got[0]!['unix']).toBe('number');
  });

  it('summarises byte payloads and errors instead of dumping them', async () => {
    const dir = dataDir();
    const node = new MemoryBotNode();
    const alice = node.addTestFriend('alice');
    const bot = await createTestBot({ plugins: [logger], node, dataDir: dir });
    await bot.emit({ kind: 'friend.file.chunk', friend: alice, file: 1, position: 0, data: new Uint8Array(1000).fill(7) });
    await bot.emit({ kind: 'conference.invite', friend: alice, conferenceId: conferenceId(testPublicKey(5)), conferenceType: 'text', cookie: new Uint8Array(35) });
    await bot.emit({ kind: 'runtime.error', source: 'node', plugin: undefined, error: new TypeError('boom'), during: undefined });
    await bot.stop();
    const text = readFileSync(join(dir, 'events.jsonl'), 'utf8');
    expect(text).not.toContain('7,7,7');
    const got = lines(join(dir, 'events.jsonl'));
    expect(got[0]!['data']).toEqual({ bytes: 1000 });
    expect(got[1]!['cookie']).toEqual({ bytes: 35 });
    expect(got[2]!['error']).toEqual({ error: 'TypeError', message: 'boom' });
  });

  it('includes and excludes kinds by query', async () => {
    const dir = dataDir();
    const node = new MemoryBotNode();
    const alice = node.addTestFriend('alice');
    const room = node.addTestConference('room');
    const bob = node.addTestPeer(room.id, 'bob');
    const bot = await createTestBot({ plugins: [{ plugin: logger, options: { include: ['conference.*', 'friend.message'], exclude: ['conference.title'] } }], node, dataDir: dir });
    await bot.say(alice, 'one');
    await bot.emit({ kind: 'friend.typing', friend: alice, typing: true });
    await bot.sayIn(room, bob, 'two');
    await bot.emit({ kind: 'conference.title', conference: room, title: 'x', peer: bob });
    await bot.stop();
    expect(lines(join(dir, 'events.jsonl')).map((l) => l['kind'])).toEqual(['friend.message', 'conference.message']);
  });

  it('rejects unknown event queries and relative paths leaving the data dir', async () => {
    await expect(createTestBot({ plugins: [{ plugin: logger, options: { include: ['frend.*'] } }], dataDir: dataDir() })).rejects.toThrow(/include\[0\]/);
    const bot = await createTestBot({ plugins: [{ plugin: logger, options: { path: '../outside.jsonl' } }], dataDir: dataDir() });
    expect(bot.host.failures.map((f) => [f.id, f.phase])).toEqual([['logger', 'setup']]);
    await bot.stop();
  });

  it('without a data dir a relative path fails setup; with only a store dir the data dir is its parent', async () => {
    const bare = await createTestBot({ plugins: [logger] });
    expect(bare.host.failures[0]?.error).toMatchObject({ code: 'INVALID_ARGUMENT', message: expect.stringMatching(/needs a bot data directory/) });
    await bare.stop();
    const dir = dataDir();
    const node = new MemoryBotNode();
    const bot = await createTestBot({ plugins: [logger], node, storeDir: join(dir, 'plugins') });
    await bot.say(node.addTestFriend('alice'), 'stored');
    await bot.stop();
    expect(lines(join(dir, 'events.jsonl')).map((l) => l['text'])).toEqual(['stored']);
  });

  it('rotates by size and keeps only N old files', async () => {
    const dir = dataDir();
    const node = new MemoryBotNode();
    const alice = node.addTestFriend('alice');
    const bot = await createTestBot({ plugins: [{ plugin: logger, options: { maxBytes: 400, keep: 2 } }], node, dataDir: dir });
    for (let i = 0; i < 40; i++) await bot.say(alice, `message number ${i}`);
    await bot.stop();
    const file = join(dir, 'events.jsonl');
    expect(existsSync(`${file}.1`)).toBe(true);
    expect(existsSync(`${file}.2`)).toBe(true);
    expect(existsSync(`${file}.3`)).toBe(false);
    for (const f of [file, `${file}.1`, `${file}.2`]) expect(readFileSync(f).length).toBeLessThanOrEqual(400);
    // The newest lines are in the current file, in order, none lost across the last rotation.
    const texts = [...lines(`${file}.1`), ...lines(file)].map((l) => l['text']);
    expect(texts.at(-1)).toBe('message number 39');
    const numbers = texts.map((t) => Number(String(t).split(' ').at(-1)));
    expect(numbers).toEqual(numbers.map((_, i) => numbers[0]! + i));
  });

  it('does not wait for the disk: handling returns before the line is written', async () => {
    const dir = dataDir();
    const node = new MemoryBotNode();
    const alice = node.addTestFriend('alice');
    const bot = await createTestBot({ plugins: [logger, echo], node, dataDir: dir });
    await bot.host.handle({ kind: 'friend.message', friend: alice, text: 'quick' });
    // The chain has finished (echo ran) while the file has not been created yet.
    expect(existsSync(join(dir, 'events.jsonl'))).toBe(false);
    await bot.stop();
    expect(lines(join(dir, 'events.jsonl')).map((l) => l['text'])).toEqual(['quick']);
  });
});
