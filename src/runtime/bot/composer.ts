/**
 * The middleware algebra (grammY's): a middleware is `(ctx, next) => ...`;
 * `next()` runs the rest of the chain and may be called at most once. A
 * `Composer` builds chains with `use`, `on` (narrowing by event kind),
 * `filter` (a type guard narrows), `drop`, `branch`, `fork`, `command` and
 * `errorBoundary`. Each method returns the composer that holds what it was
 * given, so calls chain into it. Composers remember the commands registered
 * anywhere below them, which is what `help` lists.
 */
import type { z } from 'zod';
import type { BotEventKind } from '../events.js';
import {
  CommandSyntaxError, parseArguments, parseCommandLine, tokenize, usageOf,
  type ArgsSchema, type CommandInvocation, type CommandOptions, type CommandSpec, type FlagsSchema,
} from './commands.js';
import type { BotContext, ContextFor } from './context.js';
import { BotError, MiddlewareError } from './errors.js';
import { kindMatcher, type EventQuery, type KindsOf } from './filters.js';
import { hasRole } from './permissions.js';

export type NextFunction = () => Promise<void>;
export type MiddlewareFn<C> = (ctx: C, next: NextFunction) => unknown;
export interface MiddlewareObj<C> {
  middleware(): MiddlewareFn<C>;
}
export type Middleware<C> = MiddlewareFn<C> | MiddlewareObj<C>;
/** Handles an error caught by `errorBoundary`; calling `next` continues after the boundary. */
export type ErrorHandler<C> = (error: BotError<C>, next: NextFunction) => unknown;

/** The kinds a command can be triggered by. */
export type CommandEventKind = Extract<BotEventKind, 'friend.message' | 'conference.message'>;
type ArgsOf<A> = A extends ArgsSchema ? z.output<A> : string[];
type FlagsOf<F> = F extends FlagsSchema ? z.output<F> : Record<string, never>;
/** The context a command handler gets: a message event with `ctx.command` filled in. */
export type CommandContext<C extends BotContext, A = string[], F = Record<string, never>> = ContextFor<C, CommandEventKind> & {
  readonly command: CommandInvocation<A, F>;
};

function flatten<C>(mw: Middleware<C>): MiddlewareFn<C> {
  return typeof mw === 'function' ? mw : (ctx, next) => mw.middleware()(ctx, next);
}

function concat<C>(first: MiddlewareFn<C>, andThen: MiddlewareFn<C>): MiddlewareFn<C> {
  return async (ctx, next) => {
    let called = false;
    await first(ctx, async () => {
      if (called) throw new MiddlewareError('next() was called more than once');
      called = true;
      await andThen(ctx, next);
    });
  };
}

function pass<C>(_ctx: C, next: NextFunction): Promise<void> {
  return next();
}

const done: NextFunction = () => Promise.resolve();

/** Runs a middleware against a context with an empty continuation (which, too, may be called only once). */
export async function run<C>(middleware: Middleware<C>, ctx: C): Promise<void> {
  let called = false;
  await flatten(middleware)(ctx, () => {
    if (called) return Promise.reject(new MiddlewareError('next() was called more than once'));
    called = true;
    return Promise.resolve();
  });
}

/** The composers among `values` (their commands count as registered below the holder). */
function composersIn(values: readonly unknown[]): object[] {
  return values.filter((v): v is object => v instanceof Composer);
}

export class Composer<C extends BotContext = BotContext> implements MiddlewareObj<C> {
  private handler: MiddlewareFn<C>;
  private readonly children: object[] = [];
  private readonly specs: CommandSpec[] = [];

  constructor(...middleware: Middleware<C>[]) {
    this.handler = middleware.length === 0 ? pass : middleware.map(flatten).reduce(concat);
    this.children.push(...composersIn(middleware));
  }

  middleware(): MiddlewareFn<C> {
    return this.handler;
  }

  /** Every command registered in this composer or any composer below it. */
  commands(): CommandSpec[] {
    const out: CommandSpec[] = [];
    const seen = new Set<object>();
    const walk = (c: object): void => {
      if (!(c instanceof Composer) || seen.has(c)) return;
      seen.add(c);
      out.push(...c.specs);
      c.children.forEach(walk);
    };
    walk(this);
    return out;
  }

  /** Appends middleware; returns the composer holding it. */
  use(...middleware: Middleware<C>[]): Composer<C> {
    const composer = new Composer<C>(...middleware);
    this.handler = concat(this.handler, flatten(composer));
    this.children.push(composer);
    return composer;
  }

  /** Runs `middleware` for events matching `query`, with the context narrowed to those kinds. */
  on<Q extends EventQuery>(query: Q | readonly Q[], ...middleware: Middleware<ContextFor<C, KindsOf<Q>>>[]): Composer<ContextFor<C, KindsOf<Q>>> {
    const matches = kindMatcher(query);
    return this.filter((ctx): ctx is ContextFor<C, KindsOf<Q>> => matches(ctx.event.kind), ...middleware);
  }

  /** Runs `middleware` when `predicate` holds, else goes on; a type guard narrows the context. */
  filter<D extends C>(predicate: (ctx: C) => ctx is D, ...middleware: Middleware<D>[]): Composer<D>;
  filter(predicate: (ctx: C) => unknown, ...middleware: Middleware<C>[]): Composer<C>;
  filter(predicate: (ctx: C) => unknown, ...middleware: Middleware<C>[]): Composer<C> {
    const composer = new Composer<C>(...middleware);
    this.branch(predicate, composer, pass);
    return composer;
  }

  /** The opposite of `filter`: runs `middleware` when `predicate` does not hold. */
  drop(predicate: (ctx: C) => unknown, ...middleware: Middleware<C>[]): Composer<C> {
    return this.filter(async (ctx) => !(await predicate(ctx)), ...middleware);
  }

  /** Runs `onTrue` or `onFalse` depending on `predicate`. */
  branch(predicate: (ctx: C) => unknown, onTrue: Middleware<C>, onFalse: Middleware<C>): Composer<C> {
    const yes = flatten(onTrue);
    const no = flatten(onFalse);
    const composer = this.use(async (ctx, next) => ((await predicate(ctx)) ? yes(ctx, next) : no(ctx, next)));
    composer.children.push(...composersIn([onTrue, onFalse]));
    return composer;
  }

  /** Runs `middleware` concurrently with the rest of the chain (both are awaited). */
  fork(...middleware: Middleware<C>[]): Composer<C> {
    const composer = new Composer<C>(...middleware);
    const forked = flatten(composer);
    this.use(async (ctx, next) => {
      await Promise.all([next(), forked(ctx, done)]);
    }).children.push(composer);
    return composer;
  }

  /**
   * Catches errors thrown anywhere in `middleware` and hands them to `handler`
   * as a `BotError`. The chain after the boundary runs if the middleware (or,
   * after an error, the handler) calls `next`; errors after the boundary are
   * not caught by it.
   */
  errorBoundary(handler: ErrorHandler<C>, ...middleware: Middleware<C>[]): Composer<C> {
    const composer = new Composer<C>(...middleware);
    const bound = flatten(composer);
    this.use(async (ctx, next) => {
      let nextCalled = false;
      const cont: NextFunction = () => {
        nextCalled = true;
        return Promise.resolve();
      };
      try {
        await bound(ctx, cont);
      } catch (err) {
        nextCalled = false;
        await handler(err instanceof BotError ? (err as BotError<C>) : new BotError(err, ctx), cont);
      }
      if (nextCalled) await next();
    }).children.push(composer);
    return composer;
  }

  /**
   * Runs `handlers` for `<prefix><name> args` in friend or conference
   * messages. Arguments are validated before the handlers run; bad input and
   * missing roles are answered with a short explanation and the usage line.
   */
  command<A extends ArgsSchema | undefined = undefined, F extends FlagsSchema | undefined = undefined>(
    names: string | readonly string[],
    options: CommandOptions<A, F>,
    ...handlers: Middleware<CommandContext<C, ArgsOf<A>, FlagsOf<F>>>[]
  ): Composer<CommandContext<C, ArgsOf<A>, FlagsOf<F>>>;
  command(names: string | readonly string[], ...handlers: Middleware<CommandContext<C>>[]): Composer<CommandContext<C>>;
  command(
    names: string | readonly string[],
    first?: CommandOptions | Middleware<never>,
    ...rest: Middleware<never>[]
  ): unknown {
    const isHandler = typeof first === 'function' || (typeof first === 'object' && first !== null && 'middleware' in first);
    const options = (isHandler || first === undefined ? {} : first) as CommandOptions;
    const handlers = (isHandler ? [first, ...rest] : rest) as Middleware<CommandContext<C, unknown, unknown>>[];
    const list = (typeof names === 'string' ? [names] : [...names]).map((n) => n.toLowerCase());
    const [name, ...aliases] = [...list, ...(options.aliases ?? []).map((a) => a.toLowerCase())];
    if (name === undefined || ![name, ...aliases].every((n) => /^[a-z0-9][\w-]*$/.test(n))) {
      throw new MiddlewareError(`invalid command name(s): ${JSON.stringify(names)} (letters, digits, "_" and "-")`);
    }
    const spec: CommandSpec = {
      name,
      aliases,
      description: options.description,
      usage: usageOf(options),
      role: options.role ?? 'user',
      where: options.in ?? 'any',
      hidden: options.hidden ?? false,
    };
    this.specs.push(spec);
    const accepted = new Set([name, ...aliases]);
    const inner = new Composer<CommandContext<C, unknown, unknown>>(...handlers);
    const run = flatten(inner);
    const composer = this.use(async (ctx, next) => {
      const e = ctx.event;
      if (e.kind !== 'friend.message' && e.kind !== 'conference.message') return next();
      if ((spec.where === 'friend' && e.kind !== 'friend.message') || (spec.where === 'conference' && e.kind !== 'conference.message')) return next();
      const line = parseCommandLine(e.text, ctx.commandPrefix);
      if (!line || !accepted.has(line.name)) return next();
      const usage = `Usage: ${ctx.commandPrefix}${name}${spec.usage ? ` ${spec.usage}` : ''}`;
      if (!hasRole(ctx.role, spec.role)) {
        await ctx.reply(`${ctx.commandPrefix}${name} needs the ${spec.role} role.`);
        return;
      }
      let tokens;
      try {
        tokens = tokenize(line.rest);
      } catch (err) {
        if (!(err instanceof CommandSyntaxError)) throw err;
        await ctx.reply(`${err.message}\n${usage}`);
        return;
      }
      const parsed = parseArguments(tokens, options);
      if (!parsed.ok) {
        await ctx.reply(`${parsed.problems.join('; ')}\n${usage}`);
        return;
      }
      ctx.command = { name, invokedAs: line.name, args: parsed.args, flags: parsed.flags, rest: line.rest };
      await run(ctx as CommandContext<C, unknown, unknown>, next);
    });
    composer.children.push(inner);
    return inner;
  }
}
