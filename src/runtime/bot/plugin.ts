/**
 * The plugin unit: `definePlugin({ name, options, setup })`. `options` is a
 * zod schema the host validates the config against; `setup(bot, options,
 * services)` registers middleware on its own composer and may return
 * `{ start, stop }`. Services are per plugin instance: a namespaced store, a
 * child logger, a scheduler whose timers are all cancelled on stop, the
 * randomness source, the node port, the outbox, the permissions, the data
 * directory and append-only line files (closed for it on stop).
 */
import { z } from 'zod';
import { InvalidArgumentError, type Logger, type Random, type Scheduler, type TimerHandle } from '../../base/index.js';
import type { Composer } from './composer.js';
import type { BotContext } from './context.js';
import type { LineFile, LineFileOptions } from './line-file.js';
import type { Outbox } from './outbox.js';
import type { Permissions } from './permissions.js';
import type { BotNodeApi } from './port.js';
import type { PluginStore } from './store.js';

/** Marks plugin objects across module copies (an npm plugin may bundle its own copy of the SDK). */
export const PLUGIN_MARK: unique symbol = Symbol.for('tocsin.plugin') as never;

export interface PluginServices {
  /** The instance id (the plugin name unless the config gives another). */
  readonly id: string;
  readonly store: PluginStore;
  readonly log: Logger;
  /** Timers left running when the plugin stops are cancelled for it. */
  readonly scheduler: Scheduler;
  readonly random: Random;
  readonly node: BotNodeApi;
  /** Rate-limited sending to any friend or conference (what `ctx.reply` uses). */
  readonly outbox: Outbox;
  readonly permissions: Permissions;
  /** Aborted when the plugin stops. */
  readonly signal: AbortSignal;
  /** The bot's data directory (`<dataDir>/<identity>` under `tocsin run`); undefined when the bot has none. */
  readonly dataDir: string | undefined;
  /**
   * Opens an append-only, size-rotated file of lines; a relative path is
   * resolved against `dataDir` (and may not leave it). The host closes it,
   * writing what is queued, after the plugin's `stop`.
   */
  openLineFile(path: string, options?: LineFileOptions): LineFile;
}

export interface PluginLifecycle {
  /** Runs after every plugin's setup, in config order. */
  start?(): void | Promise<void>;
  /** Runs on shutdown, in reverse config order. */
  stop?(): void | Promise<void>;
}

type SetupResult = void | PluginLifecycle;

/** The default options schema: no options at all (unknown keys are an error). */
export type NoOptions = z.ZodObject<Record<string, never>, z.core.$strict>;

export interface PluginDefinition<S extends z.ZodType> {
  /** Used in logs, errors and as the default instance id. */
  readonly name: string;
  readonly description?: string;
  readonly options?: S;
  setup(bot: Composer<BotContext>, options: z.output<S>, services: PluginServices): SetupResult | Promise<SetupResult>;
}

export interface Plugin<S extends z.ZodType = z.ZodType> {
  readonly [PLUGIN_MARK]: true;
  readonly name: string;
  readonly description: string | undefined;
  readonly options: S;
  readonly setup: PluginDefinition<S>['setup'];
}

/** What a config may write for a plugin's options (defaults still to be applied). */
export type PluginOptionsInput<P> = P extends Plugin<infer S> ? z.input<S> : never;
/** What the plugin's `setup` receives. */
export type PluginOptions<P> = P extends Plugin<infer S> ? z.output<S> : never;

export function definePlugin<S extends z.ZodType = NoOptions>(definition: PluginDefinition<S>): Plugin<S> {
  if (typeof definition.name !== 'string' || definition.name.length === 0) throw new InvalidArgumentError('a plugin needs a name');
  if (typeof definition.setup !== 'function') throw new InvalidArgumentError(`plugin "${definition.name}" needs a setup function`);
  return Object.freeze({
    [PLUGIN_MARK]: true as const,
    name: definition.name,
    description: definition.description,
    options: definition.options ?? (z.object({}).strict() as unknown as S),
    setup: definition.setup,
  });
}

export function isPlugin(value: unknown): value is Plugin {
  return typeof value === 'object' && value !== null && (value as Record<symbol, unknown>)[PLUGIN_MARK] === true;
}

/**
 * A plugin's view of the scheduler: remembers its live timers so they can all
 * be cancelled at once, and hands errors thrown (or rejected) by timer
 * callbacks to `onError` instead of letting them escape.
 */
export class TrackedScheduler implements Scheduler {
  private readonly live = new Set<TimerHandle>();
  private closed = false;

  constructor(
    private readonly inner: Scheduler,
    private readonly log: Logger,
    private readonly onError: (error: unknown) => void,
  ) {}

  now(): number {
    return this.inner.now();
  }

  unixSeconds(): number {
    return this.inner.unixSeconds();
  }

  after(ms: number, fn: () => void): TimerHandle {
    return this.track((done) =>
      this.inner.after(ms, () => {
        done();
        this.guard(fn);
      }),
    );
  }

  every(ms: number, fn: (now: number) => void): TimerHandle {
    return this.track(() => this.inner.every(ms, (now) => this.guard(() => fn(now))));
  }

  pending(): number {
    return this.live.size;
  }

  /** Cancels every live timer; later requests get inert handles. */
  close(): void {
    this.closed = true;
    for (const handle of [...this.live]) handle.cancel();
  }

  private guard(fn: () => unknown): void {
    try {
      const result = fn();
      if (result instanceof Promise) result.catch(this.onError);
    } catch (err) {
      this.onError(err);
    }
  }

  private track(start: (done: () => void) => TimerHandle): TimerHandle {
    if (this.closed) {
      this.log.debug('timer requested after stop; ignored');
      return { cancel() {} };
    }
    const handle: TimerHandle = {
      cancel: () => {
        inner.cancel();
        this.live.delete(handle);
      },
    };
    const inner = start(() => this.live.delete(handle));
    this.live.add(handle);
    return handle;
  }
}
