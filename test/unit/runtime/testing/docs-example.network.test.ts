/** The network test example of docs/plugins.md (kept identical to it by network.test.ts). */
import { expect, it } from 'vitest';
import { createTestNetwork } from '../../../../src/runtime/sdk/testing.js';
import autoAccept from '../../../../plugins/auto-accept/index.js';
import echo from '../../../../plugins/echo/index.js';

it('echoes a friend over the simulated network', async () => {
  const net = await createTestNetwork({ plugins: [autoAccept, echo], seed: 42 });
  const alice = await net.peer('alice');
  await alice.addFriend(net.bot, 'hi!'); // auto-accept says yes; resolves once both are online
  alice.send(net.bot, 'ping');
  expect((await alice.next('friend.message')).text).toBe('ping');

  const room = alice.createConference('tea');
  await alice.invite(net.bot, room); // resolves once the bot has joined
  alice.sendConference(room, '!echo pong');
  const answer = await alice.next('conference.message', { where: (e) => e.peer.publicKey === net.bot.publicKey });
  expect(answer.text).toBe('pong');
  await net.stop();
  expect(net.scheduler.pending()).toBe(0);
});
