/** The moderation plugin on a simulated network: a locked title set back, join requests refused or answered with a real invite. */
import { afterEach, describe, expect, it } from 'vitest';
import type { PublicKeyHex } from '../../src/runtime/sdk/index.js';
import { createTestNetwork, type TestNetwork, type TestPeer } from '../../src/runtime/sdk/testing.js';
import autoAccept from '../../plugins/auto-accept/index.js';
import moderation from '../../plugins/moderation/index.js';

let net: TestNetwork | undefined;
afterEach(async () => {
  await net?.stop();
  net = undefined;
});

/**
 * The keys the peers `names` get when started in this order on a network of
 * `seed` (a run is deterministic for its seed, whatever the bot's plugins),
 * so that a key can go into the bot's options before its peer exists.
 */
async function peerKeys(seed: number, names: readonly string[]): Promise<PublicKeyHex[]> {
  const dry = await createTestNetwork({ plugins: [], seed });
  try {
    const keys: PublicKeyHex[] = [];
    for (const name of names) keys.push((await dry.peer(name)).publicKey);
    return keys;
  } finally {
    await dry.stop();
  }
}

/** The next friend message `peer` gets from the bot. */
const replyTo = async (net: TestNetwork, peer: TestPeer): Promise<string> =>
  (await peer.next('friend.message', { where: (e) => e.friend.publicKey === net.bot.publicKey })).text;

describe('moderation plugin on a test network', () => {
  it('sets a locked title back when a peer changes it', async () => {
    net = await createTestNetwork({ plugins: [moderation, autoAccept], seed: 51 });
    const bot = net.bot;
    const alice = await net.peer('alice');
    const bob = await net.peer('bob');
    bot.host.permissions.set(alice.publicKey, 'admin');
    await alice.addFriend(bot);
    await alice.addFriend(bob);
    const room = alice.createConference('lobby');
    await alice.invite(bot, room);
    await alice.invite(bob, room);
    await net.until('bob to see the bot in the lobby', () => bob.peersIn(room).some((p) => p.publicKey === bot.publicKey));

    alice.sendConference(room, '!lock-title');
    const locked = await alice.next('conference.message', { where: (e) => e.peer.publicKey === bot.publicKey });
    expect(locked.text).toBe(`Title of ${room.id.slice(0, 8)} locked to "lobby".`);

    bob.setTitle(room, 'bob was here');
    expect(await bot.next('conference.title', { where: (e) => e.peer?.publicKey === bob.publicKey })).toMatchObject({ title: 'bob was here' });
    const restored = await alice.next('conference.title', { where: (e) => e.peer?.publicKey === bot.publicKey });
    expect(restored.title).toBe('lobby');
    await net.until('everyone to see the title set back', () =>
      [alice, bob, bot].every((p) => p.node.conference(room.id).title === 'lobby'));
    // Set back once, and it stays.
    await net.advance(10_000);
    expect(alice.seen('conference.title').filter((e) => e.peer?.publicKey === bot.publicKey).map((e) => e.title)).toEqual(['lobby']);
    expect(bob.node.conference(room.id).title).toBe('lobby');
    expect(bot.errors).toEqual([]);
  });

  it('refuses a banned key\'s join request with the reason and invites an allowed friend, who joins', async () => {
    const seed = 52;
    const names = ['alice', 'mallory', 'carol', 'dave'] as const;
    const [, , carolKey] = await peerKeys(seed, names);
    net = await createTestNetwork({
      plugins: [{ plugin: moderation, options: { rooms: { lobby: {} }, join: { policy: 'allowlist', allow: [carolKey!] } } }, autoAccept],
      seed,
    });
    const bot = net.bot;
    const [alice, mallory, carol, dave] = await Promise.all(names.map((n) => net!.peer(n)));
    expect(carol!.publicKey).toBe(carolKey);
    bot.host.permissions.set(alice!.publicKey, 'admin');
    for (const p of [alice!, mallory!, carol!, dave!]) await p.addFriend(bot);
    const room = alice!.createConference('lobby');
    await alice!.invite(bot, room);

    alice!.send(bot, `!ban ${mallory!.publicKey} spamming`);
    expect(await replyTo(net, alice!)).toBe(`Banned ${mallory!.publicKey.slice(0, 8)}.`);
    mallory!.send(bot, '!join lobby');
    expect(await replyTo(net, mallory!)).toBe('Your request to join "lobby" was refused: you are banned.');
    dave!.send(bot, '!join lobby');
    expect(await replyTo(net, dave!)).toBe('Your request to join "lobby" was refused: you are not on the allowlist.');

    carol!.send(bot, '!join lobby');
    expect(await replyTo(net, carol!)).toBe('Invited you to "lobby".');
    const invite = await carol!.next('conference.invite');
    expect(invite).toMatchObject({ conferenceId: room.id, friend: { publicKey: bot.publicKey } });
    carol!.node.joinConference(bot.publicKey, invite.cookie);
    await net.until('carol to be in the lobby with alice', () =>
      carol!.inConference(room) && alice!.peersIn(room).some((p) => p.publicKey === carol!.publicKey));
    carol!.sendConference(room, 'thanks for the invite');
    expect(await alice!.next('conference.message', { where: (e) => e.peer.publicKey === carol!.publicKey })).toMatchObject({ text: 'thanks for the invite' });

    // The refused got no invite.
    await net.advance(5_000);
    expect([...mallory!.seen('conference.invite'), ...dave!.seen('conference.invite')]).toEqual([]);
    expect(bot.errors).toEqual([]);
  });
});
