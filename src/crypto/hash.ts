/** SHA-256 and SHA-512. */
import { createHash } from 'node:crypto';
import { sodium } from './sodium.js';

export function sha512(data: Uint8Array): Uint8Array {
  return sodium().crypto_hash(data);
}

export function sha256(data: Uint8Array): Uint8Array {
  return new Uint8Array(createHash('sha256').update(data).digest());
}
