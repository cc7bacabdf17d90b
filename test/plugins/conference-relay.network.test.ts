/** The conference-relay plugin on a simulated network: two conferences made by two different peers, bridged by the bot. */
import { afterEach, describe, expect, it } from 'vitest';
import { createTestNetwork, type TestNetwork } from '../../src/runtime/sdk/index.js';
import autoAccept from '../../plugins/auto-accept/index.js';
import conferenceRelay from '../../plugins/conference-relay/index.js';

let net: TestNetwork | undefined;
afterEach(async () => {
  await net?.stop();
  net = undefined;
});

describe('conference-relay plugin on a test network', () => {
  it('bridges two conferences both ways: each message once on the other side, nothing comes back', async () => {
    net = await createTestNetwork({ plugins: [autoAccept, conferenceRelay], seed: 51 });
    const alice = await net.peer('alice');
    const bob = await net.peer('bob');
    await alice.addFriend(net.bot);
    await bob.addFriend(net.bot);
    const north = alice.createConference('north');
    const south = bob.createConference('south');
    await alice.invite(net.bot, north);
    await bob.invite(net.bot, south);

    const texts = (peer: typeof alice, id: string): string[] =>
      peer.seen('conference.message').filter((e) => e.conference.id === id && !e.peer.isSelf).map((e) => e.text);
    alice.sendConference(north, 'hello from the north');
    await net.until('bob sees alice relayed', () => texts(bob, south.id).length > 0);
    bob.sendConference(south, 'hello from the south');
    await net.until('alice sees bob relayed', () => texts(alice, north.id).length > 0);
    await net.advance(5_000); // anything looping would show up by now
    expect(texts(bob, south.id)).toEqual(['[north] alice: hello from the north']);
    expect(texts(alice, north.id)).toEqual(['[south] bob: hello from the south']);
  });
});
