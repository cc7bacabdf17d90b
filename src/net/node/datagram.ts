/**
 * NodeDatagramSocket: a DatagramSocket over one bound node:dgram socket.
 * Applies the shared size and addressing rules, maps IPv4 destinations onto a
 * dual-stack IPv6 socket, normalises IPv4-mapped sources, and never throws from
 * `send` (failures are counted and logged at debug).
 */
import type { Socket } from 'node:dgram';
import type { Logger } from '../../base/index.js';
import { ipPort, type IpPort } from '../address.js';
import { canSendFrom, type BindTarget } from '../bind.js';
import { MAX_UDP_PACKET_SIZE, type DatagramHandler, type DatagramSocket } from '../transport.js';

export interface DatagramStats {
  sent: number;
  received: number;
  /** Socket errors, mostly sends the operating system rejected (reported asynchronously). */
  errors: number;
  /** Received datagrams longer than MAX_UDP_PACKET_SIZE. */
  droppedOversize: number;
  /** Received datagrams whose source address could not be parsed. */
  droppedBadSource: number;
}

export class NodeDatagramSocket implements DatagramSocket {
  readonly stats: DatagramStats = { sent: 0, received: 0, errors: 0, droppedOversize: 0, droppedBadSource: 0 };
  private handler: DatagramHandler | undefined;
  private closing: Promise<void> | undefined;

  constructor(
    private readonly socket: Socket,
    readonly local: IpPort,
    private readonly bind: BindTarget,
    private readonly log: Logger,
    private readonly onClosed: () => void,
  ) {
    socket.on('message', (msg, rinfo) => this.receive(msg, rinfo.address, rinfo.port));
    socket.on('error', (err) => this.failed(err));
  }

  send(to: IpPort, data: Uint8Array): boolean {
    if (this.closing || data.length > MAX_UDP_PACKET_SIZE || !canSendFrom(this.bind, to)) return false;
    const host = this.bind.family === 6 && to.family === 4 ? `::ffff:${to.ip}` : to.ip;
    try {
      // No copy: node:dgram sends a typed array through a Buffer view of it (see DatagramSocket.send). No
      // callback either: with one, node:dgram defers a call per datagram; failures arrive as 'error' events.
      this.socket.send(data, to.port, host);
      this.stats.sent++;
    } catch (err) {
      this.failed(err);
    }
    return true;
  }

  onMessage(handler: DatagramHandler): void {
    this.handler = handler;
  }

  close(): Promise<void> {
    if (!this.closing) {
      this.handler = undefined;
      this.closing = new Promise((resolve) => {
        this.socket.close(() => {
          this.onClosed();
          resolve();
        });
      });
    }
    return this.closing;
  }

  private failed(err: unknown): void {
    this.stats.errors++;
    if (this.log.enabled('debug')) this.log.debug('udp socket error', { local: this.local, error: err instanceof Error ? err.message : String(err) });
  }

  private receive(msg: Buffer, address: string, port: number): void {
    const handler = this.handler;
    if (!handler) return;
    if (msg.length > MAX_UDP_PACKET_SIZE) {
      this.stats.droppedOversize++;
      return;
    }
    let from: IpPort;
    try {
      from = ipPort(address, port);
    } catch {
      this.stats.droppedBadSource++;
      return;
    }
    this.stats.received++;
    handler(new Uint8Array(msg.buffer, msg.byteOffset, msg.byteLength), from);
  }
}
