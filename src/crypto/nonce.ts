/**
 * Nonces: random 24-byte nonces and c-toxcore's counter arithmetic, which treats
 * the nonce as one big-endian 192-bit integer (wrapping to zero on overflow).
 */
import type { Random } from '../base/index.js';
import { InvalidArgumentError } from '../base/index.js';
import type { Nonce } from './keys.js';
import { NONCE_SIZE } from './keys.js';

export function randomNonce(random: Random): Nonce {
  return random.bytes(NONCE_SIZE) as Nonce;
}

/** Adds 1 in place (`increment_nonce`). */
export function incrementNonce(nonce: Uint8Array): void {
  for (let i = nonce.length - 1; i >= 0; i--) {
    nonce[i] = (nonce[i]! + 1) & 0xff;
    if (nonce[i] !== 0) return;
  }
}

/** Adds an unsigned 32-bit `n` in place (`increment_nonce_number`). */
export function incrementNonceBy(nonce: Uint8Array, n: number): void {
  if (!Number.isInteger(n) || n < 0 || n > 0xffff_ffff) throw new InvalidArgumentError(`nonce increment must be a u32, got ${n}`);
  let carry = n;
  for (let i = nonce.length - 1; i >= 0 && carry !== 0; i--) {
    const sum = nonce[i]! + (carry & 0xff);
    nonce[i] = sum & 0xff;
    carry = Math.floor(carry / 256) + (sum >> 8);
  }
}

/** A copy advanced by `n` (convenience for the receive-window logic). */
export function nonceAdd(nonce: Nonce, n: number): Nonce {
  const out = new Uint8Array(nonce) as Nonce;
  incrementNonceBy(out, n);
  return out;
}
