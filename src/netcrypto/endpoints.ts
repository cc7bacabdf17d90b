/**
 * The UDP side of a connection's paths (tox-protocol.md §5.8): one IPv4 and one
 * IPv6 endpoint, when a valid packet last came from each, and c-toxcore's
 * choice among them (fresh LAN IPv4 > fresh IPv6 > fresh IPv4 > stale LAN IPv4
 * > stale IPv6 > stale IPv4).
 */
import { isLan, type IpPort } from '../net/index.js';
import { DIRECT_PROBE_INTERVAL_MS, UDP_DIRECT_TIMEOUT_MS } from './constants.js';

const NEVER = Number.NEGATIVE_INFINITY;

export class UdpEndpoints {
  v4: IpPort | undefined;
  v6: IpPort | undefined;
  /** Whether `v4` is a LAN address (cached: the check parses the address). */
  private lan4 = false;
  private lastReceived4 = NEVER;
  private lastReceived6 = NEVER;
  /** Last time a packet went to UDP without a working endpoint (probe pacing). */
  lastProbe = NEVER;

  /** Stores `address`; returns the endpoint it replaces (same family), if any. */
  set(address: IpPort, confirmedAt: number | undefined): IpPort | undefined {
    const previous = address.family === 4 ? this.v4 : this.v6;
    if (address.family === 4) {
      this.v4 = address;
      this.lan4 = isLan(address);
      this.lastReceived4 = confirmedAt ?? (sameEndpoint(previous, address) ? this.lastReceived4 : NEVER);
    } else {
      this.v6 = address;
      this.lastReceived6 = confirmedAt ?? (sameEndpoint(previous, address) ? this.lastReceived6 : NEVER);
    }
    return sameEndpoint(previous, address) ? undefined : previous;
  }

  /** A valid packet arrived from `address` (one of ours). */
  received(address: IpPort, now: number): void {
    if (address.family === 4) this.lastReceived4 = now;
    else this.lastReceived6 = now;
  }

  private fresh4(now: number): boolean {
    return this.v4 !== undefined && this.lastReceived4 + UDP_DIRECT_TIMEOUT_MS > now;
  }

  private fresh6(now: number): boolean {
    return this.v6 !== undefined && this.lastReceived6 + UDP_DIRECT_TIMEOUT_MS > now;
  }

  /** A valid UDP packet came from one of the endpoints within UDP_DIRECT_TIMEOUT_MS. */
  directConnected(now: number): boolean {
    return this.fresh4(now) || this.fresh6(now);
  }

  best(now: number): IpPort | undefined {
    const lan4 = this.v4 !== undefined && this.lan4;
    if (this.fresh4(now) && lan4) return this.v4;
    if (this.fresh6(now)) return this.v6;
    if (this.fresh4(now)) return this.v4;
    if (lan4) return this.v4;
    return this.v6 ?? this.v4;
  }

  /** Whether a small packet may try UDP now although no endpoint is confirmed (every 4 s). */
  probeDue(now: number): boolean {
    return now - this.lastProbe > DIRECT_PROBE_INTERVAL_MS;
  }

  all(): IpPort[] {
    return [this.v4, this.v6].filter((a): a is IpPort => a !== undefined);
  }
}

function sameEndpoint(a: IpPort | undefined, b: IpPort): boolean {
  return a !== undefined && a.ip === b.ip && a.port === b.port;
}
