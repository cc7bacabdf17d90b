/** Bot config: schema and loader. */
export * from './schema.js';
export * from './load.js';
export * from './nodes-file.js';
