/**
 * The datagram port of a TCP-only node: no socket is opened, every send is
 * refused (returns false, as a closed socket does) and nothing is ever
 * received. The layers above keep one code path; their UDP traffic simply
 * never leaves, and everything reaches the network through TCP relays.
 */
import { ipPort, type IpPort } from './address.js';
import type { DatagramHandler, DatagramSocket } from './transport.js';

export class NoUdpSocket implements DatagramSocket {
  /** The unspecified address: nothing is bound. */
  readonly local: IpPort = ipPort('0.0.0.0', 0);

  send(_to: IpPort, _data: Uint8Array): boolean {
    return false;
  }

  onMessage(_handler: DatagramHandler): void {
    // Nothing ever arrives.
  }

  close(): Promise<void> {
    return Promise.resolve();
  }
}
