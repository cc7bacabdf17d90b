/** The echo plugin on a simulated network: a real bot node (with auto-accept), real peers, virtual time. */
import { afterEach, describe, expect, it } from 'vitest';
import { createTestNetwork, type TestNetwork } from '../../src/runtime/sdk/testing.js';
import autoAccept from '../../plugins/auto-accept/index.js';
import echo from '../../plugins/echo/index.js';

let net: TestNetwork | undefined;
afterEach(async () => {
  await net?.stop();
  net = undefined;
});

describe('echo plugin on a test network', () => {
  it('echoes friend messages and actions back over the network', async () => {
    net = await createTestNetwork({ plugins: [autoAccept, { plugin: echo, options: { prefix: '> ' } }], seed: 7 });
    const alice = await net.peer('alice');
    await alice.addFriend(net.bot, 'hi bot');
    alice.send(net.bot, 'hello');
    const reply = await alice.next('friend.message');
    expect(reply.text).toBe('> hello');
    expect(reply.friend).toMatchObject({ publicKey: net.bot.publicKey, name: 'bot' });
    alice.send(net.bot, 'waves', 'action');
    expect((await alice.next('friend.action')).text).toBe('waves');
    expect((await net.bot.next('friend.message')).text).toBe('hello');
    expect(net.bot.errors).toEqual([]);
    await net.stop();
    expect(net.scheduler.pending()).toBe(0);
  });

  it('in a conference answers only the trigger, and every member sees the answer', async () => {
    net = await createTestNetwork({ plugins: [autoAccept, echo], seed: 8 });
    const alice = await net.peer('alice');
    const bob = await net.peer('bob');
    await alice.addFriend(net.bot);
    await alice.addFriend(bob);
    const room = alice.createConference('room');
    await alice.invite(net.bot, room);
    await alice.invite(bob, room);
    await net.until('bob to see the bot in the room', () => bob.peersIn(room).some((p) => p.publicKey === net!.bot.publicKey));
    alice.sendConference(room, 'just chatting');
    alice.sendConference(room, '!echo ping');
    const fromBot = { where: (e: { peer: { publicKey: string } }) => e.peer.publicKey === net!.bot.publicKey };
    expect((await bob.next('conference.message', fromBot)).text).toBe('ping');
    expect((await alice.next('conference.message', fromBot)).text).toBe('ping');
    // The bot saw both lines but answered only one.
    expect(net.bot.seen('conference.message').filter((e) => !e.peer.isSelf).map((e) => e.text)).toEqual(['just chatting', '!echo ping']);
    await net.advance(5_000);
    expect(bob.seen('conference.message').filter((e) => e.peer.publicKey === net!.bot.publicKey)).toHaveLength(1);
  });
});
