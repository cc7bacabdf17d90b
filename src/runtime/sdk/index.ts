/**
 * The plugin SDK: the only module plugin code imports (see docs/plugins.md).
 * It re-exports `definePlugin`, the composer and context types, the event
 * union, commands, permissions, text limits, the store and port types, the
 * errors a plugin may catch, and `z` (zod) for option and argument schemas.
 * The test kits (the in-memory test bot and the simulated test network) live
 * in ./testing.js, so that production plugin code does not load the Tox node
 * and the simulated network; plugin tests import them from there.
 */
export { z } from 'zod';

export type { Logger, LogFields, Random, Scheduler, TimerHandle } from '../../base/index.js';
export { ToxError, isToxError } from '../../base/index.js';

export * from '../events.js';

export { definePlugin, isPlugin } from '../bot/plugin.js';
export type { NoOptions, Plugin, PluginDefinition, PluginLifecycle, PluginOptions, PluginOptionsInput, PluginServices } from '../bot/plugin.js';

export { Composer, run } from '../bot/composer.js';
export type { CommandContext, CommandEventKind, ErrorHandler, Middleware, MiddlewareFn, MiddlewareObj, NextFunction } from '../bot/composer.js';

export { BotContext } from '../bot/context.js';
export type { ContextFor, EventView, ReplyOptions } from '../bot/context.js';

export { kindMatcher, kindsOf } from '../bot/filters.js';
export type { EventPrefix, EventQuery, KindsOf } from '../bot/filters.js';

export { CommandSyntaxError, formatCommandHelp, formatHelp, parseArguments, parseCommandLine, tokenize, usageOf } from '../bot/commands.js';
export type { ArgsSchema, CommandInvocation, CommandOptions, CommandSpec, FlagsSchema, Token } from '../bot/commands.js';

export { Permissions, ROLES, hasRole, requireRole } from '../bot/permissions.js';
export type { PermissionsConfig, Role } from '../bot/permissions.js';

export { TOX_LIMITS } from '../bot/port.js';
export type { BotNodeApi, ConferenceInfo, FriendInfo, MessageType, SelfInfo, SendFailure, SendResult } from '../bot/port.js';

export { splitMessage, truncateUtf8, utf8Length } from '../bot/text.js';
export type { Destination, Outbox, SentMessage } from '../bot/outbox.js';
export type { PluginStore } from '../bot/store.js';
export type { LineFile, LineFileOptions, LineFileStats } from '../bot/line-file.js';

export { BotError, MiddlewareError, PluginStoreError, SendError } from '../bot/errors.js';
export type { PluginStoreErrorCode, SendErrorCode } from '../bot/errors.js';
