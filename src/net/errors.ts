/**
 * NetError: the typed failure of a socket operation (bind, listen, connect, a
 * stream that dies). Both the real stack (`net/node`) and the simulator
 * (`net/sim`) throw and report these codes, so callers switch on `code` alone.
 */
import { ToxError } from '../base/index.js';

export type NetErrorCode =
  /** The address/port is already bound (EADDRINUSE). */
  | 'ADDRESS_IN_USE'
  /** The host has no such local address (EADDRNOTAVAIL). */
  | 'ADDRESS_NOT_AVAILABLE'
  /** Nobody listens at the destination (ECONNREFUSED). */
  | 'CONNECTION_REFUSED'
  /** connectTcp did not complete within its timeout. */
  | 'CONNECT_TIMEOUT'
  /** The caller's AbortSignal fired. */
  | 'ABORTED'
  /** The socket or stack was closed while the operation was pending. */
  | 'SOCKET_CLOSED'
  /** The peer reset the connection (ECONNRESET, EPIPE). */
  | 'CONNECTION_RESET'
  /** An established stream stopped making progress (ETIMEDOUT, or a simulated partition). */
  | 'CONNECTION_TIMEOUT'
  /** No route to the destination (ENETUNREACH, EHOSTUNREACH, wrong address family). */
  | 'UNREACHABLE'
  /** Any other operating-system failure; `details.errno` says which. */
  | 'NET_FAILURE';

export class NetError extends ToxError {
  declare readonly code: NetErrorCode;

  constructor(code: NetErrorCode, message: string, details: Record<string, unknown> = {}, options?: { cause?: unknown }) {
    super(code, message, details, options);
  }
}

export function isNetError(value: unknown, code?: NetErrorCode): value is NetError {
  return value instanceof NetError && (code === undefined || value.code === code);
}
