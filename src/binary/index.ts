/** Public surface of the binary layer: readers, writers, codec combinators, packets and registries. */
export * from './errors.js';
export * from './reader.js';
export * from './writer.js';
export * from './codec.js';
export * from './packet.js';
