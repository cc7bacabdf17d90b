/**
 * NodeNetStack: the NetStack over real sockets (node:dgram, node:net), IPv4
 * and IPv6, `::` dual-stack unless `dualStack: false`. It remembers every
 * socket, listener and pending connect it made, so `close()` leaves nothing open.
 */
import { createSocket, type Socket as UdpSocket } from 'node:dgram';
import { lookup as dnsLookup, type LookupOneOptions } from 'node:dns';
import { createServer, isIP, Socket, type SocketConstructorOpts } from 'node:net';
import { InvalidArgumentError, silentLogger, type Logger, type Scheduler } from '../../base/index.js';
import { formatIpPort, ipPort, type IpPort } from '../address.js';
import { resolveBind, type BindTarget } from '../bind.js';
import { NetError } from '../errors.js';
import {
  DEFAULT_CONNECT_TIMEOUT_MS,
  type BindOptions,
  type ConnectOptions,
  type DatagramSocket,
  type NetStack,
  type StreamListener,
  type StreamSocket,
} from '../transport.js';
import { NodeDatagramSocket } from './datagram.js';
import { toNetError } from './errors.js';
import { NodeStreamListener, NodeStreamSocket } from './stream.js';

/** Requested kernel send buffer size for UDP sockets (c-toxcore asks for the same). */
export const UDP_BUFFER_BYTES = 2 * 1024 * 1024;
/**
 * Requested receive buffer: twice c-toxcore's. c-toxcore empties its socket on every
 * iteration; Node reads at most 32 datagrams per socket per event-loop turn, so a burst
 * waits longer in the kernel (a c-toxcore peer sending 4096 small messages at once fills
 * c-toxcore's size). The kernel caps it at net.core.rmem_max.
 */
export const UDP_RECEIVE_BUFFER_BYTES = 2 * UDP_BUFFER_BYTES;

export interface NodeNetStackOptions {
  /** Drives connect timeouts. */
  scheduler: Scheduler;
  log?: Logger;
  /** Write buffer high-water mark of TCP streams (Node's default when absent). */
  streamHighWaterMark?: number;
}

interface Closable {
  close(): unknown;
}

type LookupCallback = (err: NodeJS.ErrnoException | null, address: string, family: number) => void;

/**
 * dgram resolves the destination of every send; Node's default lookup answers
 * even an IP literal on the next tick. We only ever send to literals, so answer
 * them at once (one deferral less per datagram) and leave names to dns.lookup.
 */
function literalLookup(hostname: string, options: LookupOneOptions, callback: LookupCallback): void {
  const family = isIP(hostname);
  if (family !== 0) callback(null, hostname, family);
  else dnsLookup(hostname, options, callback);
}

export class NodeNetStack implements NetStack {
  private readonly scheduler: Scheduler;
  private readonly log: Logger;
  private readonly streamHighWaterMark: number | undefined;
  private readonly open = new Set<Closable>();
  private closed = false;

  constructor(options: NodeNetStackOptions) {
    this.scheduler = options.scheduler;
    this.log = options.log ?? silentLogger();
    this.streamHighWaterMark = options.streamHighWaterMark;
  }

  /** Sockets, listeners, streams and connects not yet closed. */
  get openCount(): number {
    return this.open.size;
  }

  async bindUdp(options: BindOptions): Promise<DatagramSocket> {
    const bind = this.checkOpen(options);
    const socket = createSocket({ type: bind.family === 4 ? 'udp4' : 'udp6', ipv6Only: bind.family === 6 && !bind.dualStack, reuseAddr: false, lookup: literalLookup });
    try {
      await new Promise<void>((resolve, reject) => {
        socket.once('error', reject);
        socket.bind({ address: bind.ip, port: bind.port, exclusive: true }, () => {
          socket.off('error', reject);
          resolve();
        });
      });
    } catch (err) {
      socket.close();
      throw toNetError(err, `bind UDP ${formatIpPort(bind)}`);
    }
    setBufferSizes(socket);
    if (options.broadcast) socket.setBroadcast(true);
    const local = ipPort(socket.address().address, socket.address().port);
    const wrapped: NodeDatagramSocket = new NodeDatagramSocket(socket, local, bind, this.log, () => this.open.delete(wrapped));
    this.open.add(wrapped);
    return wrapped;
  }

  async listenTcp(options: BindOptions, onConnection: (socket: StreamSocket) => void): Promise<StreamListener> {
    const bind = this.checkOpen(options);
    const server = createServer({ allowHalfOpen: false, noDelay: true, highWaterMark: this.streamHighWaterMark });
    try {
      await new Promise<void>((resolve, reject) => {
        server.once('error', reject);
        server.listen({ host: bind.ip, port: bind.port, ipv6Only: bind.family === 6 && !bind.dualStack, exclusive: true }, () => {
          server.off('error', reject);
          resolve();
        });
      });
    } catch (err) {
      server.close();
      throw toNetError(err, `listen TCP ${formatIpPort(bind)}`);
    }
    const address = server.address();
    if (address === null || typeof address === 'string') throw new NetError('NET_FAILURE', 'TCP server has no address');
    const listener: NodeStreamListener = new NodeStreamListener(server, ipPort(address.address, address.port), () => this.open.delete(listener));
    this.open.add(listener);
    server.on('error', (err) => this.log.warn('tcp listener error', { local: listener.local, error: err.message }));
    server.on('connection', (socket) => this.accept(socket, onConnection));
    return listener;
  }

  connectTcp(to: IpPort, options: ConnectOptions = {}): Promise<StreamSocket> {
    if (this.closed) return Promise.reject(new NetError('SOCKET_CLOSED', 'the network stack is closed'));
    if (to.port === 0) return Promise.reject(new InvalidArgumentError('cannot connect to port 0'));
    const { signal } = options;
    if (signal?.aborted) return Promise.reject(new NetError('ABORTED', `connect to ${formatIpPort(to)} aborted`));
    const socketOptions: SocketConstructorOpts & { writableHighWaterMark?: number } = { allowHalfOpen: false };
    if (this.streamHighWaterMark !== undefined) socketOptions.writableHighWaterMark = this.streamHighWaterMark;
    const socket = new Socket(socketOptions);
    return new Promise<StreamSocket>((resolve, reject) => {
      const pending: Closable = { close: () => fail(new NetError('SOCKET_CLOSED', `connect to ${formatIpPort(to)}: stack closed`)) };
      const timer = this.scheduler.after(options.timeoutMs ?? DEFAULT_CONNECT_TIMEOUT_MS, () =>
        fail(new NetError('CONNECT_TIMEOUT', `connect to ${formatIpPort(to)} timed out`)),
      );
      const onAbort = (): void => fail(new NetError('ABORTED', `connect to ${formatIpPort(to)} aborted`));
      const onError = (err: Error): void => fail(toNetError(err, `connect to ${formatIpPort(to)}`));
      const settle = (): void => {
        timer.cancel();
        signal?.removeEventListener('abort', onAbort);
        socket.off('error', onError);
        this.open.delete(pending);
      };
      function fail(error: NetError): void {
        settle();
        socket.destroy();
        reject(error);
      }
      this.open.add(pending);
      signal?.addEventListener('abort', onAbort, { once: true });
      socket.once('error', onError);
      socket.connect({ host: to.ip, port: to.port, noDelay: true }, () => {
        settle();
        try {
          resolve(this.wrap(socket));
        } catch (err) {
          socket.destroy();
          reject(toNetError(err, `connect to ${formatIpPort(to)}`));
        }
      });
    });
  }

  /** Closes every socket and listener, destroys every stream and fails pending connects. Idempotent. */
  async close(): Promise<void> {
    this.closed = true;
    const all = [...this.open];
    this.open.clear();
    await Promise.all(all.map((c) => c.close()));
  }

  private checkOpen(options: BindOptions): BindTarget {
    if (this.closed) throw new NetError('SOCKET_CLOSED', 'the network stack is closed');
    return resolveBind(options);
  }

  private accept(socket: Socket, onConnection: (socket: StreamSocket) => void): void {
    let wrapped: StreamSocket;
    try {
      wrapped = this.wrap(socket);
    } catch {
      socket.destroy(); // reset before we saw it
      return;
    }
    if (this.closed) wrapped.destroy();
    else onConnection(wrapped);
  }

  private wrap(socket: Socket): StreamSocket {
    const stream: NodeStreamSocket = new NodeStreamSocket(socket, () => this.open.delete(closable));
    const closable: Closable = { close: () => stream.destroy(new NetError('SOCKET_CLOSED', 'the network stack is closed')) };
    this.open.add(closable);
    return stream;
  }
}

function setBufferSizes(socket: UdpSocket): void {
  // Best effort: the kernel caps (or refuses) sizes above its limits.
  try {
    socket.setRecvBufferSize(UDP_RECEIVE_BUFFER_BYTES);
  } catch {
    /* keep the default */
  }
  try {
    socket.setSendBufferSize(UDP_BUFFER_BYTES);
  } catch {
    /* keep the default */
  }
}
