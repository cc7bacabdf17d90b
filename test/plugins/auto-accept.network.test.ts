/** The auto-accept plugin on a simulated network: real friend requests and conference invites to a real bot node. */
import { afterEach, describe, expect, it } from 'vitest';
import { isToxError } from '../../src/runtime/sdk/index.js';
import { createTestNetwork, type TestNetwork } from '../../src/runtime/sdk/testing.js';
import autoAccept from '../../plugins/auto-accept/index.js';

let net: TestNetwork | undefined;
afterEach(async () => {
  await net?.stop();
  net = undefined;
});

describe('auto-accept plugin on a test network', () => {
  it('accepts a friend request: both sides see each other online', async () => {
    net = await createTestNetwork({ plugins: [autoAccept], seed: 21 });
    const alice = await net.peer('alice');
    await alice.addFriend(net.bot, 'hello bot');
    const request = await net.bot.next('friend.request');
    expect(request).toEqual({ kind: 'friend.request', publicKey: alice.publicKey, message: 'hello bot' });
    expect((await net.bot.next('friend.online')).friend.publicKey).toBe(alice.publicKey);
    // Names travel once the connection is up, so the bot learns alice's right after.
    expect((await net.bot.next('friend.name')).friend).toMatchObject({ publicKey: alice.publicKey, name: 'alice' });
    expect((await alice.next('friend.online')).friend.publicKey).toBe(net.bot.publicKey);
  });

  it('with a secret, leaves a request without it unanswered and accepts one with it', async () => {
    net = await createTestNetwork({ plugins: [{ plugin: autoAccept, options: { friendRequests: { mode: 'secret', secret: 'open sesame' } } }], seed: 22 });
    const mallory = await net.peer('mallory');
    const alice = await net.peer('alice');
    const refused = await mallory.addFriend(net.bot, 'let me in').catch((err: unknown) => err);
    expect(isToxError(refused, 'TIMEOUT')).toBe(true);
    expect(String((refused as Error).message)).toMatch(/mallory and bot to be friends and online/);
    await alice.addFriend(net.bot, 'please, open sesame');
    expect(net.bot.node.friends().map((f) => f.publicKey)).toEqual([alice.publicKey]);
  });

  it('joins a conference on a friend\'s invite and then sees its messages and title', async () => {
    net = await createTestNetwork({ plugins: [autoAccept], seed: 23 });
    const alice = await net.peer('alice');
    await alice.addFriend(net.bot);
    const room = alice.createConference('tea room');
    await alice.invite(net.bot, room);
    const invite = await net.bot.next('conference.invite');
    expect(invite).toMatchObject({ conferenceId: room.id, conferenceType: 'text', friend: { publicKey: alice.publicKey } });
    expect((await net.bot.next('conference.connected')).conference.id).toBe(room.id);
    expect(net.bot.node.conference(room.id).title).toBe('tea room');
    alice.sendConference(room, 'welcome, bot');
    const message = await net.bot.next('conference.message', { where: (e) => !e.peer.isSelf });
    expect(message).toMatchObject({ conference: { id: room.id }, text: 'welcome, bot', peer: { publicKey: alice.publicKey, name: 'alice' } });
    alice.setTitle(room, 'coffee room');
    expect(await net.bot.next('conference.title', { where: (e) => e.peer !== undefined })).toMatchObject({ title: 'coffee room', peer: { publicKey: alice.publicKey } });
  });

  it('ignores invites when conference invites are off', async () => {
    net = await createTestNetwork({ plugins: [{ plugin: autoAccept, options: { conferenceInvites: { from: 'none' } } }], seed: 24 });
    const alice = await net.peer('alice');
    await alice.addFriend(net.bot);
    const room = alice.createConference();
    await alice.invite(net.bot, room, { waitForJoin: false });
    await net.bot.next('conference.invite');
    await net.advance(10_000);
    expect(net.bot.node.conferences()).toEqual([]);
    expect(alice.peersIn(room).map((p) => p.publicKey)).toEqual([alice.publicKey]);
  });
});
