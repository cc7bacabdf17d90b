/**
 * logger: writes every event that reaches it as one JSON line to a file under
 * the bot's data directory, rotated by size (N old files kept). Kinds can be
 * included/excluded with event queries (`conference.*`). Byte payloads (file
 * chunks, custom packets, invite cookies) are summarised by length, errors by
 * name/code/message. Writing is queued (never awaited by the event chain) and
 * flushed when the bot stops. Put it first in the plugin list to see every
 * event; it always passes the event on.
 */
import { definePlugin, kindMatcher, z, type BotEvent, type EventQuery } from '../../src/runtime/sdk/index.js';

/** An event query; checked against the known kinds in the schema's refinement. */
const query = z.string().min(1).transform((q) => q as EventQuery);

/**
 * JSON for one event: `unix` (seconds) and `ms` (the bot's monotonic clock,
 * for ordering within a second) then the event's fields; bytes become
 * `{ bytes: n }`, errors `{ error, code?, message }`.
 */
export function eventRecord(event: BotEvent, unixSeconds: number, monotonicMs: number): string {
  return JSON.stringify({ unix: unixSeconds, ms: Math.round(monotonicMs), ...event }, (_key, value: unknown) => {
    if (value instanceof Uint8Array) return { bytes: value.length };
    if (value instanceof Error) {
      const code = (value as { code?: unknown }).code;
      return { error: value.name, ...(typeof code === 'string' ? { code } : {}), message: value.message };
    }
    if (typeof value === 'bigint') return value.toString();
    return value;
  });
}

export default definePlugin({
  name: 'logger',
  description: 'Writes every event as a JSON line to a size-rotated file.',
  options: z
    .object({
      /** Relative to the bot's data directory (`<dataDir>/<identity>`). */
      path: z.string().min(1).default('events.jsonl'),
      /** Rotate before the file passes this size (0 = never). */
      maxBytes: z.number().int().min(0).default(10 * 1024 * 1024),
      /** Rotated files kept (`events.jsonl.1` is the newest). */
      keep: z.number().int().min(0).max(100).default(5),
      /** Event queries to log (`*`, `conference.*`, `friend.message`...). */
      include: z.array(query).min(1).default(['*']),
      /** Event queries never logged, even when included. */
      exclude: z.array(query).default([]),
    })
    .strict()
    .superRefine((o, ctx) => {
      for (const [field, list] of [['include', o.include], ['exclude', o.exclude]] as const) {
        list.forEach((q, i) => {
          try {
            kindMatcher(q);
          } catch (err) {
            ctx.addIssue({ code: 'custom', path: [field, i], message: (err as Error).message });
          }
        });
      }
    }),
  setup(bot, options, { openLineFile, scheduler }) {
    const included = kindMatcher(options.include);
    const excluded = options.exclude.length > 0 ? kindMatcher(options.exclude) : () => false;
    const file = openLineFile(options.path, { maxBytes: options.maxBytes, keep: options.keep });
    bot.use((ctx, next) => {
      const kind = ctx.event.kind;
      if (included(kind) && !excluded(kind)) file.write(eventRecord(ctx.event, scheduler.unixSeconds(), scheduler.now()));
      return next();
    });
    return { stop: () => file.flush() };
  },
});
