/**
 * Bot runtime bench: events per second through the plugin host — fresh
 * context, admission, built-in help, five plugins each in its own error
 * boundary, unknown-command fallback — when every plugin is a no-op
 * middleware, and when every plugin registers a command that does not match.
 * There is no in-process reference for this one.
 */
import { ManualScheduler, SeededRandom, silentLogger } from '../../src/base/index.js';
import { MemoryBotNode, PluginHost, definePlugin, type Plugin } from '../../src/runtime/bot/index.js';
import type { BotEvent } from '../../src/runtime/events.js';
import { medianOf, type BenchRow } from './measure.js';

const PLUGINS = 5;

async function startHost(plugins: Plugin[]): Promise<{ host: PluginHost; event: BotEvent }> {
  const node = new MemoryBotNode();
  const friend = node.addTestFriend('bench');
  const host = new PluginHost({
    node,
    scheduler: new ManualScheduler(),
    random: new SeededRandom(1),
    log: silentLogger(),
    plugins: plugins.map((plugin, i) => ({ plugin, id: `p${i}` })),
  });
  await host.start();
  return { host, event: { kind: 'friend.message', friend, text: 'just chatting, no command here' } };
}

/** Events handled per second over about `ms` milliseconds, after a warm-up. */
async function eventsPerSecond(host: PluginHost, event: BotEvent, ms = 300): Promise<number> {
  for (let i = 0; i < 2000; i++) await host.handle(event);
  let count = 0;
  const start = performance.now();
  let elapsed = 0;
  while (elapsed < ms) {
    for (let i = 0; i < 500; i++) await host.handle(event);
    count += 500;
    elapsed = performance.now() - start;
  }
  return (count * 1000) / elapsed;
}

export async function runtimeBench(runs: number): Promise<BenchRow[]> {
  const noop = definePlugin({ name: 'noop', setup: (bot) => void bot.use((_ctx, next) => next()) });
  const command = definePlugin({ name: 'command', setup: (bot) => void bot.command('ping', (ctx) => ctx.reply('pong')) });
  const rows: BenchRow[] = [];
  for (const [metric, plugin] of [
    [`friend.message through ${PLUGINS} no-op plugin middlewares`, noop],
    [`friend.message past ${PLUGINS} plugins with a non-matching command`, command],
  ] as const) {
    const { host, event } = await startHost(Array.from({ length: PLUGINS }, () => plugin));
    const result = await medianOf(runs, () => eventsPerSecond(host, event));
    await host.stop();
    rows.push({ area: 'runtime', metric, unit: 'events/s', ours: result.median, higherIsBetter: true, samples: runs });
  }
  return rows;
}
