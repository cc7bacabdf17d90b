/** Command language: tokenizer, command line, zod-typed args and flags, usage, and the command() middleware. */
import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import {
  Composer, formatCommandHelp, formatHelp, parseArguments, parseCommandLine, run, tokenize, usageOf, type BotContext,
} from '../../../../src/runtime/bot/index.js';
import { conferenceMessage, fixture, friendMessage } from './helpers.js';

const texts = (input: string): string[] => tokenize(input).map((t) => t.text);

describe('tokenize', () => {
  it('splits on whitespace and groups quotes', () => {
    expect(texts('  a  b\tc ')).toEqual(['a', 'b', 'c']);
    expect(texts(`say "hello world" 'it''s' “curly quotes”`)).toEqual(['say', 'hello world', 'its', 'curly quotes']);
    expect(texts('a"b c"d')).toEqual(['ab cd']);
    expect(texts('"" x')).toEqual(['', 'x']);
  });

  it('escapes with a backslash inside and outside quotes', () => {
    expect(texts(String.raw`a\ b "q\"uote" \\`)).toEqual(['a b', 'q"uote', '\\']);
  });

  it('marks quoted tokens so they are never flags', () => {
    expect(tokenize('"--x" --y').map((t) => t.quoted)).toEqual([true, false]);
  });

  it('rejects an unterminated quote and a trailing backslash', () => {
    expect(() => tokenize('"open')).toThrow(/not closed/);
    expect(() => tokenize('oops\\')).toThrow(/lone/);
  });
});

describe('parseCommandLine', () => {
  it('finds the name after the prefix, case-insensitively', () => {
    expect(parseCommandLine('!Roll 2 6', '!')).toEqual({ name: 'roll', rest: '2 6' });
    expect(parseCommandLine('!ping', '!')).toEqual({ name: 'ping', rest: '' });
    expect(parseCommandLine('>>ping now', '>>')).toEqual({ name: 'ping', rest: 'now' });
    expect(parseCommandLine('ping', '!')).toBeUndefined();
    expect(parseCommandLine('! ping', '!')).toBeUndefined();
    expect(parseCommandLine('!!!', '!')).toBeUndefined();
  });
});

describe('parseArguments', () => {
  const args = z.tuple([z.string().describe('peer'), z.coerce.number().int().describe('count').optional()], z.string().describe('words'));
  const flags = z.object({ dryRun: z.boolean().default(false), reason: z.string().optional(), tag: z.array(z.string()).default([]) });

  it('validates positional args and coerces numbers', () => {
    expect(parseArguments(tokenize('bob 3 a b'), { args })).toEqual({ ok: true, args: ['bob', 3, 'a', 'b'], flags: {} });
    expect(parseArguments(tokenize('bob'), { args })).toMatchObject({ ok: true, args: ['bob'] });
  });

  it('explains missing and bad args by name', () => {
    expect(parseArguments([], { args })).toEqual({ ok: false, problems: ['missing <peer>'] });
    const bad = parseArguments(tokenize('bob x'), { args });
    expect(bad.ok).toBe(false);
    expect(!bad.ok && bad.problems[0]).toMatch(/^<count>: .*number/);
    expect(parseArguments(tokenize('a b'), { args: z.tuple([z.string()]) })).toEqual({ ok: false, problems: ['too many arguments (at most 1)'] });
  });

  it('reads boolean, valued, repeated and kebab-case flags, and -- ends them', () => {
    const words = z.tuple([z.string()], z.string());
    const r = parseArguments(tokenize('--dry-run bob --reason "too loud" --tag a --tag=b -- --not-a-flag'), { args: words, flags });
    expect(r).toEqual({ ok: true, args: ['bob', '--not-a-flag'], flags: { dryRun: true, reason: 'too loud', tag: ['a', 'b'] } });
    expect(parseArguments(tokenize('bob --dryRun=false'), { args, flags })).toMatchObject({ ok: true, flags: { dryRun: false } });
  });

  it('reports flag problems', () => {
    const r = parseArguments(tokenize('bob --nope --reason'), { args, flags });
    expect(r).toEqual({ ok: false, problems: ['unknown flag --nope (known: --dry-run, --reason, --tag)', '--reason needs a value'] });
    expect(parseArguments(tokenize('bob --reason a --reason b'), { args, flags })).toEqual({ ok: false, problems: ['--reason is given twice'] });
    expect(parseArguments(tokenize('bob --dry-run=maybe'), { args, flags })).toEqual({ ok: false, problems: ['--dry-run takes no value or one of true/false'] });
  });

  it('treats --x as positional when the command declares no flags', () => {
    expect(parseArguments(tokenize('--x y'), {})).toEqual({ ok: true, args: ['--x', 'y'], flags: {} });
  });

  it('generates usage from the schemas', () => {
    expect(usageOf({ args, flags })).toBe('<peer> [count] [words...] [--dry-run] [--reason <text>] [--tag <text>]');
    expect(usageOf({ args: z.tuple([z.enum(['on', 'off'])]) })).toBe('<on|off>');
    expect(usageOf({ args, usage: '<anything>' })).toBe('<anything>');
    expect(usageOf({})).toBe('');
  });
});

describe('help text', () => {
  it('lists commands and explains one', () => {
    const specs = [
      { name: 'ping', aliases: [], description: 'answers pong', usage: '', role: 'user', where: 'any', hidden: false },
      { name: 'ban', aliases: ['b'], description: undefined, usage: '<peer>', role: 'admin', where: 'conference', hidden: false },
    ] as const;
    expect(formatHelp(specs, '!')).toBe('Commands:\n!ping — answers pong\n!ban <peer>\nType !help <command> for details.');
    expect(formatCommandHelp(specs[1], '!')).toBe('Usage: !ban <peer>\nAliases: !b\nNeeds the admin role.\nOnly in conferences.');
    expect(formatHelp([], '!')).toBe('No commands available.');
  });
});

describe('command() middleware', () => {
  function roller() {
    const seen: unknown[] = [];
    const bot = new Composer<BotContext>();
    bot.command('roll', { aliases: ['dice'], args: z.tuple([z.coerce.number().int().min(1).describe('sides')]), flags: z.object({ times: z.coerce.number().default(1) }) }, (ctx) => {
      seen.push([ctx.command.invokedAs, ctx.command.args[0], ctx.command.flags.times, ctx.command.rest]);
    });
    bot.command('secret', { role: 'admin' }, () => void seen.push('secret'));
    bot.command('dm', { in: 'friend' }, () => void seen.push('dm'));
    bot.use((ctx) => void seen.push(`fallthrough:${ctx.text}`));
    return { bot, seen };
  }

  it('runs the handler with typed args for the name and its aliases', async () => {
    const f = fixture();
    const { bot, seen } = roller();
    await run(bot, f.ctx(friendMessage(f.alice, '!roll 6')));
    await run(bot, f.ctx(conferenceMessage(f.room, f.bob, '!DICE 20 --times 2')));
    expect(seen).toEqual([['roll', 6, 1, '6'], ['dice', 20, 2, '20 --times 2']]);
  });

  it('passes other messages and other commands down the chain', async () => {
    const f = fixture();
    const { bot, seen } = roller();
    await run(bot, f.ctx(friendMessage(f.alice, 'roll 6')));
    await run(bot, f.ctx(friendMessage(f.alice, '!rolls 6')));
    await run(bot, f.ctx(conferenceMessage(f.room, f.bob, '!dm')));
    await run(bot, f.ctx({ kind: 'friend.action', friend: f.alice, text: '!roll 6' }));
    expect(seen).toEqual(['fallthrough:roll 6', 'fallthrough:!rolls 6', 'fallthrough:!dm', 'fallthrough:!roll 6']);
  });

  it('answers bad arguments with the problem and the usage', async () => {
    const f = fixture();
    const { bot, seen } = roller();
    await run(bot, f.ctx(friendMessage(f.alice, '!roll zero')));
    await run(bot, f.ctx(friendMessage(f.alice, '!roll "6')));
    await f.scheduler.advance(0);
    expect(seen).toEqual([]);
    const [first, second] = f.node.sentTo(f.alice);
    expect(first).toMatch(/^<sides>: .*\nUsage: !roll <sides> \[--times <number>\]$/);
    expect(second).toBe('a quote is not closed (expected ")\nUsage: !roll <sides> [--times <number>]');
  });

  it('refuses a command to a sender without the role, and runs it for one with it', async () => {
    const owner = fixture();
    const f = fixture({ permissions: { admin: [owner.alice.publicKey] } });
    const { bot, seen } = roller();
    await run(bot, f.ctx(conferenceMessage(f.room, f.bob, '!secret')));
    await run(bot, f.ctx(friendMessage(f.alice, '!secret')));
    await f.scheduler.advance(0);
    expect(f.node.sentTo(f.room)).toEqual(['!secret needs the admin role.']);
    expect(seen).toEqual(['secret']);
  });

  it('uses the configured prefix', async () => {
    const f = fixture({ prefix: '.' });
    const { bot, seen } = roller();
    await run(bot, f.ctx(friendMessage(f.alice, '.roll 4')));
    expect(seen).toEqual([['roll', 4, 1, '4']]);
  });
});
