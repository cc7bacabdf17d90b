/** Maps Node's system errors (errno codes) onto NetError codes. */
import { NetError, type NetErrorCode } from '../errors.js';

const CODE_BY_ERRNO: Readonly<Record<string, NetErrorCode>> = {
  EADDRINUSE: 'ADDRESS_IN_USE',
  EADDRNOTAVAIL: 'ADDRESS_NOT_AVAILABLE',
  ECONNREFUSED: 'CONNECTION_REFUSED',
  ECONNRESET: 'CONNECTION_RESET',
  EPIPE: 'CONNECTION_RESET',
  ETIMEDOUT: 'CONNECTION_TIMEOUT',
  ENETUNREACH: 'UNREACHABLE',
  EHOSTUNREACH: 'UNREACHABLE',
  EAFNOSUPPORT: 'UNREACHABLE',
};

function errnoOf(err: unknown): string | undefined {
  const code = (err as { code?: unknown } | null)?.code;
  return typeof code === 'string' ? code : undefined;
}

/** A NetError for `err` raised while doing `action` (e.g. "bind UDP 127.0.0.1:0"). */
export function toNetError(err: unknown, action: string): NetError {
  if (err instanceof NetError) return err;
  const errno = errnoOf(err);
  const code = (errno && CODE_BY_ERRNO[errno]) || 'NET_FAILURE';
  const reason = err instanceof Error ? err.message : String(err);
  return new NetError(code, `${action}: ${reason}`, { errno }, { cause: err });
}
