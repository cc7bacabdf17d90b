/** The plugin of docs/plugins.md works as the guide says, and the guide shows exactly this code. */
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { ManualScheduler } from '../../../../src/base/index.js';
import { MemoryBotNode, createTestBot } from '../../../../src/runtime/sdk/testing.js';
import remind from './fixtures/plugins/remind/index.js';

let dir: string;
beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'tocsin-remind-'));
});
afterEach(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe('docs/plugins.md example', () => {
  it('reminds, survives a restart, and checks arguments and roles', async () => {
    const scheduler = new ManualScheduler();
    const node = new MemoryBotNode();
    const alice = node.addTestFriend('alice');
    const bot = await createTestBot({ plugins: [{ plugin: remind, options: { maxMinutes: 60 } }], node, scheduler, storeDir: dir });
    await bot.say(alice, '!remind 5 water the plants');
    await bot.say(alice, '!remind 500 later');
    await bot.say(alice, '!reminders-clear');
    expect(node.sentTo(alice)).toEqual([
      'OK, I will remind you in 5 min.',
      expect.stringMatching(/^<minutes>: Too big: expected number to be <=60\nUsage: !remind <minutes> \[text\.\.\.\]$/),
      '!reminders-clear needs the admin role.',
    ]);

    await scheduler.advance(60_000);
    await bot.stop();
    const again = await createTestBot({ plugins: [{ plugin: remind, options: { maxMinutes: 60 } }], node, scheduler, storeDir: dir });
    await scheduler.advance(4 * 60_000 - 1);
    expect(node.sentTo(alice)).toHaveLength(3);
    await scheduler.advance(1);
    // The timer has fired; the store write before the send is real disk I/O, which virtual time cannot skip.
    await vi.waitFor(() => expect(node.sentTo(alice).at(-1)).toBe('⏰ water the plants'));
    await again.stop();
    expect(scheduler.pending()).toBe(0);
  });

  it('runs the testing snippet of the guide as written', async () => {
    const bot = await createTestBot({ plugins: [{ plugin: remind, options: { maxMinutes: 60 } }] });
    const alice = bot.node.addTestFriend('alice');
    await bot.say(alice, '!remind 5 water the plants');
    await bot.scheduler.advance(5 * 60_000);
    expect(bot.node.sentTo(alice)).toEqual(['OK, I will remind you in 5 min.', '⏰ water the plants']);
    await bot.stop();
    expect(bot.scheduler.pending()).toBe(0);
  });

  it('is quoted verbatim in the guide', async () => {
    const source = await readFile(new URL('./fixtures/plugins/remind/index.ts', import.meta.url), 'utf8');
    const guide = await readFile(new URL('../../../../docs/plugins.md', import.meta.url), 'utf8');
    const body = source
      .replace(/^\/\*\*.*\*\/\n/, '')
      .replace("'../../../../../../../src/runtime/sdk/index.js'", "'../../src/runtime/sdk/index.js'");
    expect(guide).toContain(body);
  });
});
