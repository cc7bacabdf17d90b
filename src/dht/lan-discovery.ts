/**
 * LAN discovery sending (§3.9). Every 10 s a round goes to the first port of the
 * range plus 10 further ports walking through the rest of it. By default the
 * destinations are loopback only (127.0.0.1, and ::1 with IPv6), so nothing
 * leaves the machine; real broadcast happens only with `broadcast: true`.
 */
import { ipPort, type IpPort } from '../net/index.js';
import { DEFAULT_PORT_RANGE, LAN_DISCOVERY_EXTRA_PORTS } from './constants.js';

export interface LanDiscoveryOptions {
  /** Answer LAN discovery from LAN sources by bootstrapping to the sender (default true). */
  answer?: boolean;
  /** Send discovery rounds (default true; loopback destinations unless `broadcast`). */
  send?: boolean;
  /** Inclusive port range to walk (default 33445..33545). */
  portRange?: readonly [number, number];
  /** Opt-in: send to real broadcast destinations instead of loopback. */
  broadcast?: boolean;
  /** Broadcast destinations when `broadcast` (default 255.255.255.255, plus ff02::1 with IPv6). */
  broadcastAddresses?: readonly string[];
}

export class LanDiscoveryRounds {
  private readonly first: number;
  private readonly last: number;
  private cursor: number;
  private readonly hosts: readonly string[];

  constructor(options: LanDiscoveryOptions, ipv6: boolean) {
    [this.first, this.last] = options.portRange ?? DEFAULT_PORT_RANGE;
    this.cursor = this.first + 1;
    if (options.broadcast) {
      this.hosts = options.broadcastAddresses ?? (ipv6 ? ['255.255.255.255', 'ff02::1'] : ['255.255.255.255']);
    } else {
      this.hosts = ipv6 ? ['127.0.0.1', '::1'] : ['127.0.0.1'];
    }
  }

  /** Destinations of the next round. */
  nextRound(): IpPort[] {
    const ports = [this.first];
    const span = this.last - this.first;
    for (let i = 0; i < Math.min(LAN_DISCOVERY_EXTRA_PORTS, span); i++) {
      ports.push(this.cursor);
      this.cursor = this.cursor >= this.last ? this.first + 1 : this.cursor + 1;
    }
    const out: IpPort[] = [];
    for (const host of this.hosts) for (const port of ports) out.push(ipPort(host, port));
    return out;
  }
}
