/**
 * echo: repeats what friends say (messages as messages, actions as actions).
 * In conferences it only answers lines that start with its trigger, so two
 * echo bots in one conference cannot loop.
 */
import { definePlugin, z } from '../../src/runtime/sdk/index.js';

export default definePlugin({
  name: 'echo',
  description: 'Repeats friend messages; in conferences, repeats lines starting with the trigger.',
  options: z
    .object({
      /** Text put before every echoed friend message. */
      prefix: z.string().max(64).default(''),
      /** Echo in conferences (only lines starting with `conferenceTrigger`). */
      conferences: z.boolean().default(true),
      conferenceTrigger: z.string().min(1).max(32).default('!echo '),
    })
    .strict(),
  setup(bot, options) {
    bot.on('friend.message', async (ctx) => {
      if (ctx.text.length > 0) await ctx.reply(options.prefix + ctx.text);
    });
    bot.on('friend.action', async (ctx) => {
      if (ctx.text.length > 0) await ctx.reply(ctx.text, { type: 'action' });
    });
    if (options.conferences) {
      bot.on('conference.message', async (ctx) => {
        if (!ctx.text.startsWith(options.conferenceTrigger)) return;
        const rest = ctx.text.slice(options.conferenceTrigger.length).trim();
        if (rest.length > 0) await ctx.reply(rest);
      });
    }
  },
});
