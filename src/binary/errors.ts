/** DecodeError: the only error a decoder may throw on untrusted bytes; EncodeError: a value the format cannot represent. */
import { ToxError, UntrustedInputError } from '../base/index.js';

export class DecodeError extends UntrustedInputError {
  constructor(
    readonly packet: string,
    readonly path: string,
    readonly offset: number,
    readonly reason: string,
  ) {
    super('DECODE_ERROR', `${packet}${path ? '.' + path : ''} at offset ${offset}: ${reason}`, { packet, path, offset, reason });
  }
}

/** Thrown by encoders handed a value their format cannot represent (API misuse, never untrusted input). */
export class EncodeError extends ToxError {
  constructor(message: string, details: Record<string, unknown> = {}) {
    super('ENCODE_ERROR', message, details);
  }
}
