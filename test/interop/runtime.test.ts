// The default bot as a user runs it: `tocsin run` (what `npm start` does) in a fresh working
// directory with the shipped bots/echo.json, local-only. A c-toxcore client bootstraps from the
// address the bot prints, befriends it by the printed Tox ID and gets its messages echoed; the
// bot, restarted, keeps the same Tox ID and the friend. Runs only inside a private namespace.

import { spawn, type ChildProcessByStdio } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import type { Readable } from 'node:stream';
import { afterEach, describe, expect, test } from 'vitest';
import { fromHex, toHex } from '../../src/base/index.js';
import { loadProfile } from '../../src/storage/index.js';
import { requireBootstrapd, startBootstrapd } from '../support/bootstrapd.js';
import { freeUdpPort } from '../support/ports.js';
import { Connection } from '../support/toxcore/constants.js';
import { ToxcoreInstance } from '../support/toxcore/instance.js';
import { requireToxcore } from '../support/toxcore/lib.js';
import { requirePrivateNetwork } from '../support/netns.js';

const runTox = requirePrivateNetwork() && requireToxcore() !== null && requireBootstrapd();
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
