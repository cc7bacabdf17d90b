/**
 * conference-relay: bridges conferences. A message or action in one bridged
 * conference is sent to every other one as "[{title}] {name}: {text}" (formats
 * configurable) through the rate-limited outbox. Bridged conferences are
 * "all" the bot is in, or a list of ids and titles. Loops are prevented three
 * ways: our own peer's messages are never relayed; a message in a conference
 * equal to one we sent there recently is taken for an echo of ours; the same
 * text from the same peer seen in two bridged conferences within the dedup
 * window is relayed once. Lines starting with the opt-out prefix (and, by
 * default, bot commands) stay where they were said. Join/leave/rename notices
 * are optional. Invites from `acceptInvitesFrom` keys are joined (others are
 * left to later plugins such as auto-accept). The plugin always passes events on.
 */
import {
  TOX_LIMITS, definePlugin, splitMessage, z,
  type ConferenceId, type ConferenceInfo, type MessageType, type PeerRef, type PublicKeyHex,
} from '../../src/runtime/sdk/index.js';

const hex64 = z.string().regex(/^[0-9a-fA-F]{64}$/, 'expected 64 hexadecimal characters');
const publicKey = hex64.transform((h) => h.toUpperCase() as PublicKeyHex);
const conference = z.union([
  z.object({ id: hex64.transform((h) => h.toUpperCase() as ConferenceId) }).strict(),
  z.object({ title: z.string().min(1) }).strict(),
]);

const options = z
  .object({
    /** "all" conferences the bot is in, or a list of `{ id }` / `{ title }` (at least two). */
    conferences: z.union([z.literal('all'), z.array(conference).min(2)]).default('all'),
    /** Placeholders: {title} (source conference), {name}, {text}. */
    format: z.string().min(1).default('[{title}] {name}: {text}'),
    actionFormat: z.string().min(1).default('[{title}] * {name} {text}'),
    /** Lines starting with this are not relayed ("" = no opt-out). */
    optOutPrefix: z.string().default(''),
    /** Relay lines starting with the bot's command prefix too. */
    relayCommands: z.boolean().default(false),
    notices: z
      .object({
        join: z.boolean().default(false),
        leave: z.boolean().default(false),
        rename: z.boolean().default(false),
        joinFormat: z.string().min(1).default('[{title}] {name} joined'),
        leaveFormat: z.string().min(1).default('[{title}] {name} left'),
        /** Also {previous}. */
        renameFormat: z.string().min(1).default('[{title}] {previous} is now {name}'),
      })
      .strict()
      .prefault({}),
    /** Join conferences these friends invite the bot to. */
    acceptInvitesFrom: z.array(publicKey).default([]),
    /** How long sent texts and relayed messages are remembered for loop prevention. */
    dedupSeconds: z.number().int().min(1).max(3600).default(30),
  })
  .strict();

/** Fills `{title}`, `{name}`, `{text}`, `{previous}` in a format. */
export function fillFormat(format: string, values: Readonly<Record<string, string>>): string {
  return format.replace(/\{(title|name|text|previous)\}/g, (whole, key: string) => values[key] ?? whole);
}

/** A map whose entries expire; expired ones are pruned on each write (insertion order = expiry order). */
class ExpiringSet<V> {
  private readonly entries = new Map<string, { value: V; until: number }>();

  constructor(private readonly ttlMs: number) {}

  get(key: string, now: number): V | undefined {
    const e = this.entries.get(key);
    return e && e.until > now ? e.value : undefined;
  }

  set(key: string, value: V, now: number): void {
    for (const [k, e] of this.entries) {
      if (e.until > now) break;
      this.entries.delete(k);
    }
    this.entries.delete(key);
    this.entries.set(key, { value, until: now + this.ttlMs });
  }
}

export default definePlugin({
  name: 'conference-relay',
  description: 'Relays messages between bridged conferences.',
  options,
  setup(bot, o, { node, outbox, scheduler, log }) {
    const ids = new Set<string>();
    const titles = new Set<string>();
    if (o.conferences !== 'all') for (const c of o.conferences) 'id' in c ? ids.add(c.id) : titles.add(c.title);
    const inviters = new Set(o.acceptInvitesFrom);
    const ttl = o.dedupSeconds * 1000;
    /** conference id + text we sent there. */
    const sent = new ExpiringSet<true>(ttl);
    /** peer key + type + text → the conference it was relayed from. */
    const relayed = new ExpiringSet<ConferenceId>(ttl);

    const isBridged = (c: ConferenceInfo): boolean => o.conferences === 'all' || ids.has(c.id) || titles.has(c.title);
    const titleOf = (c: ConferenceInfo): string => c.title || c.id.slice(0, 8);
    const nameOf = (p: PeerRef): string => p.name || p.publicKey.slice(0, 8);
    const isOurs = (p: PeerRef): boolean => p.isSelf || p.publicKey === node.self().publicKey;

    /** Sends `text` to every bridged conference but `from`; remembers each part for echo detection. */
    const broadcast = (from: ConferenceInfo, text: string, type: MessageType = 'normal'): void => {
      const now = scheduler.now();
      for (const target of node.conferences()) {
        if (target.id === from.id || !isBridged(target)) continue;
        for (const part of splitMessage(text, TOX_LIMITS.conferenceMessage)) sent.set(`${target.id}\n${part}`, true, now);
        outbox.send({ type: 'conference', id: target.id }, text, { type }).catch((err: unknown) => {
          log.debug('relay send failed', { to: target.id, error: err });
        });
      }
    };

    const source = (id: ConferenceId): ConferenceInfo | undefined => {
      const c = node.conference(id);
      return c && isBridged(c) ? c : undefined;
    };

    bot.on(['conference.message', 'conference.action'], (ctx, next) => {
      const { peer, text, kind } = ctx.event;
      const from = source(ctx.event.conference.id);
      const now = scheduler.now();
      const skip =
        !from ||
        isOurs(peer) ||
        text.length === 0 ||
        (o.optOutPrefix !== '' && text.startsWith(o.optOutPrefix)) ||
        (!o.relayCommands && kind === 'conference.message' && text.startsWith(ctx.commandPrefix)) ||
        sent.get(`${from.id}\n${text}`, now) !== undefined;
      if (!skip) {
        const key = `${peer.publicKey}\n${kind}\n${text}`;
        const firstFrom = relayed.get(key, now);
        if (firstFrom === undefined || firstFrom === from.id) {
          relayed.set(key, from.id, now);
          const format = kind === 'conference.action' ? o.actionFormat : o.format;
          broadcast(from, fillFormat(format, { title: titleOf(from), name: nameOf(peer), text }));
        }
      }
      return next();
    });

    bot.on(['conference.peer.join', 'conference.peer.leave', 'conference.peer.rename'], (ctx, next) => {
      const e = ctx.event;
      const from = source(e.conference.id);
      const wanted = e.kind === 'conference.peer.join' ? o.notices.join : e.kind === 'conference.peer.leave' ? o.notices.leave : o.notices.rename;
      if (from && wanted && !isOurs(e.peer)) {
        const values = { title: titleOf(from), name: nameOf(e.peer), previous: e.kind === 'conference.peer.rename' ? e.previousName : '' };
        const format = e.kind === 'conference.peer.join' ? o.notices.joinFormat : e.kind === 'conference.peer.leave' ? o.notices.leaveFormat : o.notices.renameFormat;
        broadcast(from, fillFormat(format, values));
      }
      return next();
    });

    bot.on('conference.invite', async (ctx, next) => {
      const from = ctx.event.friend.publicKey;
      if (!inviters.has(from)) return next();
      const joined = await ctx.node.joinConference(from, ctx.event.cookie);
      log.info('joined a conference to relay on invite', { from, conference: joined.id });
    });
  },
});
