/**
 * Conference bench (issue #6), in one run, once every friend connection is up:
 *  - join: time from the first invite until every member shows the whole
 *    peer list, for 8 and 32 of our nodes and for 8 c-toxcore instances;
 *  - message: time for one message to reach every other member (median over
 *    several messages from different senders), same three groups.
 * 8 members: the creator is friends with everyone and invites all 7 at once
 * (as the c-toxcore reference in ctoxcore-loopback.md). 32 members: the
 * creator invites 7 friends, each of them invites its own 3–4 friends as soon
 * as it is connected (a star would overflow the creator's 16 group
 * connections, in c-toxcore too). Invitees join from the invite event.
 * c-toxcore iterates every 1 ms (as fast as the other benches drive it; at its
 * own 50 ms tox_iteration_interval each relay hop waits for a pass). Everything runs
 * in this process on loopback, inside a private network namespace
 * (scripts/bench.ts re-executes itself in one).
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { CryptoRandom, RealScheduler, silentLogger } from '../../src/base/index.js';
import type { DhtPublicKey } from '../../src/crypto/index.js';
import { NodeNetStack } from '../../src/net/node/index.js';
import { parseConfig } from '../../src/runtime/config/index.js';
import type { ConferenceRef } from '../../src/runtime/events.js';
import { ToxNode } from '../../src/runtime/tox-node.js';
import { Connection } from '../../test/support/toxcore/constants.js';
import { ToxcoreInstance } from '../../test/support/toxcore/instance.js';
import { requireToxcore } from '../../test/support/toxcore/lib.js';
import { median, type BenchRow } from './measure.js';

const TIMEOUT_MS = 120_000;
const TOX_ITERATE_MS = 1;
const MESSAGES = 5;

/** Waits for `pred`; a timeout names `what` and, when given, the `state` that was still missing. */
async function until(what: string, pred: () => boolean, state?: () => string): Promise<void> {
  const start = performance.now();
  while (!pred()) {
    if (performance.now() - start > TIMEOUT_MS) throw new Error(`conference bench: timed out waiting for ${what}${state ? ` (${state()})` : ''}`);
    await sleep(1);
  }
}

/** Who invites member i (the creator is 0). */
function inviterOf(i: number, size: number): number {
  return size <= 8 || i < 8 ? 0 : 1 + ((i - 8) % 7);
}

/** One run's figures for one group, in milliseconds. */
interface Figures {
  joinMs: number;
  messageMs: number;
}

// ---------------------------------------------------------------- ours

interface Ours {
  node: ToxNode;
  close(): Promise<void>;
}

async function ourNode(dir: string, name: string): Promise<Ours> {
  const scheduler = new RealScheduler();
  const net = new NodeNetStack({ scheduler });
  const network = parseConfig({ identities: [{ id: 'bench', network: { lanDiscovery: false } }] }).identities[0]!.network;
  const node = new ToxNode({ env: { scheduler, random: new CryptoRandom(), net, log: silentLogger() }, profilePath: join(dir, `${name}.tox`), network, autoSaveMs: 0 });
  await node.start();
  return {
    node,
    async close() {
      await node.stop();
      await net.close();
    },
  };
}

/** Friends without requests, told each other's DHT key (as the friends bench does), so no onion search is timed. */
function befriendOurs(a: ToxNode, b: ToxNode): void {
  for (const [x, y] of [[a, b], [b, a]] as const) {
    const n = x.acceptFriendRequest(y.publicKey);
    x.layers.connections.acquire(x.layers.friendKey(n), y.dhtPublicKey as DhtPublicKey);
  }
}

async function oursConference(size: number): Promise<Figures> {
  const dir = await mkdtemp(join(tmpdir(), 'tocsin-bench-conference-'));
  const members: Ours[] = [];
  try {
    for (let i = 0; i < size; i++) members.push(await ourNode(dir, `m${i}`));
    const nodes = members.map((m) => m.node);
    for (const a of nodes) for (const b of nodes) if (a !== b) a.dhtEngine.bootstrap({ address: b.udpAddress, publicKey: b.dhtPublicKey });
    for (let i = 1; i < size; i++) befriendOurs(nodes[inviterOf(i, size)]!, nodes[i]!);
    await until('friends online', () => nodes.every((n) => n.friends().every((f) => f.connection !== 'none')));

    const refs: Array<ConferenceRef | undefined> = nodes.map(() => undefined);
    const inviteChildren = (i: number): void => {
      for (let j = 1; j < size; j++) if (inviterOf(j, size) === i) nodes[i]!.inviteToConference(nodes[j]!.publicKey, refs[i]!);
    };
    nodes.forEach((node, i) => {
      node.on('conferenceInvite', (friend, invite) => {
        if (refs[i] === undefined) refs[i] = node.joinConference(friend.publicKey, invite.cookie);
      });
      node.on('conferenceConnected', () => inviteChildren(i));
    });
    const start = performance.now();
    refs[0] = nodes[0]!.createConference();
    inviteChildren(0);
    const peerCounts = (): string =>
      nodes
        .map((n, i) => (refs[i] === undefined ? `member ${i}: not joined` : `member ${i}: ${n.conferencePeers(refs[i]!).length} peers`))
        .filter((_, i) => refs[i] === undefined || nodes[i]!.conferencePeers(refs[i]!).length !== size)
        .join(', ');
    await until('every member sees the whole peer list', () => nodes.every((n, i) => refs[i] !== undefined && n.conferencePeers(refs[i]!).length === size), peerCounts);
    const joinMs = performance.now() - start;
    // Let the ring settle (introductions end, closest connections come up) before timing messages.
    await sleep(2_000);

    const messageMs: number[] = [];
    for (let k = 0; k < MESSAGES; k++) {
      const sender = 1 + ((k * 5) % (size - 1));
      const text = `bench ${k}`;
      let last = 0;
      let got = 0;
      const listener = (_c: ConferenceRef, _p: unknown, t: string): void => {
        if (t !== text) return;
        got++;
        last = performance.now();
      };
      for (const n of nodes) n.on('conferenceMessage', listener);
      const sent = performance.now();
      nodes[sender]!.sendConferenceMessage(refs[sender]!, text);
      await until(`message ${k} everywhere`, () => got >= size - 1);
      messageMs.push(last - sent);
      for (const n of nodes) n.off('conferenceMessage', listener);
      await sleep(200);
    }
    return { joinMs, messageMs: median(messageMs) };
  } finally {
    for (const m of members) await m.close();
    await rm(dir, { recursive: true, force: true });
  }
}

// ---------------------------------------------------------------- c-toxcore

async function toxConference(size: number): Promise<Figures> {
  const toxes: ToxcoreInstance[] = [];
  try {
    for (let i = 0; i < size; i++) toxes.push(await ToxcoreInstance.create({ localDiscovery: false }));
    const creator = toxes[0]!;
    for (const a of toxes) for (const b of toxes) if (a !== b) a.bootstrap('127.0.0.1', b.udpPort, b.dhtId);
    const friendNumbers = toxes.map((t, i) => (i === 0 ? -1 : creator.friendAddNoRequest(t.publicKey)));
    for (let i = 1; i < size; i++) toxes[i]!.friendAddNoRequest(creator.publicKey);
    for (const t of toxes) t.startLoop(TOX_ITERATE_MS);
    await until('c-toxcore friends online', () => friendNumbers.every((f) => f < 0 || creator.friendConnectionStatus(f) !== Connection.NONE));

    const numbers: Array<number | undefined> = toxes.map(() => undefined);
    toxes.forEach((t, i) => t.on('conference_invite', (friend, _type, cookie) => {
      if (numbers[i] === undefined) numbers[i] = t.conferenceJoin(friend, cookie);
    }));
    const start = performance.now();
    numbers[0] = creator.conferenceNew();
    for (let i = 1; i < size; i++) creator.conferenceInvite(friendNumbers[i]!, numbers[0]);
    await until('every c-toxcore member sees the whole peer list', () => toxes.every((t, i) => numbers[i] !== undefined && t.conferencePeerCount(numbers[i]!) === size));
    const joinMs = performance.now() - start;
    await sleep(2_000);

    const messageMs: number[] = [];
    for (let k = 0; k < MESSAGES; k++) {
      const sender = 1 + ((k * 5) % (size - 1));
      const text = `bench ${k}`;
      let last = 0;
      let got = 0;
      const listeners = toxes.map((t) => {
        const l = (c: number, peer: number, _type: unknown, t2: string): void => {
          if (t2 !== text || t.conferencePeerNumberIsOurs(c, peer)) return;
          got++;
          last = performance.now();
        };
        t.on('conference_message', l);
        return l;
      });
      const sent = performance.now();
      toxes[sender]!.conferenceSendMessage(numbers[sender]!, text);
      await until(`c-toxcore message ${k} everywhere`, () => got >= size - 1);
      messageMs.push(last - sent);
      toxes.forEach((t, i) => t.off('conference_message', listeners[i]!));
      await sleep(200);
    }
    return { joinMs, messageMs: median(messageMs) };
  } finally {
    for (const t of toxes) t.kill();
  }
}

// ---------------------------------------------------------------- rows

export async function conferenceBench(runs: number): Promise<BenchRow[]> {
  const hasToxcore = requireToxcore() !== null;
  const samples = { o8: [] as Figures[], o32: [] as Figures[], t8: [] as Figures[] };
  for (let r = 0; r < runs; r++) {
    samples.o8.push(await oursConference(8));
    if (hasToxcore) samples.t8.push(await toxConference(8));
    samples.o32.push(await oursConference(32));
  }
  const med = (list: Figures[], key: keyof Figures): number => median(list.map((f) => f[key]));
  const ref = (key: keyof Figures): { reference?: number; referenceName?: string } => (hasToxcore ? { reference: med(samples.t8, key), referenceName: 'c-toxcore 8 peers' } : {});
  return [
    { area: 'conference', metric: 'join, 8 peers (first invite → all see 8)', unit: 'ms', ours: med(samples.o8, 'joinMs'), ...ref('joinMs'), higherIsBetter: false, samples: runs, note: 'star: the creator invites its 7 friends' },
    { area: 'conference', metric: 'message to all, 8 peers', unit: 'ms', ours: med(samples.o8, 'messageMs'), ...ref('messageMs'), higherIsBetter: false, samples: runs, note: `median of ${MESSAGES} messages per run` },
    { area: 'conference', metric: 'join, 32 peers (first invite → all see 32)', unit: 'ms', ours: med(samples.o32, 'joinMs'), higherIsBetter: false, samples: runs, note: 'invite tree of depth 2' },
    { area: 'conference', metric: 'message to all, 32 peers', unit: 'ms', ours: med(samples.o32, 'messageMs'), higherIsBetter: false, samples: runs, note: `median of ${MESSAGES} messages per run` },
  ];
}
