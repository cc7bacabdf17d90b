/** The conference-relay plugin: bridging, formats, loop prevention, opt-out, notices, rate limits and invites. */
import { describe, expect, it } from 'vitest';
import { conferenceId, type ConferenceRef, type PeerRef } from '../../src/runtime/sdk/index.js';
import { createTestBot, MemoryBotNode, testPublicKey } from '../../src/runtime/sdk/testing.js';
import relay from '../../plugins/conference-relay/index.js';
import echo from '../../plugins/echo/index.js';

function threeRooms() {
  const node = new MemoryBotNode();
  const a = node.addTestConference('A');
  const b = node.addTestConference('B');
  const c = node.addTestConference('C');
  const alice = node.addTestPeer(a.id, 'alice');
  const bob = node.addTestPeer(b.id, 'bob');
  return { node, a, b, c, alice, bob };
}

const selfPeer = (node: MemoryBotNode): PeerRef => ({ publicKey: node.self().publicKey, number: 0, name: 'test bot', isSelf: true });

describe('conference-relay plugin', () => {
  it('relays messages and actions from one bridged conference to all others with the name prefix', async () => {
    const { node, a, b, c, alice } = threeRooms();
    const bot = await createTestBot({ plugins: [relay], node });
    await bot.sayIn(a, alice, 'hello');
    await bot.emit({ kind: 'conference.action', conference: a, peer: alice, text: 'waves' });
    expect(node.sentTo(b)).toEqual(['[A] alice: hello', '[A] * alice waves']);
    expect(node.sentTo(c)).toEqual(['[A] alice: hello', '[A] * alice waves']);
    expect(node.sentTo(a)).toEqual([]);
    await bot.stop();
  });

  it('bridges only the listed conferences (by id or by title) and uses a custom format', async () => {
    const { node, a, b, c, alice, bob } = threeRooms();
    const bot = await createTestBot({ plugins: [{ plugin: relay, options: { conferences: [{ id: a.id.toLowerCase() }, { title: 'B' }], format: '<{name}@{title}> {text}' } }], node });
    await bot.sayIn(a, alice, 'one');
    await bot.sayIn(b, bob, 'two');
    const carol = node.addTestPeer(c.id, 'carol');
    await bot.sayIn(c, carol, 'not bridged');
    expect(node.sentTo(b)).toEqual(['<alice@A> one']);
    expect(node.sentTo(a)).toEqual(['<bob@B> two']);
    expect(node.sentTo(c)).toEqual([]);
    await bot.stop();
  });

  it('never relays its own echoes, even when the echo is not flagged as ours', async () => {
    const { node, a, b, alice } = threeRooms();
    const bot = await createTestBot({ plugins: [relay], node, ignoreSelf: false });
    await bot.sayIn(a, alice, 'hello');
    // c-toxcore echoes our message back in B, as our own peer, and (say, through another client) as someone else.
    await bot.sayIn(b, selfPeer(node), '[A] alice: hello');
    const mirror = node.addTestPeer(b.id, 'mirror');
    await bot.sayIn(b, mirror, '[A] alice: hello');
    expect(node.sentTo(a)).toEqual([]);
    expect(node.sent).toHaveLength(2);
    await bot.stop();
  });

  it('relays a message seen in two bridged conferences once, but repeats in one conference each time', async () => {
    const { node, a, b, c, alice } = threeRooms();
    const bot = await createTestBot({ plugins: [relay], node });
    const twin: PeerRef = { ...alice, number: 1 };
    await bot.sayIn(a, alice, 'same');
    await bot.sayIn(b, twin, 'same');
    expect(node.sentTo(c)).toEqual(['[A] alice: same']);
    await bot.sayIn(a, alice, 'same');
    expect(node.sentTo(c)).toEqual(['[A] alice: same', '[A] alice: same']);
    // Past the dedup window the other conference's copy is relayed again.
    await bot.scheduler.advance(31_000);
    await bot.sayIn(b, twin, 'same');
    expect(node.sentTo(c)).toHaveLength(3);
    await bot.stop();
  });

  it('keeps opted-out lines and bot commands where they were said; commands still run', async () => {
    const { node, a, b, alice } = threeRooms();
    const bot = await createTestBot({ plugins: [{ plugin: relay, options: { optOutPrefix: '~' } }, echo], node });
    await bot.sayIn(a, alice, '~ just here');
    await bot.sayIn(a, alice, '!echo hi');
    expect(node.sentTo(b)).toEqual([]);
    expect(node.sentTo(a)).toEqual(['hi']);
    await bot.stop();
  });

  it('relays join, leave and rename notices only when enabled, never our own', async () => {
    const { node, a, b, alice } = threeRooms();
    const quiet = await createTestBot({ plugins: [relay], node });
    await quiet.emit({ kind: 'conference.peer.join', conference: a, peer: alice });
    await quiet.stop();
    expect(node.sent).toEqual([]);
    const bot = await createTestBot({ plugins: [{ plugin: relay, options: { notices: { join: true, leave: true, rename: true } } }], node });
    await bot.emit({ kind: 'conference.peer.join', conference: a, peer: alice });
    await bot.emit({ kind: 'conference.peer.join', conference: a, peer: selfPeer(node) });
    await bot.emit({ kind: 'conference.peer.rename', conference: a, peer: { ...alice, name: 'alicia' }, previousName: 'alice' });
    await bot.emit({ kind: 'conference.peer.leave', conference: a, peer: alice, reason: 'left' });
    expect(node.sentTo(b)).toEqual(['[A] alice joined', '[A] alice is now alicia', '[A] alice left']);
    await bot.stop();
  });

  it('sends through the rate-limited outbox: a burst goes out over time, in order', async () => {
    const { node, a, b, alice } = threeRooms();
    const bot = await createTestBot({ plugins: [{ plugin: relay, options: { conferences: [{ id: a.id }, { id: b.id }] } }], node, outbox: { conference: { burst: 2, perSecond: 1 } } });
    for (let i = 0; i < 5; i++) await bot.sayIn(a, alice, `m${i}`);
    expect(node.sentTo(b)).toEqual(['[A] alice: m0', '[A] alice: m1']);
    await bot.scheduler.advance(3_000);
    expect(node.sentTo(b)).toEqual(['[A] alice: m0', '[A] alice: m1', '[A] alice: m2', '[A] alice: m3', '[A] alice: m4']);
    await bot.stop();
  });

  it('joins conferences on invites from allowed keys and leaves other invites to later plugins', async () => {
    const node = new MemoryBotNode();
    const friend = node.addTestFriend('owner', testPublicKey(7));
    const stranger = node.addTestFriend('stranger');
    const invite = (f: typeof friend) => ({ kind: 'conference.invite', friend: f, conferenceId: conferenceId(testPublicKey(99)), conferenceType: 'text', cookie: new Uint8Array(35) }) as const;
    const bot = await createTestBot({ plugins: [{ plugin: relay, options: { acceptInvitesFrom: [testPublicKey(7)] } }], node });
    await bot.emit(invite(friend));
    await bot.emit(invite(stranger));
    expect(node.actions.filter((x) => x.method === 'joinConference').map((x) => x.args[0])).toEqual([friend.publicKey]);
    await bot.stop();
  });

  it('ignores conferences it is not in and empty texts', async () => {
    const { node, b, alice } = threeRooms();
    const bot = await createTestBot({ plugins: [relay], node });
    const gone: ConferenceRef = { id: conferenceId(testPublicKey(4242)), number: 9 };
    await bot.sayIn(gone, alice, 'ghost');
    await bot.sayIn(b, alice, '');
    expect(node.sent).toEqual([]);
    await bot.stop();
  });
});
