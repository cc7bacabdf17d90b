/**
 * Bind-address rules shared by the real and the simulated stack: how
 * `BindOptions` resolve (default host, wildcard, dual stack) and which
 * destinations a socket bound that way can address. Keeping them here is what
 * makes both implementations agree on `send` returning false.
 */
import { ipPort, isLoopback, type IpFamily, type IpPort } from './address.js';
import type { BindOptions } from './transport.js';

/** Default for `BindOptions.host`. */
export const DEFAULT_BIND_HOST = '127.0.0.1';

/** A validated bind request. */
export interface BindTarget {
  readonly family: IpFamily;
  /** Canonical address text (`0.0.0.0` / `::` for wildcards). */
  readonly ip: string;
  readonly port: number;
  readonly wildcard: boolean;
  /** Only for the IPv6 wildcard: also accepts and reaches IPv4 (as mapped addresses). */
  readonly dualStack: boolean;
  readonly loopback: boolean;
}

/** Validates `options` (an IP literal, port 0..65535); throws InvalidArgumentError otherwise. */
export function resolveBind(options: BindOptions): BindTarget {
  const address = ipPort(options.host ?? DEFAULT_BIND_HOST, options.port);
  const wildcard = address.ip === '0.0.0.0' || address.ip === '::';
  return {
    family: address.family,
    ip: address.ip,
    port: address.port,
    wildcard,
    dualStack: wildcard && address.family === 6 && options.dualStack !== false,
    loopback: isLoopback(address),
  };
}

/**
 * Whether a socket bound to `bind` can send to `to`: the family must be
 * reachable (IPv4 from an IPv4 socket or a dual-stack IPv6 wildcard), the port
 * non-zero, and a loopback-bound socket only reaches loopback.
 */
export function canSendFrom(bind: BindTarget, to: IpPort): boolean {
  if (to.port === 0) return false;
  if (to.family === 4 ? bind.family === 6 && !bind.dualStack : bind.family === 4) return false;
  if (to.ip === '0.0.0.0' || to.ip === '::') return false;
  return !bind.loopback || isLoopback(to);
}
