/**
 * SimHost: one machine of the simulated network, and its NetStack. It owns
 * its addresses (plus implicit loopback 127.0.0.0/8 and ::1 that reach only
 * itself), its UDP and TCP port tables with real-socket binding rules
 * (wildcards overlap specific addresses, `::` is dual-stack unless told
 * otherwise, conflicts are ADDRESS_IN_USE, port 0 takes a free port from
 * 49152..65535), and every socket, listener, stream and connect it made.
 */
import { InvalidArgumentError } from '../../base/index.js';
import { isLoopback, type IpFamily, type IpPort } from '../address.js';
import { resolveBind, type BindTarget } from '../bind.js';
import { NetError } from '../errors.js';
import { DEFAULT_CONNECT_TIMEOUT_MS, type BindOptions, type ConnectOptions, type NetStack, type StreamSocket } from '../transport.js';
import type { Link } from './conditions.js';
import { PendingConnect } from './connect.js';
import { SimDatagramSocket } from './datagram.js';
import type { SimNetwork } from './network.js';
import { SimStreamListener, type SimStreamSocket } from './stream.js';

export const EPHEMERAL_FIRST = 49152;
export const EPHEMERAL_LAST = 65535;

interface Bound {
  readonly bind: BindTarget;
}

function acceptsFamily(bind: BindTarget, family: IpFamily): boolean {
  return bind.family === family || (family === 4 && bind.dualStack);
}

/** Whether two bindings of the same port would receive some common address (EADDRINUSE on Linux). */
function overlaps(a: BindTarget, b: BindTarget): boolean {
  if (!a.wildcard && !b.wildcard) return a.ip === b.ip;
  if (a.wildcard && b.wildcard) return (acceptsFamily(a, 4) && acceptsFamily(b, 4)) || (acceptsFamily(a, 6) && acceptsFamily(b, 6));
  const [wild, specific] = a.wildcard ? [a, b] : [b, a];
  return acceptsFamily(wild, specific.family);
}

/** The socket bound on `to.port` that receives for `to.ip`: an exact address beats a wildcard. */
function pick<T extends Bound>(list: readonly T[] | undefined, to: IpPort): T | undefined {
  if (!list) return undefined;
  let wildcard: T | undefined;
  for (const entry of list) {
    if (entry.bind.ip === to.ip) return entry;
    if (entry.bind.wildcard && acceptsFamily(entry.bind, to.family)) wildcard = entry;
  }
  return wildcard;
}

export class SimHost implements NetStack {
  /** Canonical addresses, in the order given (the first of each family is the default source). */
  readonly addresses: readonly string[];
  /** Outgoing links by destination host (used by SimNetwork). */
  readonly linksOut = new Map<SimHost, Link>();
  private readonly first4: string | undefined;
  private readonly first6: string | undefined;
  private readonly udp = new Map<number, SimDatagramSocket[]>();
  private readonly listeners = new Map<number, SimStreamListener[]>();
  private readonly clientPorts = new Set<number>();
  private readonly streams = new Set<SimStreamSocket>();
  private readonly connects = new Set<PendingConnect>();
  private nextUdpPort = EPHEMERAL_FIRST;
  private nextTcpPort = EPHEMERAL_FIRST;

  constructor(
    readonly network: SimNetwork,
    addresses: readonly string[],
  ) {
    this.addresses = addresses;
    this.first4 = addresses.find((a) => !a.includes(':'));
    this.first6 = addresses.find((a) => a.includes(':'));
  }

  /** The first address (for logs and tests). */
  get ip(): string {
    return this.addresses[0]!;
  }

  /** `port` at this host's first address of `family` (default: the first address's family). */
  endpoint(port: number, family?: IpFamily): IpPort {
    const ip = family === undefined ? this.ip : family === 4 ? this.first4 : this.first6;
    if (ip === undefined) throw new InvalidArgumentError(`host ${this.ip} has no IPv${family} address`);
    return { family: ip.includes(':') ? 6 : 4, ip, port };
  }

  /** Bound UDP sockets, listeners, streams (including closed ones still flushing) and pending connects. */
  get openCount(): number {
    let n = this.streams.size + this.connects.size;
    for (const list of this.udp.values()) n += list.length;
    for (const list of this.listeners.values()) n += list.length;
    return n;
  }

  async bindUdp(options: BindOptions): Promise<SimDatagramSocket> {
    const bind = this.claim(this.udp, options, 'udp');
    const socket = new SimDatagramSocket(this, bind, { family: bind.family, ip: bind.ip, port: bind.port });
    this.add(this.udp, socket);
    return socket;
  }

  async listenTcp(options: BindOptions, onConnection: (socket: StreamSocket) => void): Promise<SimStreamListener> {
    const bind = this.claim(this.listeners, options, 'tcp');
    const listener = new SimStreamListener(this, bind, { family: bind.family, ip: bind.ip, port: bind.port }, onConnection);
    this.add(this.listeners, listener);
    return listener;
  }

  connectTcp(to: IpPort, options: ConnectOptions = {}): Promise<StreamSocket> {
    if (this.network.closed) return Promise.reject(new NetError('SOCKET_CLOSED', 'the simulated network is closed'));
    if (to.port === 0) return Promise.reject(new InvalidArgumentError('cannot connect to port 0'));
    if (options.signal?.aborted) return Promise.reject(new NetError('ABORTED', 'connect aborted'));
    const ip = this.sourceIp(undefined, to);
    if (ip === undefined) return Promise.reject(new NetError('UNREACHABLE', `host ${this.ip} has no IPv${to.family} address`));
    const port = this.freePort(this.listeners, { family: to.family, ip, port: 0, wildcard: false, dualStack: false, loopback: isLoopback(to) }, 'tcp');
    this.clientPorts.add(port);
    const local: IpPort = { family: to.family, ip, port };
    return new Promise<StreamSocket>((resolve, reject) => {
      const timeoutMs = options.timeoutMs ?? DEFAULT_CONNECT_TIMEOUT_MS;
      this.connects.add(new PendingConnect(this, local, to, timeoutMs, options.signal, resolve, reject));
    });
  }

  /**
   * The source address for sending to `to` from a socket bound as `bind`
   * (undefined = an unbound client): the bound address, else loopback for a
   * loopback destination, else the first address of the destination's family.
   */
  sourceIp(bind: BindTarget | undefined, to: IpPort): string | undefined {
    if (bind && !bind.wildcard) return bind.ip;
    if (isLoopback(to)) return to.family === 4 ? '127.0.0.1' : '::1';
    return to.family === 4 ? this.first4 : this.first6;
  }

  datagramSocketFor(to: IpPort): SimDatagramSocket | undefined {
    return pick(this.udp.get(to.port), to);
  }

  listenerFor(to: IpPort): SimStreamListener | undefined {
    return pick(this.listeners.get(to.port), to);
  }

  releaseDatagramSocket(socket: SimDatagramSocket): void {
    this.remove(this.udp, socket);
  }

  releaseListener(listener: SimStreamListener): void {
    this.remove(this.listeners, listener);
  }

  releaseClientPort(port: number): void {
    this.clientPorts.delete(port);
  }

  adoptStream(stream: SimStreamSocket): void {
    this.streams.add(stream);
  }

  retireStream(stream: SimStreamSocket): void {
    if (this.streams.delete(stream) && stream.isClient) this.clientPorts.delete(stream.local.port);
  }

  forgetConnect(connect: PendingConnect): void {
    this.connects.delete(connect);
  }

  /** Closes everything this host opened (network shutdown); streams die with SOCKET_CLOSED. */
  shutdown(): void {
    const closed = new NetError('SOCKET_CLOSED', 'the simulated network is closed');
    for (const connect of [...this.connects]) connect.fail(closed);
    for (const stream of [...this.streams]) stream.abort(closed);
    for (const list of [...this.udp.values()]) for (const socket of [...list]) void socket.close();
    for (const list of [...this.listeners.values()]) for (const listener of [...list]) void listener.close();
  }

  private claim<T extends Bound>(table: Map<number, T[]>, options: BindOptions, protocol: 'udp' | 'tcp'): BindTarget {
    if (this.network.closed) throw new NetError('SOCKET_CLOSED', 'the simulated network is closed');
    const bind = resolveBind(options);
    if (!bind.wildcard && !bind.loopback && !this.addresses.includes(bind.ip)) {
      throw new NetError('ADDRESS_NOT_AVAILABLE', `host ${this.ip} has no address ${bind.ip}`);
    }
    if (bind.port !== 0) {
      if (table.get(bind.port)?.some((other) => overlaps(other.bind, bind))) {
        throw new NetError('ADDRESS_IN_USE', `${protocol} ${bind.ip} port ${bind.port} is already bound on host ${this.ip}`);
      }
      return bind;
    }
    return { ...bind, port: this.freePort(table, bind, protocol) };
  }

  /** Next port in the ephemeral range, round robin, that `bind` could take. */
  private freePort<T extends Bound>(table: Map<number, T[]>, bind: BindTarget, protocol: 'udp' | 'tcp'): number {
    const span = EPHEMERAL_LAST - EPHEMERAL_FIRST + 1;
    for (let i = 0; i < span; i++) {
      const port = protocol === 'udp' ? this.nextUdpPort : this.nextTcpPort;
      const next = port === EPHEMERAL_LAST ? EPHEMERAL_FIRST : port + 1;
      if (protocol === 'udp') this.nextUdpPort = next;
      else this.nextTcpPort = next;
      const taken = table.get(port)?.some((other) => overlaps(other.bind, bind)) || (protocol === 'tcp' && this.clientPorts.has(port));
      if (!taken) return port;
    }
    throw new NetError('ADDRESS_IN_USE', `no free ephemeral ${protocol} port on host ${this.ip}`);
  }

  private add<T>(table: Map<number, T[]>, entry: T & Bound): void {
    const list = table.get(entry.bind.port);
    if (list) list.push(entry);
    else table.set(entry.bind.port, [entry]);
  }

  private remove<T extends Bound>(table: Map<number, T[]>, entry: T): void {
    const list = table.get(entry.bind.port);
    if (!list) return;
    const at = list.indexOf(entry);
    if (at >= 0) list.splice(at, 1);
    if (list.length === 0) table.delete(entry.bind.port);
  }
}
