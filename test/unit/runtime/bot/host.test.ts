/** The plugin host: lifecycle, isolation of failing plugins, stores, options, help, admission rules. */
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { z } from 'zod';
import { ManualScheduler, SeededRandom, silentLogger } from '../../../../src/base/index.js';
import {
  BotError, PluginConfigError, PluginHost, createTestBot, definePlugin, MemoryBotNode, type BotContext,
} from '../../../../src/runtime/bot/index.js';
import { BotEventBus, type RuntimeErrorEvent } from '../../../../src/runtime/events.js';

const echo = definePlugin({
  name: 'echo',
  setup(bot) {
    bot.on('friend.message', (ctx) => ctx.reply(ctx.text));
  },
});

let dir: string;
beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'tocsin-host-'));
});
afterEach(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe('PluginHost lifecycle', () => {
  it('sets up and starts plugins in config order, stops them in reverse, and leaves no timers', async () => {
    const trace: string[] = [];
    const make = (name: string) =>
      definePlugin({
        name,
        setup(_bot, _options, { scheduler, signal }) {
          trace.push(`setup ${name}`);
          scheduler.every(1000, () => trace.push(`tick ${name}`));
          scheduler.after(60_000, () => trace.push('never'));
          signal.addEventListener('abort', () => trace.push(`abort ${name}`));
          return { start: () => void trace.push(`start ${name}`), stop: () => void trace.push(`stop ${name}`) };
        },
      });
    const bot = await createTestBot({ plugins: [make('a'), make('b')] });
    expect(bot.host.state).toBe('running');
    await bot.scheduler.advance(1000);
    expect(bot.scheduler.pending()).toBe(4);
    await bot.stop();
    expect(trace).toEqual(['setup a', 'setup b', 'start a', 'start b', 'tick a', 'tick b', 'stop b', 'abort b', 'stop a', 'abort a']);
    expect(bot.scheduler.pending()).toBe(0);
    expect(bot.host.state).toBe('stopped');
    await bot.stop();
  });

  it('waits for a start in progress before stopping', async () => {
    const trace: string[] = [];
    const slow = definePlugin({
      name: 'slow',
      async setup() {
        await Promise.resolve();
        trace.push('setup');
        return { stop: () => void trace.push('stop') };
      },
    });
    const host = new PluginHost({ node: new MemoryBotNode(), scheduler: new ManualScheduler(), random: new SeededRandom(1), log: silentLogger(), plugins: [{ plugin: slow }] });
    const started = host.start();
    const stopped = host.stop();
    await Promise.all([started, stopped]);
    expect(trace).toEqual(['setup', 'stop']);
    expect(host.state).toBe('stopped');
    expect(() => new PluginHost({ node: new MemoryBotNode(), scheduler: new ManualScheduler(), random: new SeededRandom(1), log: silentLogger(), plugins: [], commandPrefix: ' ' })).toThrow(/prefix/);
  });

  it('drops events before start and after stop, and feeds events from a bus', async () => {
    const node = new MemoryBotNode();
    const alice = node.addTestFriend('alice');
    const scheduler = new ManualScheduler();
    const host = new PluginHost({ node, scheduler, random: new SeededRandom(1), log: silentLogger(), plugins: [{ plugin: echo }] });
    await host.handle({ kind: 'friend.message', friend: alice, text: 'early' });
    await host.start();
    const bus = new BotEventBus();
    const detach = host.attach(bus);
    bus.publish({ kind: 'friend.message', friend: alice, text: 'via bus' });
    await scheduler.advance(0);
    detach();
    bus.publish({ kind: 'friend.message', friend: alice, text: 'detached' });
    await host.stop();
    await host.handle({ kind: 'friend.message', friend: alice, text: 'late' });
    await scheduler.advance(0);
    expect(node.sentTo(alice)).toEqual(['via bus']);
    await expect(host.start()).rejects.toMatchObject({ code: 'INVALID_STATE' });
  });
});

describe('PluginHost isolation', () => {
  const thrower = definePlugin({
    name: 'thrower',
    setup(bot, _options, { scheduler }) {
      bot.on('friend.message', (ctx, next) => {
        if (ctx.text === 'boom') throw new Error('plugin bug');
        return next();
      });
      scheduler.after(10, () => {
        throw new Error('timer bug');
      });
      scheduler.after(20, async () => {
        throw new Error('async timer bug');
      });
    },
  });

  it('logs a throwing plugin, reports it, and lets the node and the other plugins go on', async () => {
    const errorsSeenByPlugins: RuntimeErrorEvent[] = [];
    const watcher = definePlugin({
      name: 'watcher',
      setup(bot) {
        bot.on('runtime.error', (ctx) => void errorsSeenByPlugins.push(ctx.event));
      },
    });
    const bot = await createTestBot({ plugins: [watcher, thrower, echo] });
    const reported: BotError<BotContext | undefined>[] = [];
    bot.host.on('error', (e) => void reported.push(e));
    const alice = bot.node.addTestFriend('alice');
    await bot.say(alice, 'boom');
    await bot.say(alice, 'still alive?');
    expect(bot.node.sentTo(alice)).toEqual(['boom', 'still alive?']);
    expect(reported.map((e) => [e.plugin, (e.error as Error).message, e.ctx?.kind])).toEqual([['thrower', 'plugin bug', 'friend.message']]);
    expect(errorsSeenByPlugins).toMatchObject([{ kind: 'runtime.error', source: 'plugin', plugin: 'thrower', during: 'friend.message' }]);
    const logged = bot.logs.records.filter((r) => r.level === 'error');
    expect(logged[0]).toMatchObject({ msg: 'plugin failed', fields: { plugin: 'thrower', phase: 'event', kind: 'friend.message' } });

    await bot.scheduler.advance(20);
    expect(reported.map((e) => (e.error as Error).message)).toEqual(['plugin bug', 'timer bug', 'async timer bug']);
    expect(reported[1]).toMatchObject({ plugin: 'thrower', code: 'BOT_MIDDLEWARE_FAILED' });
    await bot.stop();
  });

  it('takes a plugin whose setup or start fails out of the chain and starts the rest', async () => {
    const badSetup = definePlugin({ name: 'bad-setup', setup() { throw new Error('cannot set up'); } });
    const badStart = definePlugin({
      name: 'bad-start',
      setup(b, _o, { scheduler }) {
        b.command('mine', (ctx) => ctx.reply('mine'));
        scheduler.every(5, () => undefined);
        return { start: async () => Promise.reject(new Error('cannot start')) };
      },
    });
    const bot = await createTestBot({ plugins: [badSetup, badStart, echo] });
    expect(bot.host.failures.map((f) => [f.id, f.phase])).toEqual([['bad-setup', 'setup'], ['bad-start', 'start']]);
    expect(bot.host.commands().map((c) => c.name)).toEqual(['help']);
    const alice = bot.node.addTestFriend();
    await bot.say(alice, 'hello');
    expect(bot.node.sentTo(alice)).toEqual(['hello']);
    expect(bot.scheduler.pending()).toBe(0);
    await bot.stop();
  });
});

describe('PluginHost stores', () => {
  const counter = definePlugin({
    name: 'counter',
    setup(bot, _options, { store }) {
      bot.on('friend.message', async (ctx) => {
        const n = await store.update<number>('count', (c) => (c ?? 0) + 1);
        await ctx.reply(`#${n}`);
      });
    },
  });

  it('gives each plugin a persistent store in storeDir', async () => {
    const first = await createTestBot({ plugins: [counter], storeDir: dir });
    const alice = first.node.addTestFriend();
    await first.say(alice, 'a');
    await first.say(alice, 'b');
    await first.stop();
    const second = await createTestBot({ plugins: [{ plugin: counter, id: 'counter' }], storeDir: dir });
    await second.say(second.node.addTestFriend(), 'c');
    expect(second.node.sent.map((s) => s.text)).toEqual(['#3']);
    await second.stop();
    expect(JSON.parse(await readFile(join(dir, 'counter.json'), 'utf8'))).toEqual({ count: 3 });
  });

  it('isolates a plugin whose store is corrupted and leaves the file untouched', async () => {
    const file = join(dir, 'counter.json');
    await writeFile(file, '{"count": 3');
    const bot = await createTestBot({ plugins: [counter, echo], storeDir: dir });
    expect(bot.host.failures).toHaveLength(1);
    expect(bot.host.failures[0]).toMatchObject({ id: 'counter', phase: 'setup', error: { code: 'PLUGIN_STORE_CORRUPT', file } });
    await bot.say(bot.node.addTestFriend(), 'hi');
    expect(bot.node.sent.map((s) => s.text)).toEqual(['hi']);
    await bot.stop();
    expect(await readFile(file, 'utf8')).toBe('{"count": 3');
  });
});

describe('PluginHost options', () => {
  const greeter = definePlugin({
    name: 'greeter',
    options: z.object({ greeting: z.string().default('hello'), times: z.number().int().min(1).default(1) }).strict(),
    setup(bot, options) {
      bot.on('friend.online', (ctx) => ctx.reply(options.greeting.repeat(options.times)));
    },
  });

  it('validates options before starting anything, naming the config path', async () => {
    const node = new MemoryBotNode();
    const host = new PluginHost({
      node, scheduler: new ManualScheduler(), random: new SeededRandom(1), log: silentLogger(),
      configPath: 'identities[0].plugins',
      plugins: [{ plugin: echo }, { plugin: greeter, options: { greeting: 5, times: 0, extra: true } }, { plugin: echo }],
    });
    const err = await host.start().catch((e: unknown) => e);
    expect(err).toBeInstanceOf(PluginConfigError);
    expect((err as PluginConfigError).problems).toEqual([
      'identities[0].plugins[2]: plugin instance id "echo" is used twice; give one of them a distinct "id"',
      'identities[0].plugins[1].options.greeting: Invalid input: expected string, received number',
      'identities[0].plugins[1].options.times: Too small: expected number to be >=1',
      'identities[0].plugins[1].options: Unrecognized key: "extra"',
    ]);
    expect(host.state).toBe('idle');
  });

  it('applies option defaults and passes options to setup', async () => {
    const bot = await createTestBot({ plugins: [{ plugin: greeter, options: { times: 2 } }] });
    const alice = bot.node.addTestFriend();
    await bot.emit({ kind: 'friend.online', friend: alice, transport: 'udp' });
    expect(bot.node.sentTo(alice)).toEqual(['hellohello']);
    await bot.stop();
  });

  it('rejects options for a plugin that takes none', async () => {
    await expect(createTestBot({ plugins: [{ plugin: echo, options: { x: 1 } }] })).rejects.toThrow(/plugins\[0\]\.options: Unrecognized key: "x"/);
  });
});

describe('PluginHost built-ins and admission', () => {
  const admin = definePlugin({
    name: 'admin',
    setup(bot) {
      bot.command('ping', { description: 'answers pong' }, (ctx) => ctx.reply('pong'));
      bot.command('kick', { description: 'kicks a peer', role: 'admin', in: 'conference', args: z.tuple([z.string().describe('peer')]) }, (ctx) => ctx.reply(`kicked ${ctx.command.args[0]}`));
      bot.command('debug', { hidden: true }, (ctx) => ctx.reply('debug'));
    },
  });

  it('generates help from the commands the sender may use where they asked', async () => {
    const bot = await createTestBot({ plugins: [admin] });
    const alice = bot.node.addTestFriend('alice');
    const room = bot.node.addTestConference();
    const bob = bot.node.addTestPeer(room.id, 'bob');
    bot.host.permissions.set(bob.publicKey, 'admin');
    await bot.say(alice, '!help');
    await bot.sayIn(room, bob, '!help');
    await bot.say(alice, '!help kick');
    await bot.sayIn(room, bob, '!help !kick');
    await bot.say(alice, '!help debug');
    expect(bot.node.sentTo(alice)).toEqual([
      'Commands:\n!help [command] — lists the commands, or explains one\n!ping — answers pong\nType !help <command> for details.',
      'Unknown command !kick. Type !help for the list.',
      'Usage: !debug',
    ]);
    expect(bot.node.sentTo(room)).toEqual([
      'Commands:\n!help [command] — lists the commands, or explains one\n!ping — answers pong\n!kick <peer> — kicks a peer\nType !help <command> for details.',
      'Usage: !kick <peer>\nkicks a peer\nNeeds the admin role.\nOnly in conferences.',
    ]);
    await bot.stop();
  });

  it('answers unknown commands in private messages only, unless configured', async () => {
    const bot = await createTestBot({ plugins: [admin] });
    const alice = bot.node.addTestFriend();
    const room = bot.node.addTestConference();
    const bob = bot.node.addTestPeer(room.id, 'bob');
    await bot.say(alice, '!nope');
    await bot.sayIn(room, bob, '!nope');
    expect(bot.node.sentTo(alice)).toEqual(['Unknown command !nope. Type !help for the list.']);
    expect(bot.node.sentTo(room)).toEqual([]);
    await bot.stop();
    const loud = await createTestBot({ plugins: [], unknownCommandReply: 'always', help: false, commandPrefix: '/' });
    const r = loud.node.addTestConference();
    await loud.sayIn(r, loud.node.addTestPeer(r.id, 'x'), '/help');
    expect(loud.node.sentTo(r)).toEqual(['Unknown command /help.']);
    await loud.stop();
  });

  it('drops what banned keys send and our own conference echoes', async () => {
    const seen: string[] = [];
    const spy = definePlugin({ name: 'spy', setup: (bot) => void bot.use((ctx) => void seen.push(`${ctx.kind}:${ctx.sender?.slice(-2)}`)) });
    const node = new MemoryBotNode();
    const alice = node.addTestFriend('alice');
    const room = node.addTestConference();
    const me = node.peers(room.id)[0]!;
    const bot = await createTestBot({ plugins: [spy], node, permissions: { banned: [alice.publicKey] } });
    await bot.say(alice, 'hi');
    await bot.emit({ kind: 'friend.request', publicKey: alice.publicKey, message: 'again' });
    await bot.emit({ kind: 'friend.name', friend: alice, previousName: 'al' });
    await bot.sayIn(room, me, 'echo of ourselves');
    await bot.emit({ kind: 'conference.peer.join', conference: room, peer: me });
    expect(seen).toEqual([`friend.name:${alice.publicKey.slice(-2)}`, `conference.peer.join:${me.publicKey.slice(-2)}`]);
    await bot.stop();
    const open = await createTestBot({ plugins: [spy], node, permissions: { banned: [alice.publicKey] }, ignoreBanned: false, ignoreSelf: false });
    seen.length = 0;
    await open.say(alice, 'hi');
    await open.sayIn(room, me, 'echo');
    expect(seen).toHaveLength(2);
    await open.stop();
  });

  it('splits a long reply at the Tox limit', async () => {
    const bot = await createTestBot({ plugins: [echo] });
    const alice = bot.node.addTestFriend();
    await bot.say(alice, `${'a'.repeat(1372)} ${'b'.repeat(10)}`);
    expect(bot.node.sentTo(alice)).toEqual(['a'.repeat(1372), 'b'.repeat(10)]);
    await bot.stop();
  });
});
