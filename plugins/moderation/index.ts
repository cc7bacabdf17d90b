/**
 * moderation: what a bot can enforce in 0.2.18 conferences, which have no
 * kick or mute. It owns
 * - a ban list by public key, persisted in the plugin store and managed with
 *   `ban`/`unban`/`bans` (admin): a banned key's friend requests, invites,
 *   friend messages and conference messages stop here (later plugins never
 *   see them: no commands, no relaying), and its join requests are refused;
 * - title locks (`lock-title`/`unlock-title`, persisted): a locked
 *   conference's title is set back whenever someone else changes it;
 * - word and flood filters per peer per conference: offending messages stop
 *   here, the peer is warned, and after `strikes.limit` strikes admins are
 *   told (`report`) or the key is banned as above (`ban`);
 * - join requests: a friend sends `join <room>` and gets an invite or a
 *   refusal with a reason (banned, not on the allowlist, unknown conference,
 *   conference closed), by policy `open`, `allowlist` or `ask-admins`, where
 *   admins answer with `approve <key>` / `deny <key> <reason>`.
 * Put it early in the plugin list (after logger) so its gate runs first.
 */
import {
  definePlugin, hasRole, parseCommandLine, publicKeyHex, z,
  type BotContext, type ConferenceId, type ConferenceInfo, type PublicKeyHex,
} from '../../src/runtime/sdk/index.js';
import { FloodFilter, StrikeBook, WordFilter } from './filters.js';

const hex64 = z.string().regex(/^[0-9a-fA-F]{64}$/, 'expected 64 hexadecimal characters');
/** A public key as 64 hex characters or a whole Tox ID. */
const keyArg = z.string().describe('key').transform((value, ctx) => {
  try {
    return publicKeyHex(value);
  } catch {
    ctx.addIssue({ code: 'custom', message: 'expected a public key (64 hex) or a Tox ID (76 hex)' });
    return z.NEVER;
  }
});

const options = z
  .object({
    /** Conferences friends may ask to join, by name: `{ id }`, or `{ title }` (default: the name as title). */
    rooms: z
      .record(z.string().min(1), z.object({ id: hex64.optional(), title: z.string().min(1).optional(), closed: z.boolean().default(false) }).strict())
      .default({}),
    join: z
      .object({
        policy: z.enum(['open', 'allowlist', 'ask-admins']).default('allowlist'),
        /** Keys invited without asking (admins and owners always are). */
        allow: z.array(hex64.transform((h) => h.toUpperCase() as PublicKeyHex)).default([]),
      })
      .strict()
      .prefault({}),
    /** Forbidden words (whole words) and phrases (substrings), case-insensitive. */
    words: z.array(z.string().min(1)).default([]),
    flood: z.object({ messages: z.number().int().min(0).default(5), seconds: z.number().int().min(1).default(10) }).strict().prefault({}),
    strikes: z
      .object({
        /** The strike that triggers `then`; earlier ones are warnings. */
        limit: z.number().int().min(1).default(3),
        then: z.enum(['report', 'ban']).default('report'),
        forgetSeconds: z.number().int().min(1).default(3600),
      })
      .strict()
      .prefault({}),
  })
  .strict();

interface Ban {
  readonly reason: string;
  readonly by: PublicKeyHex | null;
  readonly unix: number;
}

const refusal = (room: string, reason: string): string => `Your request to join "${room}" was refused: ${reason}.`;

const BANS = 'bans';
const LOCKS = 'titleLocks';
const PENDING = 'pendingJoins';
/** Kinds a banned key's events stop at. */
const GATED = new Set(['friend.request', 'friend.message', 'friend.action', 'friend.file.offer', 'friend.custom-packet', 'conference.invite', 'conference.message', 'conference.action']);

export default definePlugin({
  name: 'moderation',
  description: 'Bans, title locks, word and flood filters, and join requests for conferences.',
  options,
  setup(bot, o, { store, node, outbox, permissions, scheduler, log }) {
    const words = new WordFilter(o.words);
    const flood = new FloodFilter(o.flood);
    const strikes = new StrikeBook(o.strikes.forgetSeconds * 1000);
    const allow = new Set(o.join.allow);
    scheduler.every(60_000, (now) => {
      flood.prune(now);
      strikes.prune(now);
    });

    const bans = (): Readonly<Record<string, Ban>> => store.get<Record<string, Ban>>(BANS) ?? {};
    const locks = (): Readonly<Record<string, string>> => store.get<Record<string, string>>(LOCKS) ?? {};
    const pending = (): Readonly<Record<string, { room: string }>> => store.get<Record<string, { room: string }>>(PENDING) ?? {};
    const isBanned = (key: PublicKeyHex | undefined): boolean => key !== undefined && Object.hasOwn(bans(), key);
    const isStaff = (key: PublicKeyHex): boolean => hasRole(permissions.roleOf(key), 'admin');
    const tell = (key: PublicKeyHex, text: string): void => {
      outbox.send({ type: 'friend', publicKey: key }, text).catch((err: unknown) => log.debug('message not delivered', { to: key, error: err }));
    };
    const tellAdmins = (text: string): void => {
      for (const [key, role] of permissions.listed()) if (hasRole(role, 'admin') && node.friend(key)) tell(key, text);
    };
    const nameOf = (key: PublicKeyHex): string => node.friend(key)?.name || key.slice(0, 8);

    const addBan = async (key: PublicKeyHex, reason: string, by: PublicKeyHex | null): Promise<void> => {
      await store.update<Record<string, Ban>>(BANS, (all) => ({ ...all, [key]: { reason, by, unix: scheduler.unixSeconds() } }));
      strikes.reset(key);
      log.info('key banned', { key, reason });
    };

    /** A configured room by name (any case), with the conference it names if the bot is in it. */
    const findRoom = (name: string): { name: string; closed: boolean; conference: ConferenceInfo | undefined } | undefined => {
      const entry = Object.entries(o.rooms).find(([n]) => n.toLowerCase() === name.toLowerCase());
      if (!entry) return undefined;
      const [roomName, spec] = entry;
      const conference = spec.id ? node.conference(spec.id.toUpperCase() as ConferenceId) : node.conferences().find((c) => c.title === (spec.title ?? roomName));
      return { name: roomName, closed: spec.closed, conference };
    };
    /** A room's conference, or else a conference by id or current title. */
    const findConference = (target: string): ConferenceInfo | undefined => {
      const room = findRoom(target);
      if (room) return room.conference;
      if (/^[0-9a-fA-F]{64}$/.test(target)) return node.conference(target.toUpperCase() as ConferenceId);
      return node.conferences().find((c) => c.title === target);
    };

    // -- the gate: a banned key's events stop here; its join request gets a refusal.
    bot.use(async (ctx, next) => {
      if (!GATED.has(ctx.kind) || !isBanned(ctx.sender)) return next();
      const line = ctx.kind === 'friend.message' ? parseCommandLine(ctx.text ?? '', ctx.commandPrefix) : undefined;
      if (line?.name === 'join') await ctx.reply(refusal(line.rest.trim(), 'you are banned'));
      else log.debug('event from a banned key dropped', { kind: ctx.kind, sender: ctx.sender });
    });

    // -- conference filters
    bot.on(['conference.message', 'conference.action'], async (ctx, next) => {
      const { peer, conference, text } = ctx.event;
      if (peer.isSelf || hasRole(ctx.role, 'admin')) return next();
      const key = `${conference.id}\n${peer.publicKey}`;
      const word = words.match(text);
      const offence = word !== undefined ? 'watch your language' : flood.hit(key, scheduler.now()) ? 'please do not flood' : undefined;
      if (offence === undefined) return next();
      const count = strikes.add(key, scheduler.now());
      const who = peer.name || peer.publicKey.slice(0, 8);
      if (count < o.strikes.limit) {
        await ctx.reply(`${who}: ${offence} (warning ${count} of ${o.strikes.limit - 1}).`);
        return;
      }
      strikes.reset(key);
      const title = node.conference(conference.id)?.title || conference.id.slice(0, 8);
      if (o.strikes.then === 'ban' && !isStaff(peer.publicKey)) {
        await addBan(peer.publicKey, `${count} strikes in "${title}" (${offence})`, null);
        await ctx.reply(`${who} is banned: the bot ignores them from now on.`);
      }
      tellAdmins(`${who} (${peer.publicKey}) reached ${count} strikes in "${title}" (${offence})${o.strikes.then === 'ban' ? '; banned' : ''}.`);
    });

    // -- title locks
    bot.on('conference.title', async (ctx, next) => {
      const { conference, title, peer } = ctx.event;
      const locked = locks()[conference.id];
      if (locked !== undefined && title !== locked && !peer?.isSelf) {
        log.info('restoring a locked conference title', { conference: conference.id, was: title, by: peer?.publicKey });
        await ctx.node.setConferenceTitle(conference.id, locked);
      }
      return next();
    });

    const lockTarget = (ctx: BotContext, args: readonly string[]): ConferenceInfo | undefined =>
      args.length === 0 && ctx.conference ? node.conference(ctx.conference.id) : findConference(args.join(' '));
    const roomArgs = z.array(z.string()).describe('conference');

    bot.command('lock-title', { description: 'keeps a conference title as it is now (in a conference: that one)', role: 'admin', args: roomArgs }, async (ctx) => {
      const c = lockTarget(ctx, ctx.command.args);
      if (!c) return void (await ctx.reply(ctx.command.args.length ? 'No such conference.' : 'Name a conference (a room name, id or title).'));
      await store.update<Record<string, string>>(LOCKS, (all) => ({ ...all, [c.id]: c.title }));
      await ctx.reply(`Title of ${c.id.slice(0, 8)} locked to "${c.title}".`);
    });

    bot.command('unlock-title', { description: 'lets anyone change a locked title again', role: 'admin', args: roomArgs }, async (ctx) => {
      const c = lockTarget(ctx, ctx.command.args);
      if (!c) return void (await ctx.reply('No such conference.'));
      await store.update<Record<string, string>>(LOCKS, (all) => Object.fromEntries(Object.entries(all ?? {}).filter(([id]) => id !== c.id)));
      await ctx.reply(`Title of ${c.id.slice(0, 8)} unlocked.`);
    });

    // -- bans
    bot.command('ban', { description: 'bans a key: ignored everywhere, requests refused', role: 'admin', args: z.tuple([keyArg], z.string().describe('reason')) }, async (ctx) => {
      const [key, ...reason] = ctx.command.args;
      if (isStaff(key)) return void (await ctx.reply('Admins and owners cannot be banned.'));
      await addBan(key, reason.join(' ') || 'no reason given', ctx.sender ?? null);
      await ctx.reply(`Banned ${key.slice(0, 8)}.`);
    });

    bot.command('unban', { description: 'lifts a ban', role: 'admin', args: z.tuple([keyArg]) }, async (ctx) => {
      const [key] = ctx.command.args;
      if (!isBanned(key)) return void (await ctx.reply(`${key.slice(0, 8)} is not banned.`));
      await store.update<Record<string, Ban>>(BANS, (all) => Object.fromEntries(Object.entries(all ?? {}).filter(([k]) => k !== key)));
      await ctx.reply(`Unbanned ${key.slice(0, 8)}.`);
    });

    bot.command('bans', { description: 'lists banned keys', role: 'admin' }, async (ctx) => {
      const list = Object.entries(bans());
      await ctx.reply(list.length === 0 ? 'No bans.' : [`${list.length} banned:`, ...list.map(([k, b]) => `${k} — ${b.reason}`)].join('\n'));
    });

    // -- join requests
    const invite = async (key: PublicKeyHex, room: string, conference: ConferenceInfo): Promise<void> => {
      await node.inviteToConference(key, conference.id);
      log.info('invited on a join request', { key, room });
    };
    /** Why `key` may not join `room` without an admin, or undefined when it may. */
    const unwelcome = (key: PublicKeyHex): string | undefined => {
      if (o.join.policy === 'open' || allow.has(key) || isStaff(key)) return undefined;
      return o.join.policy === 'allowlist' ? 'you are not on the allowlist' : 'ask';
    };

    bot.command('join', { description: 'asks for an invite to a conference', in: 'friend', args: z.tuple([z.string().describe('room')], z.string()) }, async (ctx) => {
      const asked = ctx.command.args.join(' ');
      const key = ctx.sender;
      const room = findRoom(asked);
      if (!room || !room.conference) return void (await ctx.reply(refusal(asked, 'unknown conference')));
      if (room.closed) return void (await ctx.reply(refusal(room.name, 'the conference is closed')));
      const why = unwelcome(key);
      if (why === undefined) {
        await invite(key, room.name, room.conference);
        return void (await ctx.reply(`Invited you to "${room.name}".`));
      }
      if (why !== 'ask') return void (await ctx.reply(refusal(room.name, why)));
      await store.update<Record<string, { room: string }>>(PENDING, (all) => ({ ...all, [key]: { room: room.name } }));
      tellAdmins(`${nameOf(key)} (${key}) asks to join "${room.name}": ${ctx.commandPrefix}approve ${key} or ${ctx.commandPrefix}deny ${key} <reason>`);
      await ctx.reply(`Your request to join "${room.name}" waits for an admin.`);
    });

    const settle = async (key: PublicKeyHex): Promise<string | undefined> => {
      const request = pending()[key];
      if (request) await store.update<Record<string, { room: string }>>(PENDING, (all) => Object.fromEntries(Object.entries(all ?? {}).filter(([k]) => k !== key)));
      return request?.room;
    };

    bot.command('approve', { description: 'invites a key that asked to join', role: 'admin', args: z.tuple([keyArg]) }, async (ctx) => {
      const [key] = ctx.command.args;
      const name = await settle(key);
      if (name === undefined) return void (await ctx.reply(`No pending request from ${key.slice(0, 8)}.`));
      const room = findRoom(name);
      if (!room?.conference) {
        tell(key, refusal(name, 'unknown conference'));
        return void (await ctx.reply(`"${name}" is gone; ${key.slice(0, 8)} was told.`));
      }
      await invite(key, room.name, room.conference);
      tell(key, `Invited you to "${room.name}".`);
      await ctx.reply(`Invited ${key.slice(0, 8)} to "${room.name}".`);
    });

    bot.command('deny', { description: 'refuses a join request, with a reason', role: 'admin', args: z.tuple([keyArg], z.string().describe('reason')) }, async (ctx) => {
      const [key, ...reason] = ctx.command.args;
      const name = await settle(key);
      if (name === undefined) return void (await ctx.reply(`No pending request from ${key.slice(0, 8)}.`));
      tell(key, refusal(name, reason.join(' ') || 'an admin said no'));
      await ctx.reply(`Refused ${key.slice(0, 8)}.`);
    });
  },
});
