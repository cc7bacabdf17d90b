/** Every net_crypto wire format, registered in `netcryptoCodecs`. */
export { netcryptoCodecs } from './registry.js';
export * from './cookie.js';
export * from './handshake.js';
export * from './data.js';
export * from './request.js';
