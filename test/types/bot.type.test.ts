/**
 * Compile-only: `on(...)` narrows the context to the selected event kinds
 * (exact, list, prefix), `filter` type guards narrow, and `command` types
 * `ctx.command.args`/`flags` from its zod schemas. Nothing here runs a bot:
 * the checks live in functions that are only type-checked.
 */
import { describe, expectTypeOf, it } from 'vitest';
import type {
  BotContext, BotEvent, BotEventKind, Composer, ConferenceActionEvent, ConferenceMessageEvent, ConferenceRef, EventPrefix,
  FriendMessageEvent, FriendRef, PeerRef, PublicKeyHex, RuntimeErrorEvent,
} from '../../src/runtime/sdk/index.js';
import { BOT_EVENT_KINDS, z } from '../../src/runtime/sdk/index.js';

declare const bot: Composer<BotContext>;

function narrowing(): void {
  bot.on('friend.message', (ctx) => {
    expectTypeOf(ctx.event).toMatchTypeOf<FriendMessageEvent>();
    expectTypeOf(ctx.event).not.toMatchTypeOf<ConferenceMessageEvent>();
    expectTypeOf(ctx.event.kind).toEqualTypeOf<'friend.message'>();
    expectTypeOf(ctx.kind).toEqualTypeOf<'friend.message'>();
    expectTypeOf(ctx.text).toEqualTypeOf<string>();
    expectTypeOf(ctx.friend).toEqualTypeOf<FriendRef>();
    expectTypeOf(ctx.conference).toEqualTypeOf<undefined>();
    expectTypeOf(ctx.peer).toEqualTypeOf<undefined>();
    expectTypeOf(ctx.sender).toEqualTypeOf<PublicKeyHex>();
  });

  bot.on(['friend.message', 'conference.message'], (ctx) => {
    expectTypeOf(ctx.event.kind).toEqualTypeOf<'friend.message' | 'conference.message'>();
    expectTypeOf(ctx.text).toEqualTypeOf<string>();
    expectTypeOf(ctx.friend).toEqualTypeOf<FriendRef | undefined>();
    expectTypeOf(ctx.sender).toEqualTypeOf<PublicKeyHex>();
  });

  bot.on('conference.*', (ctx) => {
    expectTypeOf(ctx.conference).toEqualTypeOf<ConferenceRef | undefined>();
    expectTypeOf(ctx.event.kind).toEqualTypeOf<Extract<BotEventKind, `conference.${string}`>>();
  });

  bot.on('conference.peer.*', (ctx) => {
    expectTypeOf(ctx.event.kind).toEqualTypeOf<'conference.peer.join' | 'conference.peer.leave' | 'conference.peer.rename'>();
    expectTypeOf(ctx.conference).toEqualTypeOf<ConferenceRef>();
    expectTypeOf(ctx.peer).toEqualTypeOf<PeerRef>();
  });

  bot.on('conference.title', (ctx) => {
    expectTypeOf(ctx.peer).toEqualTypeOf<PeerRef | undefined>();
    expectTypeOf(ctx.sender).toEqualTypeOf<PublicKeyHex | undefined>();
    expectTypeOf(ctx.event.title).toEqualTypeOf<string>();
  });

  bot.on('friend.request', (ctx) => {
    expectTypeOf(ctx.sender).toEqualTypeOf<PublicKeyHex>();
    expectTypeOf(ctx.friend).toEqualTypeOf<undefined>();
    expectTypeOf(ctx.event.message).toEqualTypeOf<string>();
  });

  bot.on('runtime.error', (ctx) => {
    expectTypeOf(ctx.event).toMatchTypeOf<RuntimeErrorEvent>();
    expectTypeOf(ctx.event.plugin).toEqualTypeOf<string | undefined>();
    expectTypeOf(ctx.sender).toEqualTypeOf<undefined>();
  });

  // Chained narrowing keeps the narrower type.
  bot.on('conference.*').on(['conference.message', 'conference.action'], (ctx) => {
    expectTypeOf(ctx.event).toMatchTypeOf<ConferenceMessageEvent | ConferenceActionEvent>();
    expectTypeOf(ctx.event.kind).toEqualTypeOf<'conference.message' | 'conference.action'>();
    expectTypeOf(ctx.text).toEqualTypeOf<string>();
  });

  // The base context stays wide.
  bot.use((ctx) => {
    expectTypeOf(ctx.text).toEqualTypeOf<string | undefined>();
    expectTypeOf(ctx.event).toEqualTypeOf<BotEvent>();
  });

  // @ts-expect-error a misspelled kind is a compile error
  bot.on('friend.mesage', () => undefined);
  // @ts-expect-error so is a prefix that selects nothing
  bot.on('nothing.*', () => undefined);
}

function filters(): void {
  const fromConference = (ctx: BotContext): ctx is BotContext & { conference: ConferenceRef } => ctx.conference !== undefined;
  bot.filter(fromConference, (ctx) => {
    expectTypeOf(ctx.conference).toEqualTypeOf<ConferenceRef>();
  });
  bot.filter((ctx) => ctx.text === 'x', (ctx) => {
    expectTypeOf(ctx.text).toEqualTypeOf<string | undefined>();
  });
}

function commands(): void {
  bot.command('plain', (ctx) => {
    expectTypeOf(ctx.command.args).toEqualTypeOf<string[]>();
    expectTypeOf(ctx.command.rest).toEqualTypeOf<string>();
    expectTypeOf(ctx.text).toEqualTypeOf<string>();
    expectTypeOf(ctx.event.kind).toEqualTypeOf<'friend.message' | 'conference.message'>();
  });
  bot.command(
    'kick',
    {
      args: z.tuple([z.string(), z.coerce.number().optional()]),
      flags: z.object({ reason: z.string().optional(), dryRun: z.boolean().default(false) }),
      role: 'admin',
    },
    (ctx) => {
      expectTypeOf(ctx.command.args).toEqualTypeOf<[string, (number | undefined)?]>();
      expectTypeOf(ctx.command.flags).toEqualTypeOf<{ reason?: string | undefined; dryRun: boolean }>();
    },
  );
  bot.command('words', { args: z.array(z.string()).min(1) }, (ctx) => {
    expectTypeOf(ctx.command.args).toEqualTypeOf<string[]>();
    expectTypeOf(ctx.command.flags).toEqualTypeOf<Record<string, never>>();
  });
  // @ts-expect-error roles are a closed set
  bot.command('x', { role: 'moderator' }, () => undefined);
}

describe('bot composer types', () => {
  it('narrow on(), filter() and command() contexts', () => {
    expectTypeOf(narrowing).toBeFunction();
    expectTypeOf(filters).toBeFunction();
    expectTypeOf(commands).toBeFunction();
  });

  it('list every event kind and prefix', () => {
    expectTypeOf<(typeof BOT_EVENT_KINDS)[number]>().toEqualTypeOf<BotEventKind>();
    expectTypeOf<EventPrefix>().toEqualTypeOf<'self' | 'friend' | 'friend.file' | 'conference' | 'conference.peer' | 'runtime'>();
  });
});
