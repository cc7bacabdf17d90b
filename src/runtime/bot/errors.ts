/**
 * Typed errors of the bot runtime. Each has a stable `code`; messages say what
 * went wrong and where (plugin, file, config path) for the person running the bot.
 */
import { ToxError } from '../../base/index.js';

/** An error escaped a middleware; carries the original error and the context it happened in. */
export class BotError<C = unknown> extends ToxError {
  constructor(
    readonly error: unknown,
    readonly ctx: C,
    /** The plugin instance whose middleware failed, when known. */
    readonly plugin?: string,
  ) {
    super('BOT_MIDDLEWARE_FAILED', `${plugin ? `plugin "${plugin}": ` : ''}${describeError(error)}`, { plugin }, { cause: error });
  }
}

/** Misuse of the middleware contract, e.g. calling `next()` twice. */
export class MiddlewareError extends ToxError {
  constructor(message: string) {
    super('MIDDLEWARE_MISUSE', message);
  }
}

export type SendErrorCode =
  /** The destination's queue already holds `maxQueued` messages. */
  | 'OUTBOX_FULL'
  /** The outbox was closed (the bot is stopping) before the message went out. */
  | 'OUTBOX_CLOSED'
  /** The node refused the message for good (friend offline, unknown conference, too long...). */
  | 'SEND_FAILED'
  /** The context has nowhere to reply to (e.g. a friend request). */
  | 'NO_REPLY_TARGET';

export class SendError extends ToxError {
  declare readonly code: SendErrorCode;

  constructor(code: SendErrorCode, message: string, details: Record<string, unknown> = {}, options?: { cause?: unknown }) {
    super(code, message, details, options);
  }
}

export type PluginStoreErrorCode =
  /** The store file exists but is not a JSON object; it is left untouched. */
  | 'PLUGIN_STORE_CORRUPT'
  /** Reading or writing the store file failed. */
  | 'PLUGIN_STORE_IO'
  /** A value could not be serialised to JSON, or the store was used after it failed or closed. */
  | 'PLUGIN_STORE_INVALID';

export class PluginStoreError extends ToxError {
  declare readonly code: PluginStoreErrorCode;

  constructor(code: PluginStoreErrorCode, message: string, readonly file: string | undefined, options?: { cause?: unknown }) {
    super(code, message, { file }, options);
  }
}

export type PluginConfigErrorCode =
  /** Neither `plugins/<name>/index.ts` nor an npm package of that name exists. */
  | 'PLUGIN_NOT_FOUND'
  /** The module was found but failed to load or does not export a plugin. */
  | 'PLUGIN_INVALID'
  /** Options did not match the plugin's schema, or instance ids clash. */
  | 'PLUGIN_OPTIONS_INVALID';

/** Problems with the plugins a config declares; `problems` are `path: message` lines. */
export class PluginConfigError extends ToxError {
  declare readonly code: PluginConfigErrorCode;

  constructor(code: PluginConfigErrorCode, readonly problems: readonly string[], options?: { cause?: unknown }) {
    super(code, problems.join('\n'), { problems }, options);
  }
}

export function describeError(error: unknown): string {
  if (error instanceof Error) return error.message;
  return String(error);
}
