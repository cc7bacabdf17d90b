/** The conference-relay plugin on a simulated network: a real bot bridging two conferences of two different peers. */
import { afterEach, describe, expect, it } from 'vitest';
import type { ConferenceRef } from '../../src/runtime/sdk/index.js';
import { createTestNetwork, type TestNetwork, type TestPeer } from '../../src/runtime/sdk/testing.js';
import autoAccept from '../../plugins/auto-accept/index.js';
import relay from '../../plugins/conference-relay/index.js';

let net: TestNetwork | undefined;
afterEach(async () => {
  await net?.stop();
  net = undefined;
});

describe('conference-relay plugin on a test network', () => {
  it('bridges the conferences of two peers: each line reaches the other room once, prefixed, and nothing comes back', async () => {
    net = await createTestNetwork({ plugins: [relay, autoAccept], seed: 41 });
    const bot = net.bot;
    const alice = await net.peer('alice');
    const bob = await net.peer('bob');
    await alice.addFriend(bot);
    await bob.addFriend(bot);
    const tea = alice.createConference('tea');
    const coffee = bob.createConference('coffee');
    await alice.invite(bot, tea); // auto-accept joins both
    await bob.invite(bot, coffee);
    expect(bot.node.conferences().map((c) => c.title).sort()).toEqual(['coffee', 'tea']);

    /** What `peer` heard the bot say in `room`. */
    const fromBot = (peer: TestPeer, room: ConferenceRef): string[] =>
      peer.seen('conference.message').filter((e) => e.conference.id === room.id && e.peer.publicKey === bot.publicKey).map((e) => e.text);

    alice.sendConference(tea, 'anyone for tea?');
    const relayed = await bob.next('conference.message', { where: (e) => e.peer.publicKey === bot.publicKey });
    expect(relayed).toMatchObject({ conference: { id: coffee.id }, text: '[tea] alice: anyone for tea?' });

    bob.sendConference(coffee, 'only coffee here');
    expect((await alice.next('conference.message', { where: (e) => e.peer.publicKey === bot.publicKey })).text).toBe('[coffee] bob: only coffee here');

    alice.sendConference(tea, 'pours', 'action');
    expect((await bob.next('conference.message', { where: (e) => e.peer.publicKey === bot.publicKey })).text).toBe('[tea] * alice pours');

    // Long enough for any echo or second copy to arrive: each room got exactly what was said in the other.
    await net.advance(10_000);
    expect(fromBot(bob, coffee)).toEqual(['[tea] alice: anyone for tea?', '[tea] * alice pours']);
    expect(fromBot(alice, tea)).toEqual(['[coffee] bob: only coffee here']);
    expect(bot.errors).toEqual([]);
  });
});
