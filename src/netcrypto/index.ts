/**
 * Public surface of the net_crypto layer: the engine, its ports (DHT keys,
 * UDP send, TCP relay transport), events and results, counters, constants,
 * and the wire codecs (`netcryptoCodecs`).
 */
export * from './constants.js';
export * from './counters.js';
export * from './events.js';
export * from './ports.js';
export { NetCrypto, type NetCryptoDeps, type NetCryptoOptions, type NetCryptoConnectOptions, type ConnectionInfo } from './net-crypto.js';
export type { ConnectionStateKind } from './connection.js';
export * from './wire/index.js';
