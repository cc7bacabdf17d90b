/** The middleware algebra: ordering, next() once, on/filter/drop/branch/fork, error boundaries, command registry. */
import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { BotError, Composer, MiddlewareError, run, type BotContext } from '../../../../src/runtime/bot/index.js';
import { conferenceMessage, fixture, friendMessage } from './helpers.js';

describe('Composer', () => {
  it('runs middleware in order around next()', async () => {
    const f = fixture();
    const trace: string[] = [];
    const bot = new Composer<BotContext>();
    bot.use(async (_ctx, next) => {
      trace.push('a>');
      await next();
      trace.push('<a');
    });
    bot.use((_ctx, next) => {
      trace.push('b');
      return next();
    });
    bot.use(() => {
      trace.push('c');
    });
    bot.use(() => {
      trace.push('never');
    });
    await run(bot, f.ctx(friendMessage(f.alice, 'hi')));
    expect(trace).toEqual(['a>', 'b', 'c', '<a']);
  });

  it('refuses a second next() call', async () => {
    const f = fixture();
    const bot = new Composer<BotContext>(async (_ctx, next) => {
      await next();
      await next();
    });
    await expect(run(bot, f.ctx(friendMessage(f.alice, 'x')))).rejects.toBeInstanceOf(MiddlewareError);
  });

  it('sees middleware added to a child composer after it was mounted', async () => {
    const f = fixture();
    const bot = new Composer<BotContext>();
    const child = bot.use();
    const seen: string[] = [];
    child.use((ctx) => void seen.push(ctx.kind));
    await run(bot, f.ctx(friendMessage(f.alice, 'x')));
    expect(seen).toEqual(['friend.message']);
  });

  it('on() matches exact kinds, arrays, prefixes and * and rejects unknown queries', async () => {
    const f = fixture();
    const seen: string[] = [];
    const bot = new Composer<BotContext>();
    bot.on('friend.message', (ctx, next) => {
      seen.push(`exact:${ctx.text}`);
      return next();
    });
    bot.on(['friend.action', 'conference.message'], (ctx, next) => {
      seen.push(`list:${ctx.kind}`);
      return next();
    });
    bot.on('conference.*', (ctx, next) => {
      seen.push(`conf:${ctx.conference?.number}`);
      return next();
    });
    bot.on('conference.peer.*', (ctx, next) => {
      seen.push(`peer:${ctx.peer.name}`);
      return next();
    });
    bot.on('*', (ctx) => void seen.push(`all:${ctx.kind}`));
    await run(bot, f.ctx(friendMessage(f.alice, 'hi')));
    await run(bot, f.ctx(conferenceMessage(f.room, f.bob, 'yo')));
    await run(bot, f.ctx({ kind: 'conference.peer.join', conference: f.room, peer: f.bob }));
    expect(seen).toEqual([
      'exact:hi', 'all:friend.message',
      'list:conference.message', 'conf:0', 'all:conference.message',
      'conf:0', 'peer:bob', 'all:conference.peer.join',
    ]);
    expect(() => bot.on('friend.mesage' as never)).toThrow(/unknown event query/);
    expect(() => bot.on('nothing.*' as never)).toThrow(/unknown event query/);
  });

  it('filter, drop and branch choose by predicate (sync or async)', async () => {
    const f = fixture();
    const seen: string[] = [];
    const bot = new Composer<BotContext>();
    bot.filter((ctx) => ctx.text === 'a', () => void seen.push('filter'));
    bot.drop(async (ctx) => ctx.text === 'b', (_ctx, next) => {
      seen.push('drop');
      return next();
    });
    bot.branch((ctx) => ctx.text === 'c', () => void seen.push('yes'), () => void seen.push('no'));
    for (const text of ['a', 'b', 'c']) await run(bot, f.ctx(friendMessage(f.alice, text)));
    // a: filtered in and stops; b: dropped past, branch says no; c: runs the dropped chain, then yes.
    expect(seen).toEqual(['filter', 'no', 'drop', 'yes']);
  });

  it('fork runs a side chain alongside the rest and awaits both', async () => {
    const f = fixture();
    const seen: string[] = [];
    const bot = new Composer<BotContext>();
    bot.fork(async () => {
      await Promise.resolve();
      seen.push('fork');
    });
    bot.use(() => void seen.push('main'));
    await run(bot, f.ctx(friendMessage(f.alice, 'x')));
    expect(seen.sort()).toEqual(['fork', 'main']);
  });

  it('errorBoundary catches errors inside, hands a BotError to the handler, and continues only if asked', async () => {
    const f = fixture();
    const seen: string[] = [];
    const caught: BotError<BotContext>[] = [];
    const bot = new Composer<BotContext>();
    bot.errorBoundary((err, next) => {
      caught.push(err);
      return next();
    }, () => {
      throw new Error('inside');
    });
    bot.errorBoundary(() => void seen.push('handled, not continuing'), async () => {
      throw new Error('second');
    });
    bot.use(() => void seen.push('unreachable'));
    await run(bot, f.ctx(friendMessage(f.alice, 'x')));
    expect(caught).toHaveLength(1);
    expect(caught[0]!.error).toEqual(new Error('inside'));
    expect(caught[0]!.ctx.text).toBe('x');
    expect(seen).toEqual(['handled, not continuing']);
  });

  it('errors after the boundary are not caught by it', async () => {
    const f = fixture();
    const bot = new Composer<BotContext>();
    const handled: unknown[] = [];
    bot.errorBoundary((e) => void handled.push(e), (_ctx, next) => next());
    bot.use(() => {
      throw new Error('downstream');
    });
    await expect(run(bot, f.ctx(friendMessage(f.alice, 'x')))).rejects.toThrow('downstream');
    expect(handled).toEqual([]);
  });

  it('collects commands registered anywhere below it', () => {
    const bot = new Composer<BotContext>();
    bot.command('ping', { description: 'pong' }, () => undefined);
    bot.on('friend.message').command(['Roll', 'dice'], { args: z.tuple([z.coerce.number().describe('sides')]) }, () => undefined);
    const deep = new Composer<BotContext>();
    deep.command('deep', () => undefined);
    bot.errorBoundary(() => undefined, deep);
    const yes = new Composer<BotContext>();
    yes.command('yes', () => undefined);
    bot.branch(() => true, yes, new Composer<BotContext>());
    expect(bot.commands().map((c) => [c.name, c.aliases, c.usage])).toEqual([
      ['ping', [], ''],
      ['roll', ['dice'], '<sides>'],
      ['deep', [], ''],
      ['yes', [], ''],
    ]);
    expect(() => bot.command('bad name', () => undefined)).toThrow(/invalid command name/);
  });
});
