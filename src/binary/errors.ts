/** DecodeError: the only error a decoder may throw on untrusted bytes. */
import { UntrustedInputError } from '../base/index.js';

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
