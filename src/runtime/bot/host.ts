/**
 * `PluginHost`: runs the plugins of one bot identity. `start()` validates
 * every entry's options (nothing starts if one is wrong), gives each instance
 * its services, runs `setup` and `start` in config order and composes the
 * chain: built-ins (`help`), then each plugin inside its own error boundary,
 * then the unknown-command answer. `handle(event)` runs one event through
 * the chain with a fresh context. A plugin that throws — while handling an
 * event, in a timer, in setup or start — is logged, reported through the
 * host's `error` event and a `runtime.error` bot event, and the other plugins
 * go on. `stop()` stops plugins in reverse order, cancels their timers, closes
 * their line files, closes the outbox and flushes the stores.
 */
import { dirname, isAbsolute, join, relative, resolve } from 'node:path';
import { EventEmitter } from 'eventemitter3';
import { z } from 'zod';
import { InvalidArgumentError, InvalidStateError, type Logger, type Random, type Scheduler } from '../../base/index.js';
import type { BotEvent, BotEventBus, RuntimeErrorEvent } from '../events.js';
import { formatCommandHelp, formatHelp, parseCommandLine, type CommandSpec } from './commands.js';
import { Composer, run, type MiddlewareFn } from './composer.js';
import { BotContext, type ContextDeps } from './context.js';
import { BotError, PluginConfigError, SendError } from './errors.js';
import { LineFile, type LineFileOptions } from './line-file.js';
import { checkInstanceIds, validatePluginOptions, type LoadedPlugin } from './loader.js';
import { Outbox, type OutboxOptions } from './outbox.js';
import { Permissions, hasRole, type Role } from './permissions.js';
import { TrackedScheduler, type Plugin, type PluginLifecycle, type PluginServices } from './plugin.js';
import type { BotNodeApi } from './port.js';
import { memoryPluginStore, openPluginStore, type PluginStore } from './store.js';

export interface PluginHostOptions {
  node: BotNodeApi;
  scheduler: Scheduler;
  random: Random;
  log: Logger;
  plugins: readonly LoadedPlugin[];
  /** Default: everyone is a `user`. */
  permissions?: Permissions;
  /** Default `!`. */
  commandPrefix?: string;
  /** The built-in `help` command (default true). */
  help?: boolean;
  /** Where an unknown `!command` gets "unknown command" back (default: private messages only). */
  unknownCommandReply?: 'friend' | 'always' | 'never';
  /** Directory of the plugin stores (`<id>.json`); without it stores live in memory. */
  storeDir?: string;
  /** The bot's data directory plugins may write files under (default: the parent of `storeDir`). */
  dataDir?: string;
  outbox?: OutboxOptions;
  /** Drop messages, actions, requests, invites, file offers and custom packets from banned keys (default true). */
  ignoreBanned?: boolean;
  /** Drop our own conference messages and actions, which c-toxcore echoes back (default true). */
  ignoreSelf?: boolean;
  /** Config path of the plugin list, for option errors (default `plugins`). */
  configPath?: string;
}

export interface PluginHostEvents {
  /** A plugin failed (handling an event, in a timer, or in setup/start/stop). */
  error: (error: BotError<BotContext | undefined>) => void;
}

export interface PluginFailure {
  readonly id: string;
  readonly phase: 'setup' | 'start';
  readonly error: unknown;
}

type HostState = 'idle' | 'starting' | 'running' | 'stopping' | 'stopped';

interface Instance {
  readonly id: string;
  readonly plugin: Plugin;
  readonly options: unknown;
  readonly composer: Composer<BotContext>;
  readonly scheduler: TrackedScheduler;
  readonly abort: AbortController;
  store: PluginStore | undefined;
  lifecycle: PluginLifecycle | undefined;
  readonly files: LineFile[];
  active: boolean;
  started: boolean;
}

/** Kinds a banned key cannot trigger. */
const BANNED_CANNOT = new Set<BotEvent['kind']>([
  'friend.request', 'friend.message', 'friend.action', 'friend.file.offer', 'friend.custom-packet',
  'conference.invite', 'conference.message', 'conference.action',
]);

function storeFileName(id: string): string {
  return `${encodeURIComponent(id)}.json`;
}

export class PluginHost extends EventEmitter<PluginHostEvents> {
  readonly outbox: Outbox;
  readonly permissions: Permissions;
  readonly commandPrefix: string;
  private readonly log: Logger;
  private readonly deps: ContextDeps;
  private readonly instances: Instance[] = [];
  private readonly failed: PluginFailure[] = [];
  private readonly pendingErrors = new WeakMap<BotContext, RuntimeErrorEvent[]>();
  private chain: MiddlewareFn<BotContext> | undefined;
  private builtins: Composer<BotContext> | undefined;
  private stateName: HostState = 'idle';
  private starting: Promise<void> | undefined;
  private stopping: Promise<void> | undefined;

  constructor(private readonly options: PluginHostOptions) {
    super();
    this.log = options.log.child({ component: 'bot' });
    this.permissions = options.permissions ?? new Permissions();
    this.commandPrefix = options.commandPrefix ?? '!';
    if (this.commandPrefix.length === 0 || /\s/.test(this.commandPrefix)) throw new InvalidArgumentError('the command prefix must be non-empty and contain no whitespace');
    this.outbox = new Outbox({ node: options.node, scheduler: options.scheduler, log: this.log }, options.outbox);
    this.deps = { node: options.node, outbox: this.outbox, permissions: this.permissions, commandPrefix: this.commandPrefix, log: this.log };
  }

  get state(): HostState {
    return this.stateName;
  }

  /** Plugins that failed in setup or start and are out of the chain. */
  get failures(): readonly PluginFailure[] {
    return this.failed;
  }

  /** Every command of the built-ins and the running plugins, in chain order. */
  commands(): CommandSpec[] {
    return [...(this.builtins?.commands() ?? []), ...this.instances.filter((i) => i.active).flatMap((i) => i.composer.commands())];
  }

  /** Validates, sets up and starts every plugin; rejects with `PluginConfigError` (nothing started) on bad options. */
  start(): Promise<void> {
    if (this.stateName !== 'idle') return Promise.reject(new InvalidStateError(`the plugin host cannot start from state ${this.stateName}`));
    this.starting = this.doStart();
    return this.starting;
  }

  private async doStart(): Promise<void> {
    const base = this.options.configPath ?? 'plugins';
    const problems = checkInstanceIds(this.options.plugins, base);
    const validated = this.options.plugins.map((entry, j) => {
      const checked = validatePluginOptions(entry.plugin, entry.options, entry.path ?? `${base}[${j}]`);
      if (!checked.ok) problems.push(...checked.problems);
      return checked.ok ? checked.value : undefined;
    });
    if (problems.length > 0) throw new PluginConfigError('PLUGIN_OPTIONS_INVALID', problems);
    this.stateName = 'starting';

    for (const [j, entry] of this.options.plugins.entries()) {
      const instance = this.createInstance(entry, validated[j]);
      this.instances.push(instance);
      try {
        instance.store = await this.openStore(instance.id);
        const result = await entry.plugin.setup(instance.composer, instance.options, this.servicesOf(instance, instance.store));
        instance.lifecycle = result ?? undefined;
        instance.active = true;
      } catch (err) {
        this.fail(instance, 'setup', err);
      }
    }
    this.chain = this.compose().middleware();
    this.warnDuplicateCommands();

    for (const instance of this.instances) {
      if (!instance.active) continue;
      try {
        await instance.lifecycle?.start?.();
        instance.started = true;
      } catch (err) {
        this.fail(instance, 'start', err);
      }
    }
    this.stateName = 'running';
    this.log.info('plugins started', { running: this.instances.filter((i) => i.active).map((i) => i.id), failed: this.failed.map((f) => f.id) });
  }

  /** Runs one event through the chain; resolves when every middleware is done. Events outside `running` are dropped. */
  async handle(event: BotEvent): Promise<void> {
    if (this.stateName !== 'running' || !this.chain) {
      this.log.debug('event dropped: plugins not running', { kind: event.kind, state: this.stateName });
      return;
    }
    const ctx = new BotContext(event, this.deps);
    try {
      await run(this.chain, ctx);
    } catch (err) {
      this.log.error('bot middleware failed', { kind: event.kind, error: err });
      this.emit('error', err instanceof BotError ? err : new BotError(err, ctx));
    }
    const errors = this.pendingErrors.get(ctx);
    if (errors && event.kind !== 'runtime.error') for (const e of errors) await this.handle(e);
  }

  /** Feeds every event published on `bus` to `handle`; returns the unsubscribe function. */
  attach(bus: BotEventBus): () => void {
    const listener = (event: BotEvent): void => {
      void this.handle(event);
    };
    bus.on('*', listener);
    return () => bus.off('*', listener);
  }

  /** Stops plugins (reverse order), cancels their timers, closes the outbox, flushes stores. Idempotent; waits for a start in progress. */
  stop(): Promise<void> {
    if (this.stateName === 'idle') {
      this.stateName = 'stopped';
      return Promise.resolve();
    }
    if (this.stateName === 'starting') {
      const afterStart = (): Promise<void> => this.stop();
      return this.starting!.then(afterStart, afterStart);
    }
    return (this.stopping ??= this.doStop());
  }

  private async doStop(): Promise<void> {
    this.stateName = 'stopping';
    for (const instance of [...this.instances].reverse()) {
      if (instance.started) {
        try {
          await instance.lifecycle?.stop?.();
        } catch (err) {
          this.report(instance.id, err, undefined, 'stop');
        }
      }
      instance.active = false;
      instance.abort.abort();
      instance.scheduler.close();
      await this.closeFiles(instance);
    }
    this.outbox.close();
    for (const instance of this.instances) {
      try {
        await instance.store?.flush();
      } catch (err) {
        this.log.error('plugin store flush failed', { plugin: instance.id, error: err });
      }
    }
    this.stateName = 'stopped';
    this.log.info('plugins stopped');
  }

  private createInstance(entry: LoadedPlugin, options: unknown): Instance {
    const id = entry.id ?? entry.plugin.name;
    const instance: Instance = {
      id,
      plugin: entry.plugin,
      options,
      composer: new Composer<BotContext>(),
      scheduler: new TrackedScheduler(this.options.scheduler, this.log.child({ plugin: id }), (err) => this.report(id, err, undefined, 'timer')),
      abort: new AbortController(),
      store: undefined,
      lifecycle: undefined,
      files: [],
      active: false,
      started: false,
    };
    return instance;
  }

  private openStore(id: string): Promise<PluginStore> {
    const dir = this.options.storeDir;
    return dir === undefined ? Promise.resolve(memoryPluginStore()) : openPluginStore(join(dir, storeFileName(id)));
  }

  private servicesOf(instance: Instance, store: PluginStore): PluginServices {
    return {
      id: instance.id,
      store,
      log: this.log.child({ plugin: instance.id }),
      scheduler: instance.scheduler,
      random: this.options.random,
      node: this.options.node,
      outbox: this.outbox,
      permissions: this.permissions,
      signal: instance.abort.signal,
      dataDir: this.dataDir,
      openLineFile: (path, options) => this.openLineFile(instance, path, options),
    };
  }

  private get dataDir(): string | undefined {
    const { dataDir, storeDir } = this.options;
    return dataDir ?? (storeDir === undefined ? undefined : dirname(storeDir));
  }

  private openLineFile(instance: Instance, path: string, options: LineFileOptions | undefined): LineFile {
    if (instance.abort.signal.aborted) throw new InvalidStateError(`plugin "${instance.id}" is stopped; it cannot open ${path}`);
    const base = this.dataDir;
    if (!isAbsolute(path)) {
      if (base === undefined) throw new InvalidArgumentError(`plugin "${instance.id}": the relative path ${path} needs a bot data directory`, { path });
      const inside = relative(resolve(base), resolve(base, path));
      if (inside === '' || inside.startsWith('..') || isAbsolute(inside)) throw new InvalidArgumentError(`plugin "${instance.id}": ${path} is outside the data directory`, { path });
    }
    const file = new LineFile(base === undefined ? path : resolve(base, path), this.log.child({ plugin: instance.id }), options);
    instance.files.push(file);
    return file;
  }

  private async closeFiles(instance: Instance): Promise<void> {
    for (const file of instance.files.splice(0)) {
      await file.close().catch((err: unknown) => this.log.error('plugin file close failed', { plugin: instance.id, file: file.file, error: err }));
    }
  }

  private fail(instance: Instance, phase: PluginFailure['phase'], error: unknown): void {
    instance.active = false;
    instance.abort.abort();
    instance.scheduler.close();
    void this.closeFiles(instance);
    this.failed.push({ id: instance.id, phase, error });
    this.report(instance.id, error, undefined, phase);
  }

  /** Logs a plugin failure and tells `error` listeners; `ctx` is set when it happened handling an event. */
  private report(id: string, error: unknown, ctx: BotContext | undefined, phase: string): void {
    const quiet = error instanceof SendError && error.code === 'OUTBOX_CLOSED' && this.stateName === 'stopping';
    if (quiet) this.log.debug('plugin send cancelled by shutdown', { plugin: id });
    else this.log.error('plugin failed', { plugin: id, phase, kind: ctx?.kind, error });
    this.emit('error', new BotError(error, ctx, id));
  }

  private compose(): Composer<BotContext> {
    const root = new Composer<BotContext>();
    root.use(this.admission());
    this.builtins = new Composer<BotContext>();
    if (this.options.help ?? true) this.addHelp(this.builtins);
    root.use(this.builtins);
    for (const instance of this.instances) {
      if (!instance.active) continue;
      const isolated = new Composer<BotContext>();
      isolated.errorBoundary((err, next) => {
        this.report(instance.id, err.error, err.ctx, 'event');
        if (err.ctx.kind !== 'runtime.error') this.queueErrorEvent(err.ctx, instance.id, err.error);
        return next();
      }, instance.composer);
      const mounted = isolated.middleware();
      root.use((ctx, next) => (instance.active ? mounted(ctx, next) : next()));
    }
    root.use(this.unknownCommand());
    return root;
  }

  private queueErrorEvent(ctx: BotContext, plugin: string, error: unknown): void {
    const list = this.pendingErrors.get(ctx) ?? [];
    list.push({ kind: 'runtime.error', source: 'plugin', plugin, error, during: ctx.kind });
    this.pendingErrors.set(ctx, list);
  }

  /** Drops what the options say never reaches plugins. */
  private admission(): MiddlewareFn<BotContext> {
    const ignoreSelf = this.options.ignoreSelf ?? true;
    const ignoreBanned = this.options.ignoreBanned ?? true;
    return (ctx, next) => {
      const e = ctx.event;
      if (ignoreSelf && (e.kind === 'conference.message' || e.kind === 'conference.action') && e.peer.isSelf) return;
      if (ignoreBanned && BANNED_CANNOT.has(e.kind) && ctx.role === 'banned') {
        this.log.debug('event from a banned key dropped', { kind: e.kind, sender: ctx.sender });
        return;
      }
      return next();
    };
  }

  /** Commands a sender with `role` may see where the event came from. */
  private visibleCommands(role: Role, kind: BotEvent['kind']): CommandSpec[] {
    const where = kind === 'conference.message' ? 'conference' : 'friend';
    return this.commands().filter((s) => !s.hidden && hasRole(role, s.role) && (s.where === 'any' || s.where === where));
  }

  private addHelp(builtins: Composer<BotContext>): void {
    builtins.command(
      'help',
      { description: 'lists the commands, or explains one', args: z.tuple([z.string().describe('command').optional()]) },
      async (ctx) => {
        const [asked] = ctx.command.args;
        const prefix = this.commandPrefix;
        if (asked === undefined) {
          await ctx.reply(formatHelp(this.visibleCommands(ctx.role, ctx.kind), prefix));
          return;
        }
        const name = (asked.startsWith(prefix) ? asked.slice(prefix.length) : asked).toLowerCase();
        const spec = this.commands().find((s) => (s.name === name || s.aliases.includes(name)) && hasRole(ctx.role, s.role));
        await ctx.reply(spec ? formatCommandHelp(spec, prefix) : `Unknown command ${prefix}${name}. Type ${prefix}help for the list.`);
      },
    );
  }

  private unknownCommand(): MiddlewareFn<BotContext> {
    const mode = this.options.unknownCommandReply ?? 'friend';
    return async (ctx, next) => {
      const e = ctx.event;
      const eligible = (e.kind === 'friend.message' && mode !== 'never') || (e.kind === 'conference.message' && mode === 'always');
      const line = eligible ? parseCommandLine(e.text, this.commandPrefix) : undefined;
      if (!line) return next();
      const hint = this.options.help ?? true ? ` Type ${this.commandPrefix}help for the list.` : '';
      await ctx.reply(`Unknown command ${this.commandPrefix}${line.name}.${hint}`);
    };
  }

  private warnDuplicateCommands(): void {
    const owners = new Map<string, number>();
    for (const spec of this.commands()) for (const n of [spec.name, ...spec.aliases]) owners.set(n, (owners.get(n) ?? 0) + 1);
    for (const [name, count] of owners) if (count > 1) this.log.warn('command defined more than once; the first in config order wins', { command: name, count });
  }
}
