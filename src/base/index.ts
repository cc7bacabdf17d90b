/** Public surface of the base layer: time, randomness, errors, logging, bytes, lifecycle. */
export * from './errors.js';
export * from './scheduler.js';
export * from './random.js';
export * from './log.js';
export * from './bytes.js';
export * from './lifecycle.js';
export * from './adaptive-ticker.js';
