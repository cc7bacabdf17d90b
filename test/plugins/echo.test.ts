/** The echo plugin on the in-memory test bot. */
import { describe, expect, it } from 'vitest';
import { createTestBot, MemoryBotNode } from '../../src/runtime/sdk/testing.js';
import echo from '../../plugins/echo/index.js';

describe('echo plugin', () => {
  it('repeats friend messages and actions, with the configured prefix', async () => {
    const node = new MemoryBotNode();
    const alice = node.addTestFriend('alice');
    const bot = await createTestBot({ plugins: [{ plugin: echo, options: { prefix: '> ' } }], node });
    await bot.say(alice, 'hello');
    await bot.emit({ kind: 'friend.action', friend: alice, text: 'waves' });
    await bot.say(alice, '');
    expect(node.sent.map((m) => [m.text, m.type])).toEqual([
      ['> hello', 'normal'],
      ['waves', 'action'],
    ]);
    await bot.stop();
    expect(bot.scheduler.pending()).toBe(0);
  });

  it('splits an echo longer than one Tox message instead of failing', async () => {
    const node = new MemoryBotNode();
    const alice = node.addTestFriend('alice');
    const bot = await createTestBot({ plugins: [echo], node });
    const long = 'word '.repeat(600).trim();
    await bot.say(alice, long);
    expect(node.sentTo(alice).length).toBeGreaterThan(1);
    expect(node.sentTo(alice).join(' ')).toBe(long);
    await bot.stop();
  });

  it('in conferences answers only lines with the trigger, so two echo bots cannot loop', async () => {
    const node = new MemoryBotNode();
    const room = node.addTestConference('room');
    const bob = node.addTestPeer(room.id, 'bob');
    const bot = await createTestBot({ plugins: [echo], node });
    await bot.sayIn(room, bob, 'just chatting');
    await bot.sayIn(room, bob, '!echo ping');
    expect(node.sentTo(room)).toEqual(['ping']);
    await bot.stop();
  });

  it('rejects unknown options', async () => {
    await expect(createTestBot({ plugins: [{ plugin: echo, options: { prefx: 'typo' } }] })).rejects.toThrow(/prefx/);
  });
});
