/**
 * SimDatagramSocket: a DatagramSocket bound on a SimHost. Applies the shared
 * size and addressing rules, picks the source address the way a kernel would
 * (the bound address, or the host's first address of the destination's
 * family, or loopback), and hands datagrams to the SimNetwork.
 */
import { isLoopback, type IpPort } from '../address.js';
import { canSendFrom, type BindTarget } from '../bind.js';
import { MAX_UDP_PACKET_SIZE, type DatagramHandler, type DatagramSocket } from '../transport.js';
import type { SimHost } from './host.js';

export class SimDatagramSocket implements DatagramSocket {
  private handler: DatagramHandler | undefined;
  private closing: Promise<void> | undefined;
  /** Source endpoints by destination kind: IPv4, IPv6, IPv4 loopback, IPv6 loopback. */
  private readonly sources: Array<IpPort | null | undefined> = [undefined, undefined, undefined, undefined];

  constructor(
    private readonly host: SimHost,
    readonly bind: BindTarget,
    readonly local: IpPort,
  ) {}

  send(to: IpPort, data: Uint8Array): boolean {
    if (this.closing || data.length > MAX_UDP_PACKET_SIZE || !canSendFrom(this.bind, to)) return false;
    this.host.network.sendDatagram(this.host, this.sourceFor(to), to, data);
    return true;
  }

  onMessage(handler: DatagramHandler): void {
    this.handler = handler;
  }

  close(): Promise<void> {
    if (!this.closing) {
      this.handler = undefined;
      this.host.releaseDatagramSocket(this);
      this.closing = Promise.resolve();
    }
    return this.closing;
  }

  /** Called by the network when a datagram arrives for this socket. */
  deliver(data: Uint8Array, from: IpPort): void {
    this.handler?.(data, from);
  }

  /** `null` when the host has no address to send from (no route). */
  private sourceFor(to: IpPort): IpPort | null {
    const index = (isLoopback(to) ? 2 : 0) + (to.family === 6 ? 1 : 0);
    let source = this.sources[index];
    if (source === undefined) {
      const ip = this.host.sourceIp(this.bind, to);
      source = ip === undefined ? null : { family: to.family, ip, port: this.local.port };
      this.sources[index] = source;
    }
    return source;
  }
}
