/** The moderation plugin: bans, title locks, word and flood filters with strikes, join requests by policy. */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import type { FriendRef, Plugin } from '../../src/runtime/sdk/index.js';
import { createTestBot, MemoryBotNode, testPublicKey } from '../../src/runtime/sdk/testing.js';
import autoAccept from '../../plugins/auto-accept/index.js';
import relay from '../../plugins/conference-relay/index.js';
import echo from '../../plugins/echo/index.js';
import moderation from '../../plugins/moderation/index.js';

const ADMIN = testPublicKey(500);
const dirs: string[] = [];
afterEach(() => {
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});

function world() {
  const node = new MemoryBotNode();
  const admin = node.addTestFriend('admin', ADMIN);
  const alice = node.addTestFriend('alice', testPublicKey(501));
  const mallory = node.addTestFriend('mallory', testPublicKey(502));
  const room = node.addTestConference('lobby');
  return { node, admin, alice, mallory, room };
}

async function start(node: MemoryBotNode, options: Record<string, unknown> = {}, extra: Plugin[] = [], storeDir?: string) {
  return createTestBot({
    plugins: [{ plugin: moderation, options }, ...extra],
    node,
    permissions: { admin: [ADMIN] },
    ...(storeDir ? { storeDir } : {}),
  });
}

const invites = (node: MemoryBotNode) => node.actions.filter((a) => a.method === 'inviteToConference').map((a) => a.args);

describe('moderation plugin: bans', () => {
  it('admins ban and unban keys; bans persist; users may not ban', async () => {
    const { node, admin, alice, mallory } = world();
    const dir = mkdtempSync(join(tmpdir(), 'tocsin-moderation-'));
    dirs.push(dir);
    const bot = await start(node, {}, [], dir);
    await bot.say(alice, `!ban ${mallory.publicKey}`);
    expect(node.sentTo(alice).at(-1)).toMatch(/needs the admin role/);
    await bot.say(admin, `!ban ${mallory.publicKey.toLowerCase()} spamming the lobby`);
    await bot.say(admin, `!ban ${ADMIN}`);
    expect(node.sentTo(admin)).toEqual([`Banned ${mallory.publicKey.slice(0, 8)}.`, 'Admins and owners cannot be banned.']);
    await bot.stop();

    const again = await start(node, {}, [], dir);
    await again.say(admin, '!bans');
    expect(node.sentTo(admin).at(-1)).toBe(`1 banned:\n${mallory.publicKey} — spamming the lobby`);
    await again.say(admin, `!unban ${mallory.publicKey}`);
    await again.say(admin, `!unban ${mallory.publicKey}`);
    await again.say(admin, '!bans');
    expect(node.sentTo(admin).slice(-3)).toEqual([`Unbanned ${mallory.publicKey.slice(0, 8)}.`, `${mallory.publicKey.slice(0, 8)} is not banned.`, 'No bans.']);
    await again.stop();
  });

  it("stops a banned key's friend requests, messages and conference messages before later plugins", async () => {
    const { node, admin, mallory, room } = world();
    const other = node.addTestConference('other');
    const bot = await start(node, {}, [autoAccept, relay, echo]);
    await bot.say(admin, `!ban ${mallory.publicKey}`);
    const peer = node.addTestPeer(room.id, 'mallory', mallory.publicKey);
    await bot.emit({ kind: 'friend.request', publicKey: mallory.publicKey, message: 'let me in' });
    await bot.say(mallory, 'echo me');
    await bot.sayIn(room, peer, '!echo hi');
    await bot.sayIn(room, peer, 'relay me');
    expect(node.actions.filter((a) => a.method === 'acceptFriendRequest')).toEqual([]);
    expect(node.sentTo(mallory)).toEqual([]);
    expect(node.sentTo(room)).toEqual([]);
    expect(node.sentTo(other)).toEqual([]);
    // Someone else is still heard.
    const bob = node.addTestPeer(room.id, 'bob');
    await bot.sayIn(room, bob, 'hello');
    expect(node.sentTo(other)).toEqual(['[lobby] bob: hello']);
    await bot.stop();
  });
});

describe('moderation plugin: title lock', () => {
  it('restores a locked title changed by someone else, until unlocked', async () => {
    const { node, admin, room } = world();
    const bob = node.addTestPeer(room.id, 'bob');
    const adminPeer = node.addTestPeer(room.id, 'admin', ADMIN);
    const bot = await start(node);
    await bot.sayIn(room, adminPeer, '!lock-title');
    expect(node.sentTo(room)).toEqual([`Title of ${room.id.slice(0, 8)} locked to "lobby".`]);
    await node.setConferenceTitle(room.id, 'pwned');
    await bot.emit({ kind: 'conference.title', conference: room, title: 'pwned', peer: bob });
    expect(node.conference(room.id)!.title).toBe('lobby');
    // Our own change (c-toxcore reports it with our peer) is left alone.
    const titles = () => node.actions.filter((a) => a.method === 'setConferenceTitle').length;
    const before = titles();
    await bot.emit({ kind: 'conference.title', conference: room, title: 'lobby', peer: { ...bob, isSelf: true } });
    expect(titles()).toBe(before);
    // Unlocking from a private chat by the conference's title.
    await bot.say(admin, '!unlock-title lobby');
    expect(node.sentTo(admin)).toEqual([`Title of ${room.id.slice(0, 8)} unlocked.`]);
    await node.setConferenceTitle(room.id, 'free');
    await bot.emit({ kind: 'conference.title', conference: room, title: 'free', peer: bob });
    expect(node.conference(room.id)!.title).toBe('free');
    await bot.say(admin, '!lock-title nowhere');
    expect(node.sentTo(admin).at(-1)).toBe('No such conference.');
    await bot.stop();
  });
});

describe('moderation plugin: filters', () => {
  it('warns on forbidden words, hides the message from later plugins, and reports to admins at the strike limit', async () => {
    const { node, room } = world();
    const other = node.addTestConference('other');
    const bob = node.addTestPeer(room.id, 'bob');
    const bot = await start(node, { words: ['darn', 'go away'], strikes: { limit: 3 } }, [relay]);
    await bot.sayIn(room, bob, 'well, DARN it');
    await bot.sayIn(room, bob, 'darned is fine');
    await bot.sayIn(room, bob, 'please go away now');
    expect(node.sentTo(room)).toEqual(['bob: watch your language (warning 1 of 2).', 'bob: watch your language (warning 2 of 2).']);
    expect(node.sentTo(other)).toEqual(['[lobby] bob: darned is fine']);
    await bot.sayIn(room, bob, 'darn');
    expect(node.sentTo(testFriend(node, ADMIN))).toEqual([`bob (${bob.publicKey}) reached 3 strikes in "lobby" (watch your language).`]);
    await bot.stop();
  });

  it('counts a flood per peer per conference and bans at the limit when configured; strikes are forgotten', async () => {
    const { node, admin, room } = world();
    const bob = node.addTestPeer(room.id, 'bob');
    const carol = node.addTestPeer(room.id, 'carol');
    const bot = await start(node, { flood: { messages: 3, seconds: 10 }, strikes: { limit: 2, then: 'ban', forgetSeconds: 60 } }, [echo]);
    const burst = async (peer: typeof bob, n: number) => {
      for (let i = 0; i < n; i++) await bot.sayIn(room, peer, `m${i}`);
    };
    await burst(bob, 4);
    await burst(carol, 3);
    expect(node.sentTo(room)).toEqual(['bob: please do not flood (warning 1 of 1).']);
    // A minute later the strike is forgotten: the next flood is a first warning again.
    await bot.scheduler.advance(61_000);
    await burst(bob, 4);
    expect(node.sentTo(room).at(-1)).toBe('bob: please do not flood (warning 1 of 1).');
    await bot.scheduler.advance(11_000);
    await burst(bob, 4);
    expect(node.sentTo(room).at(-1)).toBe('bob is banned: the bot ignores them from now on.');
    await bot.say(admin, '!bans');
    expect(node.sentTo(admin).at(-1)).toContain(`${bob.publicKey} — 2 strikes in "lobby" (please do not flood)`);
    await bot.stop();
  });

  it('never filters admins', async () => {
    const { node, room } = world();
    const adminPeer = node.addTestPeer(room.id, 'admin', ADMIN);
    const bot = await start(node, { words: ['darn'] });
    await bot.sayIn(room, adminPeer, 'darn');
    expect(node.sentTo(room)).toEqual([]);
    await bot.stop();
  });
});

function testFriend(node: MemoryBotNode, key: typeof ADMIN): FriendRef {
  return node.friend(key)!;
}

describe('moderation plugin: join requests', () => {
  const rooms = { lobby: {}, vault: { title: 'lobby', closed: true } };

  it('allowlist policy: invites listed keys and admins, refuses others, unknown and closed rooms, and banned keys, with reasons', async () => {
    const { node, admin, alice, mallory, room } = world();
    const carol = node.addTestFriend('carol');
    const bot = await start(node, { rooms, join: { policy: 'allowlist', allow: [alice.publicKey] } });
    await bot.say(alice, '!join LOBBY');
    await bot.say(admin, '!join lobby');
    await bot.say(carol, '!join lobby');
    await bot.say(alice, '!join nowhere at all');
    await bot.say(alice, '!join vault');
    await bot.say(admin, `!ban ${mallory.publicKey} troll`);
    await bot.say(mallory, '!join lobby');
    expect(invites(node)).toEqual([[alice.publicKey, room.id], [ADMIN, room.id]]);
    expect(node.sentTo(alice)).toEqual([
      'Invited you to "lobby".',
      'Your request to join "nowhere at all" was refused: unknown conference.',
      'Your request to join "vault" was refused: the conference is closed.',
    ]);
    expect(node.sentTo(carol)).toEqual(['Your request to join "lobby" was refused: you are not on the allowlist.']);
    expect(node.sentTo(mallory)).toEqual(['Your request to join "lobby" was refused: you are banned.']);
    await bot.stop();
  });

  it('open policy invites any friend who is not banned; a room whose conference the bot is not in is unknown', async () => {
    const { node, alice } = world();
    const bot = await start(node, { rooms: { lobby: {}, ghost: { id: testPublicKey(77) } }, join: { policy: 'open' } });
    await bot.say(alice, '!join lobby');
    await bot.say(alice, '!join ghost');
    expect(node.sentTo(alice)).toEqual(['Invited you to "lobby".', 'Your request to join "ghost" was refused: unknown conference.']);
    await bot.stop();
  });

  it('ask-admins policy: admins are asked, then approve (invite) or deny (refusal with their reason)', async () => {
    const { node, admin, alice, mallory, room } = world();
    const bot = await start(node, { rooms, join: { policy: 'ask-admins' } });
    await bot.say(alice, '!join lobby');
    await bot.say(mallory, '!join lobby');
    expect(node.sentTo(alice)).toEqual(['Your request to join "lobby" waits for an admin.']);
    expect(node.sentTo(admin)).toEqual([
      `alice (${alice.publicKey}) asks to join "lobby": !approve ${alice.publicKey} or !deny ${alice.publicKey} <reason>`,
      `mallory (${mallory.publicKey}) asks to join "lobby": !approve ${mallory.publicKey} or !deny ${mallory.publicKey} <reason>`,
    ]);
    expect(invites(node)).toEqual([]);
    await bot.say(admin, `!approve ${alice.publicKey}`);
    await bot.say(admin, `!deny ${mallory.publicKey} not today`);
    await bot.say(admin, `!approve ${mallory.publicKey}`);
    expect(invites(node)).toEqual([[alice.publicKey, room.id]]);
    expect(node.sentTo(alice).at(-1)).toBe('Invited you to "lobby".');
    expect(node.sentTo(mallory)).toEqual(['Your request to join "lobby" waits for an admin.', 'Your request to join "lobby" was refused: not today.']);
    expect(node.sentTo(admin).slice(-3)).toEqual([
      `Invited ${alice.publicKey.slice(0, 8)} to "lobby".`,
      `Refused ${mallory.publicKey.slice(0, 8)}.`,
      `No pending request from ${mallory.publicKey.slice(0, 8)}.`,
    ]);
    await bot.stop();
  });

  it('answers a bad key argument with the usage line', async () => {
    const { node, admin } = world();
    const bot = await start(node);
    await bot.say(admin, '!ban nope');
    expect(node.sentTo(admin).at(-1)).toMatch(/public key[\s\S]*Usage: !ban <key> \[reason\.\.\.\]/);
    await bot.stop();
  });
});
