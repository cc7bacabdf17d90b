/**
 * auto-accept: answers friend requests and conference invites by policy.
 * Friend requests: accept everyone, only requests whose message contains a
 * secret, or only an allowlist; a blocklist always wins; an optional rate
 * limit (requests accepted per minute) stops floods. Conference invites: join
 * when they come from any friend, from allowlisted keys, or never.
 */
import { definePlugin, z, type PublicKeyHex } from '../../src/runtime/sdk/index.js';

const publicKey = z
  .string()
  .regex(/^[0-9a-fA-F]{64}$/, 'a public key is 64 hexadecimal characters')
  .transform((hex) => hex.toUpperCase() as PublicKeyHex);

export default definePlugin({
  name: 'auto-accept',
  description: 'Accepts friend requests and conference invites by policy.',
  options: z
    .object({
      friendRequests: z
        .object({
          mode: z.enum(['all', 'secret', 'allowlist', 'none']).default('all'),
          /** With mode "secret": the request message must contain this text. */
          secret: z.string().min(1).optional(),
          allow: z.array(publicKey).default([]),
          block: z.array(publicKey).default([]),
          /** At most this many accepted requests per minute (0 = unlimited). */
          perMinute: z.number().int().min(0).default(20),
        })
        .strict()
        .refine((o) => o.mode !== 'secret' || o.secret !== undefined, { message: 'mode "secret" needs a secret', path: ['secret'] })
        .prefault({}),
      conferenceInvites: z
        .object({
          from: z.enum(['friends', 'allowlist', 'none']).default('friends'),
          allow: z.array(publicKey).default([]),
        })
        .strict()
        .prefault({}),
    })
    .strict(),
  setup(bot, options, { scheduler, log }) {
    const requests = options.friendRequests;
    const allow = new Set(requests.allow);
    const block = new Set(requests.block);
    const inviters = new Set(options.conferenceInvites.allow);
    let windowStart = scheduler.now();
    let acceptedInWindow = 0;

    const admits = (key: PublicKeyHex, message: string): boolean => {
      if (block.has(key)) return false;
      switch (requests.mode) {
        case 'all':
          return true;
        case 'secret':
          return message.includes(requests.secret ?? '');
        case 'allowlist':
          return allow.has(key);
        case 'none':
          return false;
      }
    };

    const withinRate = (): boolean => {
      if (requests.perMinute === 0) return true;
      const now = scheduler.now();
      if (now - windowStart >= 60_000) {
        windowStart = now;
        acceptedInWindow = 0;
      }
      if (acceptedInWindow >= requests.perMinute) return false;
      acceptedInWindow++;
      return true;
    };

    bot.on('friend.request', async (ctx) => {
      const { publicKey: key, message } = ctx.event;
      if (!admits(key, message)) {
        log.info('friend request refused', { from: key });
        return;
      }
      if (!withinRate()) {
        log.warn('friend request refused: rate limit reached', { from: key, perMinute: requests.perMinute });
        return;
      }
      await ctx.node.acceptFriendRequest(key);
      log.info('friend request accepted', { from: key });
    });

    bot.on('conference.invite', async (ctx) => {
      const policy = options.conferenceInvites.from;
      const from = ctx.event.friend.publicKey;
      if (policy === 'none' || (policy === 'allowlist' && !inviters.has(from))) {
        log.info('conference invite ignored', { from });
        return;
      }
      await ctx.node.joinConference(from, ctx.event.cookie);
      log.info('joined a conference on invite', { from, conference: ctx.event.conferenceId });
    });
  },
});
