/** Public surface of the crypto layer: keys, boxes, hashes, nonces, the shared-key cache and Tox IDs. */
export * from './sodium.js';
export * from './keys.js';
export * from './box.js';
export * from './box-scratch.js';
export * from './hash.js';
export * from './nonce.js';
export * from './shared-key-cache.js';
export * from './tox-id.js';
