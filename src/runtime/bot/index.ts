/**
 * The bot runtime core: composer, context, commands, permissions, outbox,
 * plugin definition, store, loader, host and the in-memory test bot. The node
 * composition root uses this; plugins use `src/runtime/sdk` instead.
 */
export * from './errors.js';
export * from './port.js';
export * from './text.js';
export * from './outbox.js';
export * from './filters.js';
export * from './context.js';
export * from './commands.js';
export * from './composer.js';
export * from './permissions.js';
export * from './store.js';
export * from './line-file.js';
export * from './plugin.js';
export * from './loader.js';
export * from './host.js';
export * from './testing.js';
