// `tocsin run --console`: the console module driven through streams with the real echo and
// auto-accept plugins (friend messages and actions, /as, /request, conferences, roles, /quit),
// and once end to end as a child process with piped stdin.
import { spawn } from 'node:child_process';
import { join, resolve } from 'node:path';
import { PassThrough } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { CryptoRandom, ManualScheduler, MemorySink, RealScheduler, createLogger, type Scheduler } from '../../../../src/base/index.js';
import { definePlugin, loadPlugins, type LoadedPlugin } from '../../../../src/runtime/bot/index.js';
import { PROJECT_ROOT } from '../../../../src/runtime/cli/common.js';
import { runConsole } from '../../../../src/runtime/cli/console.js';
import { parseConfig } from '../../../../src/runtime/config/index.js';

const ROOT = resolve(import.meta.dirname, '../../../..');

/** Runs the console over `lines` (then end of input) with the given plugins; resolves with its output lines. */
async function consoleSession(
  lines: string[],
  plugins: Array<{ name: string; options?: Record<string, unknown> }> | LoadedPlugin[],
  scheduler: Scheduler = new RealScheduler(),
  wait: (done: Promise<void>) => Promise<void> = (done) => done,
): Promise<string[]> {
  const named = plugins.filter((p): p is { name: string } => 'name' in p);
  const identity = parseConfig({ identities: [{ id: 'bot', plugins: named }] }).identities[0]!;
  const input = new PassThrough();
  let out = '';
  const done = runConsole({
    identity,
    identityIndex: 0,
    plugins: named.length === plugins.length ? await loadPlugins(identity.plugins, { root: PROJECT_ROOT }) : (plugins as LoadedPlugin[]),
    input,
    output: { write: (t: string) => (out += t) },
    scheduler,
    random: new CryptoRandom(),
    log: createLogger({ sink: new MemorySink() }),
  });
  input.end(lines.map((l) => `${l}\n`).join(''));
  await wait(done);
  return out.split('\n').filter((l) => l !== '');
}

const BOTH = [{ name: 'auto-accept' }, { name: 'echo' }];

describe('the console', () => {
  it('lines are messages from the console friend; /me is an action', async () => {
    const out = await consoleSession(['hello bot', '/me waves', '', '//literal slash'], BOTH);
    expect(out[0]).toMatch(/^console: identity bot \(auto-accept, echo\)/);
    expect(out.slice(1)).toEqual(['bot → console: hello bot', 'bot → console: * waves', 'bot → console: /literal slash']);
  });

  it('/as switches speaker (a new friend); /request is accepted by auto-accept, then that friend can talk', async () => {
    const out = await consoleSession(['/as alice', 'hi from alice', '/request bob let me in', '/as bob', 'hi from bob', '/who'], BOTH);
    expect(out).toContain('bot → alice: hi from alice');
    expect(out).toContain('-- bot accepted the friend request of bob');
    expect(out).toContain('bot → bob: hi from bob');
    expect(out.find((l) => l.startsWith('-- friends of the bot:'))).toBe('-- friends of the bot: console [user], alice [user], bob (you) [user]');
  });

  it('without a plugin that accepts, a request stays unanswered and the stranger cannot talk', async () => {
    const out = await consoleSession(['/request eve hi', '/as eve'], [{ name: 'echo' }]);
    expect(out).toContain("-- the bot did not accept eve's request");
  });

  it('conferences: create, join as another speaker, say; an invite is joined by auto-accept', async () => {
    const out = await consoleSession(
      ['/conference create Room', '/say !echo hello room', '/say no trigger', '/as carol', '/say before joining', '/conference join', '/say !echo from carol', '/conference invite', '/conference use 0', '/conference leave', '/who'],
      BOTH,
    );
    expect(out).toContain('-- conference #0 "Room" with the bot in it is current');
    expect(out).toContain('-- console joined conference #0');
    expect(out.filter((l) => l.startsWith('bot → #0'))).toEqual(['bot → #0: hello room', 'bot → #0: from carol']);
    expect(out).toContain('-- carol is not in conference #0 (/conference join)');
    expect(out).toContain('-- bot joined conference #1 (invited by carol)');
    expect(out).toContain('-- carol left conference #0');
    expect(out).toContain('-- conference #0 "Room" (current): bot, console');
  });

  it('/role changes the speaker\'s role; unknown commands and /quit', async () => {
    const out = await consoleSession(['/role owner', '/role king', '/who', '/nope', '/quit', 'after quit'], BOTH);
    expect(out).toContain('-- console is now owner');
    expect(out).toContain('-- usage: /role <banned|user|admin|owner>');
    expect(out).toContain('-- friends of the bot: console (you) [owner]');
    expect(out.some((l) => l.startsWith('-- unknown console command /nope'))).toBe(true);
    expect(out.some((l) => l.includes('after quit'))).toBe(false);
  });
});

describe('on a terminal', () => {
  it('prompts with the current speaker', async () => {
    const identity = parseConfig({ identities: [{ id: 'bot', plugins: [{ name: 'echo' }] }] }).identities[0]!;
    const input = Object.assign(new PassThrough(), { isTTY: true });
    let out = '';
    const done = runConsole({
      identity,
      identityIndex: 0,
      plugins: await loadPlugins(identity.plugins, { root: PROJECT_ROOT }),
      input,
      output: { write: (t: string) => (out += t) },
      scheduler: new RealScheduler(),
      random: new CryptoRandom(),
      log: createLogger({ sink: new MemorySink() }),
    });
    input.end('hi\n/as bob\n');
    await done;
    expect(out.split('\n').slice(1)).toEqual(['console> bot → console: hi', 'console> -- you are bob (a new friend of the bot)', 'bob> ']);
  });
});

describe('the end of the input', () => {
  it('waits for replies the outbox still holds (rate limit) before stopping', async () => {
    // A plugin that does not wait for its replies: the input ends while three of eight replies
    // still wait in the outbox for the 2/s refill after the burst of five.
    const fireAndForget = definePlugin({
      name: 'fire-and-forget',
      setup(bot) {
        bot.on('friend.message', (ctx) => void ctx.reply(ctx.text));
      },
    });
    const scheduler = new ManualScheduler();
    const lines = Array.from({ length: 8 }, (_, i) => `message ${i}`);
    const out = await consoleSession(lines, [{ plugin: fireAndForget }], scheduler, async (done) => {
      let finished = false;
      void done.then(() => (finished = true));
      await scheduler.runUntil(() => finished, { timeoutMs: 30_000, stepMs: 50 });
      await done;
    });
    expect(out.filter((l) => l.startsWith('bot → console:'))).toEqual(lines.map((l) => `bot → console: ${l}`));
    expect(scheduler.now()).toBeGreaterThanOrEqual(1000);
  });
});

describe('tocsin run --console as a process', () => {
  it('reads stdin, prints the replies on stdout and exits 0 at the end of input', async () => {
    const child = spawn(process.execPath, [join(ROOT, 'node_modules/tsx/dist/cli.mjs'), join(ROOT, 'src/runtime/cli.ts'), 'run', '--console', join(ROOT, 'bots/echo.json')], {
      cwd: ROOT,
      stdio: ['pipe', 'pipe', 'pipe'],
    });
    let out = '';
    let err = '';
    child.stdout.on('data', (d: Buffer) => (out += d.toString()));
    child.stderr.on('data', (d: Buffer) => (err += d.toString()));
    child.stdin.end('ping over a pipe\n!help echo\n');
    const code = await new Promise<number | null>((r) => child.once('exit', (c) => r(c)));
    expect({ code, err: code === 0 ? '' : err }).toEqual({ code: 0, err: '' });
    expect(out).toContain('bot → console: ping over a pipe');
    expect(out).toContain('bot → console: Unknown command !echo.');
  }, 30_000);
});
