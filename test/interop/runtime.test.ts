// The default bot as a user runs it: `tocsin run` (what `npm start` does) in a fresh working
// directory with the shipped bots/echo.json, local-only. A c-toxcore client bootstraps from the
// address the bot prints, befriends it by the printed Tox ID and gets its messages echoed; the
// bot, restarted, keeps the same Tox ID and the friend. Then the plugin bots: one in-process bot
// (our ToxNode + a PluginHost running logger, moderation, conference-relay and auto-accept, as
// `tocsin run` composes them) with three c-toxcore clients on one shared network: (a) a client
// invites it to a conference, it joins and the logger records the conference messages; (b) it
// bridges two conferences of c-toxcore peers both ways, each message arriving once on the other
// side and nothing coming back; (c) it restores a locked title a client changed, refuses a banned
// friend's join request with the reason, and invites an allowlisted one, who joins.
// Runs only inside a private namespace.

import { spawn, type ChildProcessByStdio } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import type { Readable } from 'node:stream';
import { setTimeout as sleep } from 'node:timers/promises';
import { afterAll, afterEach, beforeAll, describe, expect, test } from 'vitest';
import { CryptoRandom, RealScheduler, fromHex, silentLogger, toHex } from '../../src/base/index.js';
import { ipPort } from '../../src/net/index.js';
import { Permissions, PluginHost } from '../../src/runtime/bot/index.js';
import { ToxNodeBotApi, publishNodeEvents } from '../../src/runtime/bot-bridge.js';
import { BotEventBus, conferenceId, publicKeyHex, type PublicKeyHex } from '../../src/runtime/events.js';
import type { ToxNode } from '../../src/runtime/tox-node.js';
import { loadProfile } from '../../src/storage/index.js';
import autoAccept from '../../plugins/auto-accept/index.js';
import relay from '../../plugins/conference-relay/index.js';
import logger from '../../plugins/logger/index.js';
import moderation from '../../plugins/moderation/index.js';
import { requireBootstrapd, startBootstrapd } from '../support/bootstrapd.js';
import { startOurNode } from '../support/our-node.js';
import { freeUdpPort } from '../support/ports.js';
import { Connection } from '../support/toxcore/constants.js';
import { ToxcoreInstance } from '../support/toxcore/instance.js';
import { requireToxcore } from '../support/toxcore/lib.js';
import { requirePrivateNetwork } from '../support/netns.js';
import { waitUntil } from '../support/wait.js';

const runToxcore = requirePrivateNetwork() && requireToxcore() !== null;
const runTox = runToxcore && requireBootstrapd();
const ROOT = resolve(import.meta.dirname, '../..');
const TIMEOUT = 180_000;

interface RunningBot {
  child: ChildProcessByStdio<null, Readable, Readable>;
  toxId: string;
  bootstrap: { host: string; port: number; dhtId: Uint8Array };
  output: () => string;
}

const cleanups: Array<() => unknown> = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

/** Starts `tocsin run` in `cwd` and waits for the Tox ID and bootstrap lines. */
async function startBot(cwd: string): Promise<RunningBot> {
  const child = spawn(process.execPath, [join(ROOT, 'node_modules/tsx/dist/cli.mjs'), join(ROOT, 'src/runtime/cli.ts'), 'run'], {
    cwd,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  child.stdout.on('data', (d: Buffer) => (out += d.toString()));
  child.stderr.on('data', (d: Buffer) => (out += d.toString()));
  cleanups.push(() => stopBot(child));
  const deadline = Date.now() + 30_000;
  for (;;) {
    const id = /Tox ID:\s+([0-9A-F]{76})/.exec(out);
    const boot = /bootstrap:\s+(\S+) (\d+) ([0-9A-F]{64})/.exec(out);
    if (id && boot) {
      return { child, toxId: id[1]!, bootstrap: { host: boot[1]!, port: Number(boot[2]), dhtId: fromHex(boot[3]!) }, output: () => out };
    }
    if (child.exitCode !== null || Date.now() > deadline) throw new Error(`the bot did not start:\n${out}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

async function stopBot(child: RunningBot['child']): Promise<void> {
  if (child.exitCode !== null) return;
  const exited = new Promise<void>((r) => child.once('exit', () => r()));
  child.kill('SIGINT');
  await exited;
}

describe.skipIf(!runTox)('the default echo bot (npm start) with a c-toxcore client', () => {
  test('prints its ID, is befriended by it, echoes, and keeps ID and friend across a restart', async () => {
    const cwd = mkdtempSync(join(tmpdir(), 'tocsin-start-'));
    cleanups.push(() => rmSync(cwd, { recursive: true, force: true }));
    mkdirSync(join(cwd, 'bots'));
    // The shipped config, with only the port range narrowed to a free port (tests never assume fixed ports).
    const config = JSON.parse(readFileSync(join(ROOT, 'bots/echo.json'), 'utf8'));
    const port = await freeUdpPort();
    config.identities[0].network.udp = { portRange: [port, port] };
    // A local tox-bootstrapd both sides also know, as a user's network would have: with only the bot
    // and the client, a restarted bot was not found again within 90 s (see the issue notes).
    const daemon = await startBootstrapd({ tcpRelay: false });
    cleanups.push(() => daemon.stop());
    config.identities[0].network.bootstrap = [{ host: '127.0.0.1', port: daemon.udpPort, publicKey: toHex(daemon.publicKey) }];
    writeFileSync(join(cwd, 'bots/echo.json'), JSON.stringify(config));

    const bot = await startBot(cwd);
    expect(bot.bootstrap.host).toBe('127.0.0.1');
    expect(existsSync(join(cwd, 'data/echo.tox'))).toBe(true);

    const client = await ToxcoreInstance.create({ localDiscovery: false });
    cleanups.push(() => client.kill());
    client.bootstrap(bot.bootstrap.host, bot.bootstrap.port, bot.bootstrap.dhtId);
    client.bootstrap('127.0.0.1', daemon.udpPort, daemon.publicKey);
    const friend = client.friendAdd(bot.toxId, 'hello bot');
    const echoes: string[] = [];
    client.on('friend_message', (_f, _type, text) => echoes.push(text));
    client.startLoop(5);
    await ToxcoreInstance.iterateUntil([], () => client.friendConnectionStatus(friend) !== Connection.NONE, { timeoutMs: 60_000, what: 'the bot online as a friend' });
    client.friendSendMessage(friend, 'ping 1');
    await ToxcoreInstance.iterateUntil([], () => echoes.includes('ping 1'), { timeoutMs: 20_000, what: 'the echo of ping 1' });

    await stopBot(bot.child);
    // SIGINT saved the profile with the friend in it.
    const saved = await loadProfile(join(cwd, 'data/echo.tox'));
    expect(saved.friends.map((f) => toHex(f.publicKey))).toEqual([toHex(client.publicKey)]);
    expect(saved.friends[0]!.status).toBe('confirmed');

    const again = await startBot(cwd);
    expect(again.toxId).toBe(bot.toxId);
    // The friendship comes back from the profile by itself (no new request). Messages sent while the
    // old session is still timing out may be lost (c-toxcore reports them undelivered), so retry.
    let lastSent = 0;
    const restarted = ToxcoreInstance.iterateUntil(
      [],
      () => {
        if (echoes.includes('ping 2')) return true;
        if (client.friendConnectionStatus(friend) !== Connection.NONE && performance.now() - lastSent > 3_000) {
          lastSent = performance.now();
          client.friendSendMessage(friend, 'ping 2');
        }
        return false;
      },
      { timeoutMs: 90_000, what: 'the echo of ping 2 after the restart' },
    );
    await restarted.catch((err: Error) => {
      throw new Error(`${err.message}\n--- bot output after the restart ---\n${again.output()}`);
    });
  }, TIMEOUT);
});

// ---------------------------------------------------------------- plugin bots

/** A c-toxcore client and what it saw: friend messages from the bot, others' conference messages, titles, invites. */
interface Client {
  tox: ToxcoreInstance;
  key: PublicKeyHex;
  /** The bot's friend number at this client. */
  bot: number;
  said: string[];
  heard: Map<number, string[]>;
  titles: Array<{ conference: number; title: string }>;
  invites: Array<{ friend: number; cookie: Uint8Array }>;
  connected: number[];
}

function watchClient(tox: ToxcoreInstance): Client {
  const c: Client = { tox, key: publicKeyHex(tox.publicKey), bot: -1, said: [], heard: new Map(), titles: [], invites: [], connected: [] };
  tox.on('friend_message', (_f, _type, text) => c.said.push(text));
  tox.on('conference_message', (conference, peer, _type, text) => {
    if (tox.conferencePeerNumberIsOurs(conference, peer)) return;
    c.heard.set(conference, [...(c.heard.get(conference) ?? []), text]);
  });
  tox.on('conference_title', (conference, _peer, title) => c.titles.push({ conference, title }));
  tox.on('conference_invite', (friend, _type, cookie) => c.invites.push({ friend, cookie }));
  tox.on('conference_connected', (conference) => c.connected.push(conference));
  return c;
}

const until = (what: string, predicate: () => boolean, timeoutMs = 30_000): Promise<number> => waitUntil(what, predicate, timeoutMs);

/** c-toxcore refuses to send (NO_CONNECTION) until its group links are up: retry until it takes the message. */
async function conferenceSay(tox: ToxcoreInstance, conference: number, text: string): Promise<void> {
  await until(`c-toxcore sending "${text}"`, () => {
    try {
      tox.conferenceSendMessage(conference, text);
      return true;
    } catch {
      return false;
    }
  });
}

describe.skipIf(!runToxcore)('plugin bots (logger, conference-relay, moderation) with c-toxcore clients', () => {
  const shared: Array<() => unknown> = [];
  let dir = '';
  let bot: ToxNode;
  let api: ToxNodeBotApi;
  const clients: Client[] = [];
  /** The conferences at the clients that created them: A at client 0, B at client 1. */
  let confA = -1;
  let confB = -1;

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'tocsin-plugin-bots-'));
    shared.push(() => rmSync(dir, { recursive: true, force: true }));
    const helpers = [await startOurNode(dir, 'h1', shared), await startOurNode(dir, 'h2', shared)];
    bot = await startOurNode(dir, 'bot', shared);
    const ours = [...helpers, bot];
    for (const a of ours) for (const b of ours) if (a !== b) a.dhtEngine.bootstrap({ address: b.udpAddress, publicKey: b.dhtPublicKey });
    for (let i = 0; i < 3; i++) {
      const tox = await ToxcoreInstance.create({ localDiscovery: false });
      shared.push(() => tox.kill());
      tox.name = `tox${i + 1}`;
      for (const n of ours) {
        tox.bootstrap('127.0.0.1', n.udpAddress.port, n.dhtPublicKey);
        n.dhtEngine.bootstrap({ address: ipPort('127.0.0.1', tox.udpPort), publicKey: tox.dhtId });
      }
      tox.startLoop(1);
      clients.push(watchClient(tox));
    }
    const [admin, , allowed] = clients;
    api = new ToxNodeBotApi(bot);
    const host = new PluginHost({
      node: api,
      scheduler: new RealScheduler(),
      random: new CryptoRandom(),
      log: silentLogger(),
      dataDir: join(dir, 'bot-data'),
      permissions: Permissions.fromConfig({ admin: [admin!.key] }),
      plugins: [
        { plugin: logger, options: { path: 'logs/events.jsonl' } },
        { plugin: moderation, options: { rooms: { bee: { title: 'B' } }, join: { policy: 'allowlist', allow: [allowed!.key] } } },
        { plugin: relay, options: { conferences: [{ title: 'A' }, { title: 'B' }] } },
        { plugin: autoAccept },
      ],
    });
    await host.start();
    shared.push(() => host.stop());
    const bus = new BotEventBus();
    shared.push(host.attach(bus));
    shared.push(publishNodeEvents(bot, bus));
    for (const c of clients) {
      bot.acceptFriendRequest(c.key);
      c.bot = c.tox.friendAddNoRequest(bot.publicKey);
    }
    await until('the bot online at every client', () => clients.every((c) => c.tox.friendConnectionStatus(c.bot) !== Connection.NONE && bot.friend(c.key).connection !== 'none'), 60_000);
  }, 90_000);

  afterAll(async () => {
    for (const cleanup of shared.splice(0).reverse()) await cleanup();
  });

  /** c-toxcore creates a conference titled `title` and invites the bot; auto-accept joins it. */
  async function inviteBot(client: Client, title: string): Promise<number> {
    const conference = client.tox.conferenceNew();
    client.tox.conferenceSetTitle(conference, title);
    client.tox.conferenceInvite(client.bot, conference);
    const id = publicKeyHex(client.tox.conferenceGetId(conference));
    await until(`the bot in conference ${title}`, () => client.tox.conferencePeerCount(conference) === 2 && api.conference(conferenceId(id))?.title === title);
    return conference;
  }

  test('(a) invited by a c-toxcore client, the bot joins and the logger records the conference messages', async () => {
    const [a] = clients;
    confA = await inviteBot(a!, 'A');
    await conferenceSay(a!.tox, confA, 'logged line');
    const file = join(dir, 'bot-data/logs/events.jsonl');
    const records = (): Array<Record<string, unknown>> =>
      existsSync(file) ? readFileSync(file, 'utf8').trim().split('\n').map((l) => JSON.parse(l) as Record<string, unknown>) : [];
    await until('the message in the log file', () => records().some((r) => r['kind'] === 'conference.message' && r['text'] === 'logged line'));
    const id = publicKeyHex(a!.tox.conferenceGetId(confA));
    expect(records()).toContainEqual(expect.objectContaining({ kind: 'conference.invite', conferenceId: id, cookie: { bytes: expect.any(Number) } }));
    expect(records().find((r) => r['text'] === 'logged line')).toMatchObject({ conference: { id }, peer: { publicKey: a!.key, isSelf: false } });
  }, 60_000);

  test('(b) the relay bridges two conferences both ways, each message once, nothing back', async () => {
    const [a, b] = clients;
    expect(confA).toBeGreaterThanOrEqual(0);
    confB = await inviteBot(b!, 'B');
    await conferenceSay(a!.tox, confA, 'hello from A');
    await until('A → B', () => (b!.heard.get(confB) ?? []).some((t) => t.endsWith(': hello from A')));
    await conferenceSay(b!.tox, confB, 'hello from B');
    await until('B → A', () => (a!.heard.get(confA) ?? []).some((t) => t.endsWith(': hello from B')));
    await sleep(3_000);
    const inA = (a!.heard.get(confA) ?? []).filter((t) => t.startsWith('['));
    const inB = (b!.heard.get(confB) ?? []).filter((t) => t.startsWith('['));
    expect(inB).toHaveLength(1);
    expect(inB[0]).toMatch(/^\[A\] (tox1|[0-9A-F]{8}): hello from A$/);
    expect(inA).toHaveLength(1);
    expect(inA[0]).toMatch(/^\[B\] (tox2|[0-9A-F]{8}): hello from B$/);
  }, 60_000);

  test('(c) moderation: a locked title is restored, a banned friend is refused with the reason, an allowed one is invited and joins', async () => {
    const [admin, banned, allowed] = clients;
    expect(confB).toBeGreaterThanOrEqual(0);
    admin!.tox.friendSendMessage(admin!.bot, '!lock-title A');
    await until('the lock confirmed', () => admin!.said.some((t) => t.includes('locked to "A"')));
    const before = admin!.titles.length;
    admin!.tox.conferenceSetTitle(confA, 'hijacked');
    await until('the title restored', () => admin!.titles.slice(before).some((t) => t.conference === confA && t.title === 'A'));
    expect(admin!.tox.conferenceGetTitle(confA)).toBe('A');

    admin!.tox.friendSendMessage(admin!.bot, `!ban ${banned!.key} troll`);
    await until('the ban confirmed', () => admin!.said.some((t) => t.startsWith('Banned ')));
    banned!.tox.friendSendMessage(banned!.bot, '!join bee');
    await until('the refusal', () => banned!.said.length > 0);
    expect(banned!.said).toEqual(['Your request to join "bee" was refused: you are banned.']);

    allowed!.tox.friendSendMessage(allowed!.bot, '!join bee');
    await until('the invite', () => allowed!.invites.length > 0);
    const joined = allowed!.tox.conferenceJoin(allowed!.invites[0]!.friend, allowed!.invites[0]!.cookie);
    await until('the allowed client in B', () => allowed!.connected.includes(joined) && allowed!.tox.conferencePeerCount(joined) === 3);
    expect(toHex(allowed!.tox.conferenceGetId(joined))).toBe(toHex(banned!.tox.conferenceGetId(confB)));
    expect(allowed!.said).toContain('Invited you to "bee".');
  }, 90_000);
});
