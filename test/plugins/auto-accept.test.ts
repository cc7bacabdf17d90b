/** The auto-accept plugin: friend request policies, the rate limit and conference invites. */
import { describe, expect, it } from 'vitest';
import { conferenceId } from '../../src/runtime/sdk/index.js';
import { createTestBot, MemoryBotNode, testPublicKey } from '../../src/runtime/sdk/testing.js';
import autoAccept from '../../plugins/auto-accept/index.js';

const accepted = (node: MemoryBotNode) => node.actions.filter((a) => a.method === 'acceptFriendRequest').map((a) => a.args[0]);

describe('auto-accept plugin', () => {
  it('accepts everyone by default but never a blocked key', async () => {
    const node = new MemoryBotNode();
    const bot = await createTestBot({ plugins: [{ plugin: autoAccept, options: { friendRequests: { block: [testPublicKey(2)] } } }], node });
    await bot.emit({ kind: 'friend.request', publicKey: testPublicKey(1), message: 'hi' });
    await bot.emit({ kind: 'friend.request', publicKey: testPublicKey(2), message: 'hi' });
    expect(accepted(node)).toEqual([testPublicKey(1)]);
    await bot.stop();
  });

  it('with a secret, accepts only requests whose message contains it', async () => {
    const node = new MemoryBotNode();
    const bot = await createTestBot({ plugins: [{ plugin: autoAccept, options: { friendRequests: { mode: 'secret', secret: 'open sesame' } } }], node });
    await bot.emit({ kind: 'friend.request', publicKey: testPublicKey(1), message: 'let me in' });
    await bot.emit({ kind: 'friend.request', publicKey: testPublicKey(2), message: 'please, open sesame!' });
    expect(accepted(node)).toEqual([testPublicKey(2)]);
    await bot.stop();
  });

  it('with an allowlist, accepts only listed keys (any case)', async () => {
    const node = new MemoryBotNode();
    const bot = await createTestBot({
      plugins: [{ plugin: autoAccept, options: { friendRequests: { mode: 'allowlist', allow: [testPublicKey(3).toLowerCase()] } } }],
      node,
    });
    await bot.emit({ kind: 'friend.request', publicKey: testPublicKey(1), message: '' });
    await bot.emit({ kind: 'friend.request', publicKey: testPublicKey(3), message: '' });
    expect(accepted(node)).toEqual([testPublicKey(3)]);
    await bot.stop();
  });

  it('rate-limits a flood of requests per minute, then accepts again', async () => {
    const node = new MemoryBotNode();
    const bot = await createTestBot({ plugins: [{ plugin: autoAccept, options: { friendRequests: { perMinute: 3 } } }], node });
    for (let i = 1; i <= 10; i++) await bot.emit({ kind: 'friend.request', publicKey: testPublicKey(i), message: '' });
    expect(accepted(node)).toHaveLength(3);
    await bot.scheduler.advance(60_000);
    await bot.emit({ kind: 'friend.request', publicKey: testPublicKey(11), message: '' });
    expect(accepted(node)).toHaveLength(4);
    await bot.stop();
  });

  it('joins conferences on invites from friends, or only from allowlisted inviters', async () => {
    const node = new MemoryBotNode();
    const alice = node.addTestFriend('alice');
    const bob = node.addTestFriend('bob');
    const invite = (friend: typeof alice) =>
      ({ kind: 'conference.invite', friend, conferenceId: conferenceId(testPublicKey(99)), conferenceType: 'text', cookie: new Uint8Array(35) }) as const;
    const open = await createTestBot({ plugins: [autoAccept], node });
    await open.emit(invite(alice));
    await open.stop();
    const strict = await createTestBot({ plugins: [{ plugin: autoAccept, options: { conferenceInvites: { from: 'allowlist', allow: [bob.publicKey] } } }], node });
    await strict.emit(invite(alice));
    await strict.emit(invite(bob));
    await strict.stop();
    expect(node.actions.filter((a) => a.method === 'joinConference').map((a) => a.args[0])).toEqual([alice.publicKey, bob.publicKey]);
  });

  it('refuses the secret mode without a secret, naming the option path', async () => {
    await expect(createTestBot({ plugins: [{ plugin: autoAccept, options: { friendRequests: { mode: 'secret' } } }] })).rejects.toThrow(/friendRequests\.secret/);
  });
});
