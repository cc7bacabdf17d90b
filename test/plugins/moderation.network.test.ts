/** The moderation plugin on a simulated network: join requests from real friends, a title restored in a real conference. */
import { afterEach, describe, expect, it } from 'vitest';
import { createTestNetwork, type TestNetwork } from '../../src/runtime/sdk/index.js';
import autoAccept from '../../plugins/auto-accept/index.js';
import moderation from '../../plugins/moderation/index.js';

let net: TestNetwork | undefined;
afterEach(async () => {
  await net?.stop();
  net = undefined;
});

describe('moderation plugin on a test network', () => {
  it('refuses a banned friend\'s join request with the reason, invites another who then joins, restores a locked title', async () => {
    net = await createTestNetwork({
      plugins: [autoAccept, { plugin: moderation, options: { rooms: { tea: { title: 'tea room' } }, join: { policy: 'open' } } }],
      seed: 41,
    });
    const owner = await net.peer('owner');
    const mallory = await net.peer('mallory');
    const bob = await net.peer('bob');
    await owner.addFriend(net.bot);
    net.bot.host.permissions.set(owner.publicKey, 'admin');
    const room = owner.createConference('tea room');
    await owner.invite(net.bot, room);

    await mallory.addFriend(net.bot);
    await owner.send(net.bot, `!ban ${mallory.publicKey} spam`);
    await owner.next('friend.message', { where: (e) => e.text.toLowerCase().includes('ban') });
    await mallory.send(net.bot, '!join tea');
    const refused = await mallory.next('friend.message', { where: (e) => e.friend.publicKey === net!.bot.publicKey });
    expect(refused.text).toBe('Your request to join "tea" was refused: you are banned.');
    expect(mallory.node.conferences()).toEqual([]);

    await bob.addFriend(net.bot);
    await bob.send(net.bot, '!join tea');
    const invite = await bob.next('conference.invite');
    expect(invite.conferenceId).toBe(room.id);
    bob.node.joinConference(invite.friend.publicKey, invite.cookie);
    await bob.next('conference.connected');
    await net.until('bob in the conference', () => owner.peersIn(room).some((p) => p.publicKey === bob.publicKey), 30_000);

    await owner.send(net.bot, '!lock-title tea room');
    await owner.next('friend.message', { where: (e) => e.text.toLowerCase().includes('lock') });
    bob.setTitle(room, 'hijacked');
    await net.until('the title restored everywhere', () => owner.node.conference(room.id).title === 'tea room' && bob.node.conference(room.id).title === 'tea room' && net!.bot.node.conference(room.id).title === 'tea room', 30_000);
  });
});
