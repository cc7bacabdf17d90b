// Conferences (c-toxcore's old group chats) between our complete node (ToxNode with the
// conference engine over friend connections and Messenger) and c-toxcore 0.2.18 on loopback:
// c-toxcore invites us and we join; we invite c-toxcore and it joins; messages go both ways
// exactly once (c-toxcore's echo of its own messages is filtered by `peer_number_is_ours`, ours
// never reaches our events); titles and names both ways; the bot API and its events; our node
// restarts from its profile and rejoins by itself; and a mesh of two c-toxcore and two of our nodes
// joined through invites between friends, where the members who are not friends connect by
// themselves, every message reaches the 3 others once, and a c-toxcore peer leaving is seen; an AV
// conference made by c-toxcore's toxav where Opus audio passes c-toxcore → ours and ours → c-toxcore
// as lossy packets; and 4 c-toxcore + 4 ours along an alternating friend chain (created once by each
// side): messages exactly once everywhere, titles and names, a leave and a tox_kill seen by ours,
// and one of ours restarting from its profile and hearing what is sent after.
// Real sockets and time, so only inside a private network namespace:
//   unshare -n sh -c 'ip link set lo up && exec npx vitest run test/interop/conference.test.ts'
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { afterEach, describe, expect, test } from 'vitest';
import { ipPort } from '../../src/net/index.js';
import { ToxNodeBotApi, publishNodeEvents } from '../../src/runtime/bot-bridge.js';
import { BotEventBus, conferenceId, publicKeyHex, type BotEvent, type ConferenceRef, type PublicKeyHex } from '../../src/runtime/events.js';
import { ToxNode } from '../../src/runtime/tox-node.js';
import { requirePrivateNetwork } from '../support/netns.js';
import { Connection } from '../support/toxcore/constants.js';
import { createAvConference, joinAvConference, offAvAudio, onAvAudio, sendAvAudio } from '../support/toxcore/av-groups.js';
import { ToxcoreInstance } from '../support/toxcore/instance.js';
import { requireToxcore } from '../support/toxcore/lib.js';
import { startOurNode } from '../support/our-node.js';
import { waitUntil } from '../support/wait.js';

const runTox = requirePrivateNetwork() && requireToxcore() !== null;
const TEST_TIMEOUT = 90_000;
/** How long we keep listening after the last expected message, to catch duplicates. */
const QUIET_MS = 2_000;

const cleanups: Array<() => unknown> = [];
afterEach(async () => {
  for (const fn of cleanups.splice(0).reverse()) await fn();
});

const ourNode = (dir: string, name: string): Promise<ToxNode> => startOurNode(dir, name, cleanups);

const until = (what: string, predicate: () => boolean, timeoutMs = 30_000): Promise<number> => waitUntil(what, predicate, timeoutMs);

/** Our nodes and c-toxcore instances (plus two of ours as DHT/onion helpers), all bootstrapped to each other. */
async function network(oursCount: number, toxCount: number): Promise<{ ours: ToxNode[]; toxes: ToxcoreInstance[]; helpers: ToxNode[] }> {
  const dir = await mkdtemp(join(tmpdir(), 'tocsin-conference-'));
  cleanups.push(() => rm(dir, { recursive: true, force: true }));
  const helpers = [await ourNode(dir, 'h1'), await ourNode(dir, 'h2')];
  const ours: ToxNode[] = [];
  for (let i = 0; i < oursCount; i++) ours.push(await ourNode(dir, `ours${i + 1}`));
  const all = [...helpers, ...ours];
  for (const a of all) for (const b of all) if (a !== b) a.dhtEngine.bootstrap({ address: b.udpAddress, publicKey: b.dhtPublicKey });
  const toxes: ToxcoreInstance[] = [];
  for (let i = 0; i < toxCount; i++) {
    const tox = await ToxcoreInstance.create({ localDiscovery: false });
    cleanups.push(() => tox.kill());
    tox.name = `tox${i + 1}`;
    for (const n of all) {
      tox.bootstrap('127.0.0.1', n.udpAddress.port, n.dhtPublicKey);
      n.dhtEngine.bootstrap({ address: ipPort('127.0.0.1', tox.udpPort), publicKey: tox.dhtId });
    }
    tox.startLoop(1);
    toxes.push(tox);
  }
  return { ours, toxes, helpers };
}

/** Makes `ours` and `tox` friends without requests; resolves with c-toxcore's friend number for us once both see the other online. */
async function befriend(ours: ToxNode, tox: ToxcoreInstance): Promise<number> {
  const toxKey = publicKeyHex(tox.publicKey);
  ours.acceptFriendRequest(toxKey);
  const friend = tox.friendAddNoRequest(ours.publicKey);
  await until('friends online', () => tox.friendConnectionStatus(friend) !== Connection.NONE && ours.friend(toxKey).connection !== 'none', 60_000);
  return friend;
}

/** What one member saw: `<sender key>:<text>` of others' messages, titles, leaves. */
interface Seen {
  messages: string[];
  titles: string[];
}

function watchOurs(node: ToxNode): Seen & { connected: ConferenceRef[]; leaves: string[] } {
  const seen = { messages: [] as string[], titles: [] as string[], connected: [] as ConferenceRef[], leaves: [] as string[] };
  node.on('conferenceMessage', (_c, peer, text) => seen.messages.push(`${peer.publicKey}:${text}`));
  node.on('conferenceTitle', (_c, title) => seen.titles.push(title));
  node.on('conferenceConnected', (c) => seen.connected.push(c));
  node.on('conferencePeerLeave', (_c, peer, reason) => seen.leaves.push(`${peer.publicKey}:${reason}`));
  return seen;
}

function watchTox(tox: ToxcoreInstance): Seen & { invites: Array<{ friend: number; cookie: Uint8Array }>; connected: number[]; names: string[] } {
  const seen = { messages: [] as string[], titles: [] as string[], invites: [] as Array<{ friend: number; cookie: Uint8Array }>, connected: [] as number[], names: [] as string[] };
  tox.on('conference_peer_name', (_c, _peer, name) => seen.names.push(name));
  tox.on('conference_message', (conference, peer, _type, text) => {
    if (!tox.conferencePeerNumberIsOurs(conference, peer)) seen.messages.push(`${publicKeyHex(tox.conferencePeerPublicKey(conference, peer))}:${text}`);
  });
  tox.on('conference_title', (_c, _peer, title) => seen.titles.push(title));
  tox.on('conference_invite', (friend, _type, cookie) => seen.invites.push({ friend, cookie }));
  tox.on('conference_connected', (conference) => seen.connected.push(conference));
  return seen;
}

/** Whether `fn` ran without throwing. */
function tryTo(fn: () => void): boolean {
  try {
    fn();
    return true;
  } catch {
    return false;
  }
}

/** c-toxcore refuses to send (NO_CONNECTION) until its group links are up: retry until it takes the message. */
async function toxSend(tox: ToxcoreInstance, conference: number, text: string): Promise<void> {
  await until(`c-toxcore sending "${text}"`, () => tryTo(() => tox.conferenceSendMessage(conference, text)));
}

function keyOf(tox: ToxcoreInstance): PublicKeyHex {
  return publicKeyHex(tox.publicKey);
}

describe.skipIf(!runTox)('conferences: our node ⇄ c-toxcore', () => {
  test('c-toxcore creates and invites us: we join (through the bot API), messages both ways once, titles and names both ways', async () => {
    const { ours: [ours], toxes: [tox] } = await network(1, 1);
    const api = new ToxNodeBotApi(ours!);
    const bus = new BotEventBus();
    const botEvents: BotEvent[] = [];
    bus.on('*', (e) => botEvents.push(e));
    cleanups.push(publishNodeEvents(ours!, bus));
    const atOurs = watchOurs(ours!);
    const atTox = watchTox(tox!);
    const friend = await befriend(ours!, tox!);

    const invites: Array<{ friend: PublicKeyHex; cookie: Uint8Array; id: string }> = [];
    ours!.on('conferenceInvite', (f, invite) => invites.push({ friend: f.publicKey, cookie: invite.cookie, id: invite.conferenceId }));
    const conference = tox!.conferenceNew();
    const id = publicKeyHex(tox!.conferenceGetId(conference));
    const t0 = performance.now();
    tox!.conferenceInvite(friend, conference);
    await until('our invite', () => invites.length > 0);
    expect(invites[0]!.friend).toBe(keyOf(tox!));
    expect(invites[0]!.id).toBe(id);
    const ref = await api.joinConference(invites[0]!.friend, invites[0]!.cookie);
    expect(ref.id).toBe(id);
    await until('joined', () => atOurs.connected.length === 1 && tox!.conferencePeerCount(conference) === 2);
    console.info(`[conference interop] c-toxcore invite → we are connected in ${Math.round(performance.now() - t0)} ms`);
    expect(api.peers(ref.id).map((p) => `${p.publicKey}:${p.isSelf}`).sort()).toEqual([`${ours!.publicKey}:true`, `${keyOf(tox!)}:false`].sort());
    expect(api.conference(ref.id)).toEqual({ id: ref.id, number: ref.number, type: 'text', title: '', connected: true });
    expect(await api.sendConferenceMessage(conferenceId(new Uint8Array(32)), 'nowhere', 'normal')).toEqual({ ok: false, reason: 'not-found' });

    expect(await api.sendConferenceMessage(ref.id, 'hello from ours', 'normal')).toEqual({ ok: true });
    await toxSend(tox!, conference, 'hello from tox');
    await until('messages both ways', () => atOurs.messages.length >= 1 && atTox.messages.length >= 1);
    await sleep(QUIET_MS);
    expect(atOurs.messages).toEqual([`${keyOf(tox!)}:hello from tox`]);
    expect(atTox.messages).toEqual([`${ours!.publicKey}:hello from ours`]);

    tox!.conferenceSetTitle(conference, 'set by c-toxcore');
    await until('c-toxcore title at ours', () => atOurs.titles.includes('set by c-toxcore'));
    expect(ours!.conferenceTitle(ref)).toBe('set by c-toxcore');
    await api.setConferenceTitle(ref.id, 'set by ours');
    await until('our title at c-toxcore', () => atTox.titles.includes('set by ours'));
    expect(tox!.conferenceGetTitle(conference)).toBe('set by ours');

    // Names: ours follows our profile name; c-toxcore's rename reaches us as a rename.
    ours!.setName('renamed ours');
    await until('our new name at c-toxcore', () => atTox.names.includes('renamed ours'));
    tox!.name = 'renamed tox';
    await until('c-toxcore rename at ours', () => botEvents.some((e) => e.kind === 'conference.peer.rename'));
    expect(botEvents.filter((e) => e.kind === 'conference.peer.rename')).toEqual([
      { kind: 'conference.peer.rename', conference: ref, peer: expect.objectContaining({ publicKey: keyOf(tox!), name: 'renamed tox' }), previousName: 'tox1' },
    ]);

    const kinds = botEvents.filter((e) => e.kind.startsWith('conference.'));
    expect(kinds).toContainEqual(expect.objectContaining({ kind: 'conference.invite', conferenceId: id, conferenceType: 'text', friend: expect.objectContaining({ publicKey: keyOf(tox!) }) }));
    expect(kinds).toContainEqual({ kind: 'conference.connected', conference: ref });
    expect(kinds).toContainEqual({ kind: 'conference.peer.join', conference: ref, peer: expect.objectContaining({ publicKey: keyOf(tox!), name: 'tox1' }) });
    expect(kinds.filter((e) => e.kind === 'conference.message')).toEqual([
      { kind: 'conference.message', conference: ref, peer: expect.objectContaining({ publicKey: keyOf(tox!), isSelf: false }), text: 'hello from tox' },
    ]);
    expect(kinds).toContainEqual({ kind: 'conference.title', conference: ref, title: 'set by c-toxcore', peer: expect.objectContaining({ publicKey: keyOf(tox!) }) });
  }, TEST_TIMEOUT);

  test('we create and invite c-toxcore: it joins, messages both ways once, titles both ways; after our restart we rejoin', async () => {
    const { ours: [ours], toxes: [tox], helpers } = await network(1, 1);
    const atOurs = watchOurs(ours!);
    const atTox = watchTox(tox!);
    await befriend(ours!, tox!);

    const ref = ours!.createConference();
    expect(ours!.conferences()).toEqual([{ ...ref, type: 'text', title: '', connected: true }]);
    const t0 = performance.now();
    ours!.inviteToConference(keyOf(tox!), ref);
    await until('c-toxcore invite', () => atTox.invites.length > 0);
    const conference = tox!.conferenceJoin(atTox.invites[0]!.friend, atTox.invites[0]!.cookie);
    await until('c-toxcore joined', () => atTox.connected.includes(conference) && ours!.conferencePeers(ref).length === 2);
    console.info(`[conference interop] our invite → c-toxcore connected in ${Math.round(performance.now() - t0)} ms`);
    expect(publicKeyHex(tox!.conferenceGetId(conference))).toBe(ref.id);

    ours!.sendConferenceMessage(ref, 'an action from ours', 'action');
    ours!.sendConferenceMessage(ref, 'hello from ours');
    await toxSend(tox!, conference, 'hello from tox');
    await until('messages both ways', () => atOurs.messages.length >= 1 && atTox.messages.length >= 2);
    await sleep(QUIET_MS);
    expect(atOurs.messages).toEqual([`${keyOf(tox!)}:hello from tox`]);
    expect(atTox.messages).toEqual([`${ours!.publicKey}:an action from ours`, `${ours!.publicKey}:hello from ours`]);

    ours!.setConferenceTitle(ref, 'set by ours');
    await until('our title at c-toxcore', () => atTox.titles.includes('set by ours'));
    tox!.conferenceSetTitle(conference, 'set by c-toxcore');
    await until('c-toxcore title at ours', () => atOurs.titles.includes('set by c-toxcore'));
    expect(ours!.conference(ref.id).title).toBe('set by c-toxcore');

    // Restart from the saved profile: the conference comes back and we rejoin c-toxcore by ourselves.
    await ours!.stop();
    await until('c-toxcore sees us gone', () => tox!.conferencePeerCount(conference) === 1, 40_000);
    const t1 = performance.now();
    await ours!.start();
    for (const n of helpers) ours!.dhtEngine.bootstrap({ address: n.udpAddress, publicKey: n.dhtPublicKey });
    ours!.dhtEngine.bootstrap({ address: ipPort('127.0.0.1', tox!.udpPort), publicKey: tox!.dhtId });
    expect(ours!.conferences()).toEqual([expect.objectContaining({ id: ref.id, title: 'set by c-toxcore', connected: true })]);
    await until('rejoined', () => tox!.conferencePeerCount(conference) === 2 && ours!.conferencePeers(ref.id).length === 2, 60_000);
    console.info(`[conference interop] after our restart we are back in the conference in ${Math.round(performance.now() - t1)} ms`);
    ours!.sendConferenceMessage(ref.id, 'back again');
    await until('a message after the restart', () => atTox.messages.includes(`${ours!.publicKey}:back again`));
  }, TEST_TIMEOUT);

  test('two c-toxcore and two of ours through invites between friends: every message reaches the 3 others once, a leave is seen', async () => {
    const { ours: [o1, o2], toxes: [t1, t2] } = await network(2, 2);
    const seenOurs = [watchOurs(o1!), watchOurs(o2!)];
    const seenTox = [watchTox(t1!), watchTox(t2!)];
    const invitesAt = (node: ToxNode): Array<{ friend: PublicKeyHex; cookie: Uint8Array }> => {
      const list: Array<{ friend: PublicKeyHex; cookie: Uint8Array }> = [];
      node.on('conferenceInvite', (f, invite) => list.push({ friend: f.publicKey, cookie: invite.cookie }));
      return list;
    };
    const invites = [invitesAt(o1!), invitesAt(o2!)];
    // Friends in a chain: t1 – o1 – t2 – o2; every other pair meets only in the conference.
    const [o1AtT1, , o2AtT2] = await Promise.all([befriend(o1!, t1!), befriend(o1!, t2!), befriend(o2!, t2!)]);
    const t0 = performance.now();

    const c1 = t1!.conferenceNew();
    t1!.conferenceInvite(o1AtT1, c1);
    await until('o1 invited', () => invites[0]!.length > 0);
    const r1 = o1!.joinConference(invites[0]![0]!.friend, invites[0]![0]!.cookie);
    await until('o1 connected', () => seenOurs[0]!.connected.length === 1);
    o1!.inviteToConference(keyOf(t2!), r1);
    await until('t2 invited', () => seenTox[1]!.invites.length > 0);
    const c2 = t2!.conferenceJoin(seenTox[1]!.invites[0]!.friend, seenTox[1]!.invites[0]!.cookie);
    await until('t2 connected', () => seenTox[1]!.connected.includes(c2));
    t2!.conferenceInvite(o2AtT2, c2);
    await until('o2 invited', () => invites[1]!.length > 0);
    const r2 = o2!.joinConference(invites[1]![0]!.friend, invites[1]![0]!.cookie);
    expect(r2.id).toBe(r1.id);
    await until('everyone sees 4 peers', () =>
      t1!.conferencePeerCount(c1) === 4 && t2!.conferencePeerCount(c2) === 4 && o1!.conferencePeers(r1).length === 4 && o2!.conferencePeers(r2).length === 4, 40_000);
    console.info(`[conference interop] 4-member mesh (2 c-toxcore, 2 ours) complete in ${Math.round(performance.now() - t0)} ms`);

    o1!.sendConferenceMessage(r1, 'from o1');
    o2!.sendConferenceMessage(r2, 'from o2');
    await toxSend(t1!, c1, 'from t1');
    await toxSend(t2!, c2, 'from t2');
    const members = [
      { key: o1!.publicKey, text: 'from o1', seen: seenOurs[0]! },
      { key: o2!.publicKey, text: 'from o2', seen: seenOurs[1]! },
      { key: keyOf(t1!), text: 'from t1', seen: seenTox[0]! },
      { key: keyOf(t2!), text: 'from t2', seen: seenTox[1]! },
    ];
    await until('every message at the 3 others', () => members.every((m) => m.seen.messages.length >= 3));
    await sleep(QUIET_MS);
    for (const m of members) {
      const expected = members.filter((o) => o !== m).map((o) => `${o.key}:${o.text}`).sort();
      expect([...m.seen.messages].sort()).toEqual(expected);
    }

    t1!.conferenceDelete(c1);
    await until('t1 leaving seen by ours', () => seenOurs.every((s) => s.leaves.some((l) => l.startsWith(keyOf(t1!)))));
    for (const s of seenOurs) expect(s.leaves).toEqual([`${keyOf(t1!)}:left`]);
    await until('3 peers left at ours', () => o1!.conferencePeers(r1).length === 3 && o2!.conferencePeers(r2).length === 3);
  }, TEST_TIMEOUT);

  test('AV conference: c-toxcore (toxav) creates it, ours joins and brings in another c-toxcore; audio passes c-toxcore → ours and ours → both c-toxcore', async () => {
    const { ours: [o1], toxes: [t1, t2] } = await network(1, 2);
    // Friends in a chain t1 – o1 – t2.
    const [o1AtT1] = await Promise.all([befriend(o1!, t1!), befriend(o1!, t2!)]);
    const atT2 = watchTox(t2!);
    const heard = new Map<ToxcoreInstance, PublicKeyHex[]>([[t1!, []], [t2!, []]]);
    for (const [tox, from] of heard) {
      onAvAudio(tox, (frame) => from.push(publicKeyHex(tox.conferencePeerPublicKey(frame.conference, frame.peer))));
      cleanups.push(() => offAvAudio(tox));
    }
    const invites: Array<{ friend: PublicKeyHex; cookie: Uint8Array; type: string }> = [];
    o1!.on('conferenceInvite', (f, invite) => invites.push({ friend: f.publicKey, cookie: invite.cookie, type: invite.type }));
    const lossy: Array<{ from: PublicKeyHex; id: number; data: Uint8Array }> = [];
    o1!.on('conferenceLossyPacket', (_c, peer, id, data) => lossy.push({ from: peer.publicKey, id, data }));

    const c1 = createAvConference(t1!);
    t1!.conferenceInvite(o1AtT1, c1);
    await until('our AV invite', () => invites.length > 0);
    expect(invites[0]!.type).toBe('av');
    const ref = o1!.joinConference(invites[0]!.friend, invites[0]!.cookie);
    await until('we are connected', () => o1!.conference(ref).connected);
    expect(o1!.conference(ref).type).toBe('av');
    o1!.inviteToConference(keyOf(t2!), ref);
    await until('t2 invited', () => atT2.invites.length > 0);
    const c2 = joinAvConference(t2!, atT2.invites[0]!.friend, atT2.invites[0]!.cookie);
    await until('3 peers everywhere', () => t1!.conferencePeerCount(c1) === 3 && t2!.conferencePeerCount(c2) === 3 && o1!.conferencePeers(ref).length === 3);

    // c-toxcore → ours: 50 Opus frames of 20 ms arrive as lossy packets with id 192, none twice.
    const pcm = Int16Array.from({ length: 960 }, (_, i) => Math.round(8000 * Math.sin((2 * Math.PI * 440 * i) / 48_000)));
    for (let i = 0; i < 50; i++) {
      expect(sendAvAudio(t1!, c1, pcm)).toBe(true);
      await sleep(20);
    }
    await until('audio from t1 at ours', () => lossy.filter((p) => p.from === keyOf(t1!)).length >= 40);
    await sleep(QUIET_MS);
    const fromT1 = lossy.filter((p) => p.from === keyOf(t1!));
    expect(fromT1.every((p) => p.id === 192)).toBe(true);
    const sequences = fromT1.map((p) => (p.data[0]! << 8) | p.data[1]!);
    expect(new Set(sequences).size).toBe(sequences.length);
    expect(heard.get(t2!)!.filter((k) => k === keyOf(t1!)).length).toBeGreaterThan(0);

    // ours → c-toxcore: we send those Opus frames as our own audio; both c-toxcore peers decode them as coming from us.
    for (const p of fromT1) {
      o1!.sendConferenceLossyPacket(ref, 192, p.data);
      await sleep(20);
    }
    await until('our audio decoded by both c-toxcore peers', () => [t1!, t2!].every((t) => heard.get(t)!.filter((k) => k === o1!.publicKey).length >= 10));
    console.info(`[conference interop] AV: c-toxcore decoded ${heard.get(t1!)!.filter((k) => k === o1!.publicKey).length} and ${heard.get(t2!)!.filter((k) => k === o1!.publicKey).length} of our ${fromT1.length} frames`);
    expect(() => o1!.sendConferenceLossyPacket(o1!.createConference('text'), 192, new Uint8Array(4))).toThrow(expect.objectContaining({ code: 'WRONG_TYPE' }));
  }, TEST_TIMEOUT);

  // Eight members along a friend chain that alternates c-toxcore and ours (t–o–t–o…), each inviting
  // the next: invites flow both ways, and everyone but chain neighbours meets only in the
  // conference, so the ring runs over connections between non-friends.
  for (const creator of ['tox', 'ours'] as const) {
    test(`mixed 4 c-toxcore + 4 ours, created by ${creator}: messages exactly once everywhere, title and names, leave and kill seen, a restart rejoins`, async () => {
      const { ours, toxes, helpers } = await network(4, 4);
      const members = ours.map((node, i) => ourMember(node, `o${i + 1}`)).flatMap((o, i) => (creator === 'tox' ? [toxMember(toxes[i]!, `t${i + 1}`), o] : [o, toxMember(toxes[i]!, `t${i + 1}`)]));
      const t0 = performance.now();
      const friendNumbers = await Promise.all(members.slice(1).map((m, i) => befriendMembers(members[i]!, m)));
      console.info(`[conference interop] mixed (${creator}): 7 friendships online in ${Math.round(performance.now() - t0)} ms`);

      const t1 = performance.now();
      members[0]!.create();
      for (let i = 0; i + 1 < members.length; i++) {
        members[i]!.invite(members[i + 1]!, friendNumbers[i]!);
        await until(`${members[i + 1]!.label} invited`, () => members[i + 1]!.invites() > 0);
        members[i + 1]!.join();
        await until(`${members[i + 1]!.label} connected`, () => members[i + 1]!.connected());
      }
      await until('everyone sees 8 peers', () => members.every((m) => m.peerKeys().length === 8), 60_000);
      console.info(`[conference interop] mixed (${creator}): 8 members joined in ${Math.round(performance.now() - t1)} ms`);
      for (const m of members) expect(m.peerKeys()).toEqual(members.map((o) => o.key).sort());
      // The ring runs over links between members who are not friends.
      await until('every one of ours has an online group connection to a non-friend', () => members.every((m) => m.kind === 'tox' || m.nonFriendLinks() > 0));

      // Every member's message reaches the 7 others exactly once.
      for (const m of members) await m.send(`hello from ${m.label}`);
      await until('every message at the 7 others', () => members.every((m) => m.seen.messages.length >= 7));
      await sleep(QUIET_MS);
      for (const m of members) {
        expect([...m.seen.messages].sort(), m.label).toEqual(members.filter((o) => o !== m).map((o) => `${o.key}:hello from ${o.label}`).sort());
      }

      // Titles from a c-toxcore peer and from one of ours, renames from both: all 8 see them.
      const aTox = members.find((m) => m.kind === 'tox')!;
      const anOurs = members.find((m) => m.kind === 'ours')!;
      aTox.setTitle('title by c-toxcore');
      await until('c-toxcore title everywhere', () => members.every((m) => m.title() === 'title by c-toxcore'));
      anOurs.setTitle('title by ours');
      await until('our title everywhere', () => members.every((m) => m.title() === 'title by ours'));
      aTox.rename(`${aTox.label} renamed`);
      anOurs.rename(`${anOurs.label} renamed`);
      await until('renames everywhere', () =>
        members.every((m) => m.peerName(aTox.key) === `${aTox.label} renamed` && m.peerName(anOurs.key) === `${anOurs.label} renamed`));

      // One of ours (not the creator) restarts from its profile, rejoins by itself, and hears what is sent after.
      const restarting = members.filter((m) => m.kind === 'ours')[1]!;
      const node = restarting.node!;
      const others = members.filter((m) => m !== restarting);
      await node.stop();
      await until('the others see it gone', () => others.every((m) => m.peerKeys().length === 7), 40_000);
      const t2 = performance.now();
      await node.start();
      for (const n of [...helpers, ...ours]) if (n !== node) node.dhtEngine.bootstrap({ address: n.udpAddress, publicKey: n.dhtPublicKey });
      for (const tox of toxes) node.dhtEngine.bootstrap({ address: ipPort('127.0.0.1', tox.udpPort), publicKey: tox.dhtId });
      await until('the restarted member is back for everyone', () => members.every((m) => m.peerKeys().length === 8), 60_000);
      console.info(`[conference interop] mixed (${creator}): restarted member back in ${Math.round(performance.now() - t2)} ms`);
      restarting.seen.messages.length = 0;
      for (const m of others) await m.send(`after restart from ${m.label}`);
      await until('messages after the restart', () => restarting.seen.messages.length >= 7);
      await sleep(QUIET_MS);
      expect([...restarting.seen.messages].sort()).toEqual(others.map((o) => `${o.key}:after restart from ${o.label}`).sort());

      // A c-toxcore peer leaves (tox_conference_delete), another is killed (tox_kill): ours see both go.
      const [leaving, killed] = members.filter((m) => m.kind === 'tox' && m !== members[0]);
      const oursMembers = members.filter((m) => m.kind === 'ours');
      for (const m of oursMembers) m.seen.leaves.length = 0;
      leaving!.leave();
      await until('the leave seen by ours', () => oursMembers.every((m) => m.seen.leaves.includes(`${leaving!.key}:left`)));
      const t3 = performance.now();
      killed!.tox!.kill();
      await until('the killed peer gone at ours', () => oursMembers.every((m) => m.seen.leaves.some((l) => l.startsWith(`${killed!.key}:`))), 80_000);
      console.info(`[conference interop] mixed (${creator}): killed c-toxcore peer gone at ours after ${Math.round(performance.now() - t3)} ms`);
      for (const m of oursMembers) {
        expect(m.seen.leaves.sort(), m.label).toEqual([`${leaving!.key}:left`, `${killed!.key}:frozen`].sort());
        expect(m.peerKeys()).toEqual(members.filter((o) => o !== leaving && o !== killed).map((o) => o.key).sort());
      }
    }, 150_000);
  }
});

/** One member of a mixed conference, ours or c-toxcore, behind the same operations. */
interface Member {
  readonly kind: 'ours' | 'tox';
  readonly label: string;
  readonly key: PublicKeyHex;
  readonly node?: ToxNode;
  readonly tox?: ToxcoreInstance;
  readonly seen: { messages: string[]; leaves: string[] };
  create(): void;
  /** Invites `next`, who is a friend; `friendNumber` is c-toxcore's number for `next` when this member is c-toxcore. */
  invite(next: Member, friendNumber: number | undefined): void;
  invites(): number;
  join(): void;
  connected(): boolean;
  /** Hex keys of the peers it shows, itself included, sorted. */
  peerKeys(): string[];
  peerName(key: PublicKeyHex): string | undefined;
  /** Ours only: online group connections to members who are not its friends. */
  nonFriendLinks(): number;
  send(text: string): Promise<void>;
  setTitle(title: string): void;
  title(): string;
  rename(name: string): void;
  leave(): void;
}

function ourMember(node: ToxNode, label: string): Member {
  node.setName(label);
  const seen = watchOurs(node);
  const invites: Array<{ friend: PublicKeyHex; cookie: Uint8Array }> = [];
  node.on('conferenceInvite', (f, invite) => invites.push({ friend: f.publicKey, cookie: invite.cookie }));
  let ref: ConferenceRef | undefined;
  const conf = (): ConferenceRef => ref ?? expect.unreachable(`${label} has no conference`);
  return {
    kind: 'ours',
    label,
    key: node.publicKey,
    node,
    seen,
    create: () => void (ref = node.createConference()),
    invite: (next) => node.inviteToConference(next.key, conf()),
    invites: () => invites.length,
    join: () => void (ref = node.joinConference(invites[0]!.friend, invites[0]!.cookie)),
    connected: () => seen.connected.length > 0,
    peerKeys: () => {
      try {
        return node.conferencePeers(conf()).map((p) => p.publicKey).sort();
      } catch {
        return []; // stopped, or not in the conference yet
      }
    },
    peerName: (key) => node.conferencePeers(conf()).find((p) => p.publicKey === key)?.name,
    nonFriendLinks: () => {
      const friends = new Set(node.friends().map((f) => f.publicKey));
      return node.layers.conferences.connections(node.conferenceNumber(conf())).filter((c) => c.online && !friends.has(publicKeyHex(c.publicKey))).length;
    },
    send: (text) => until(`${label} sending "${text}"`, () => tryTo(() => node.sendConferenceMessage(conf(), text))).then(() => undefined),
    setTitle: (title) => node.setConferenceTitle(conf(), title),
    title: () => node.conferenceTitle(conf()),
    rename: (name) => node.setName(name),
    leave: () => node.leaveConference(conf()),
  };
}

function toxMember(tox: ToxcoreInstance, label: string): Member {
  tox.name = label;
  const seen = { ...watchTox(tox), leaves: [] as string[] };
  let conference: number | undefined;
  const conf = (): number => conference ?? expect.unreachable(`${label} has no conference`);
  const peers = (): Array<{ key: PublicKeyHex; name: string }> => {
    if (tox.killed || conference === undefined) return [];
    const n = conference;
    try {
      return Array.from({ length: tox.conferencePeerCount(n) }, (_, i) => ({ key: publicKeyHex(tox.conferencePeerPublicKey(n, i)), name: tox.conferencePeerName(n, i) }));
    } catch {
      return []; // the list changed between the calls; the caller polls again
    }
  };
  return {
    kind: 'tox',
    label,
    key: keyOf(tox),
    tox,
    seen,
    create: () => void (conference = tox.conferenceNew()),
    invite: (_next, friendNumber) => tox.conferenceInvite(friendNumber!, conf()),
    invites: () => seen.invites.length,
    join: () => void (conference = tox.conferenceJoin(seen.invites[0]!.friend, seen.invites[0]!.cookie)),
    connected: () => conference !== undefined && seen.connected.includes(conference),
    peerKeys: () => peers().map((p) => p.key).sort(),
    peerName: (key) => peers().find((p) => p.key === key)?.name,
    nonFriendLinks: () => expect.unreachable('only counted for ours'),
    send: (text) => toxSend(tox, conf(), text),
    setTitle: (title) => tox.conferenceSetTitle(conf(), title),
    title: () => {
      try {
        return tox.conferenceGetTitle(conf());
      } catch {
        return '';
      }
    },
    rename: (name) => void (tox.name = name),
    leave: () => tox.conferenceDelete(conf()),
  };
}

/** Befriends two chain neighbours (one ours, one c-toxcore); c-toxcore's friend number for the second when the first is c-toxcore. */
async function befriendMembers(a: Member, b: Member): Promise<number | undefined> {
  const [o, t] = a.kind === 'ours' ? [a, b] : [b, a];
  if (o.kind !== 'ours' || t.kind !== 'tox') throw new Error('chain neighbours alternate ours and c-toxcore');
  const friendOfOurs = await befriend(o.node!, t.tox!);
  return a.kind === 'tox' ? friendOfOurs : undefined;
}
