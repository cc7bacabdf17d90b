// Conferences (c-toxcore's old group chats) between our complete node (ToxNode with the
// conference engine over friend connections and Messenger) and c-toxcore 0.2.18 on loopback:
// c-toxcore invites us and we join; we invite c-toxcore and it joins; messages go both ways
// exactly once (c-toxcore's echo of its own messages is filtered by `peer_number_is_ours`, ours
// never reaches our events); titles and names both ways; the bot API and its events; our node
// restarts from its profile and rejoins by itself; and a mesh of two c-toxcore and two of our nodes
// joined through invites between friends, where the members who are not friends connect by
// themselves, every message reaches the 3 others once, and a c-toxcore peer leaving is seen.
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

/** c-toxcore refuses to send (NO_CONNECTION) until its group links are up: retry until it takes the message. */
async function toxSend(tox: ToxcoreInstance, conference: number, text: string): Promise<void> {
  await until(`c-toxcore sending "${text}"`, () => {
    try {
      tox.conferenceSendMessage(conference, text);
      return true;
    } catch {
      return false;
    }
  });
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
});
