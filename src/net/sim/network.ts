/**
 * SimNetwork: an in-memory network of SimHosts driven by an injected
 * Scheduler and Random (ManualScheduler and SeededRandom in tests), after
 * c-toxcore's NetworkUniverse. Every datagram is one scheduler timer at its
 * arrival time, so delivery order is deterministic: the same seed and the same
 * actions give the same trace.
 *
 * Datagram path: partition check → filters → MTU → loss → (duplication) →
 * arrival at now + bandwidth queueing + latency + jitter (+ reorder delay).
 * Streams (see stream.ts) share latency, jitter, bandwidth and partitions but
 * never lose, duplicate or reorder data, and are not filtered.
 * Traffic from a host to itself (its own or loopback addresses) uses a
 * perfect link unless `link(h, h, ...)` says otherwise.
 */
import { InvalidArgumentError, type Random, type Scheduler, type TimerHandle } from '../../base/index.js';
import { ipPort, isLoopback, type IpPort } from '../address.js';
import { DEFAULT_LINK, Link, PERFECT_LINK, checkConditions, type LinkConditions } from './conditions.js';
import { SimHost } from './host.js';
import { emptyStats, type DatagramFilter, type Fate, type SimStats, type TraceObserver } from './trace.js';

export interface StreamSettings {
  /** `write()` returns false once a socket's send buffer holds this many bytes. */
  readonly highWaterMark: number;
  /** Bytes a stream keeps in flight per direction before it waits for deliveries. */
  readonly windowBytes: number;
  /** Writes are re-cut into segments of random size 1..maxSegmentBytes. */
  readonly maxSegmentBytes: number;
  /** A stream stalled by a partition retries this often... */
  readonly retryMs: number;
  /** ...and both ends close with CONNECTION_TIMEOUT after this long without progress. */
  readonly stallTimeoutMs: number;
}

export const DEFAULT_STREAM_SETTINGS: StreamSettings = {
  highWaterMark: 16 * 1024,
  windowBytes: 64 * 1024,
  maxSegmentBytes: 4096,
  retryMs: 1000,
  stallTimeoutMs: 20_000,
};

export interface SimNetworkOptions {
  scheduler: Scheduler;
  random: Random;
  /** Global link conditions between distinct hosts (over DEFAULT_LINK). */
  conditions?: Partial<LinkConditions>;
  streams?: Partial<StreamSettings>;
}

interface Partition {
  readonly a: ReadonlySet<SimHost>;
  readonly b: ReadonlySet<SimHost>;
}

export class SimNetwork {
  readonly scheduler: Scheduler;
  readonly random: Random;
  readonly stats: SimStats = emptyStats();
  private global: LinkConditions;
  private stream: StreamSettings;
  private readonly overrides = new Map<SimHost, Map<SimHost, Partial<LinkConditions>>>();
  /** Bumped on every conditions change; links recompute lazily. */
  private version = 0;
  private readonly hostsByIp = new Map<string, SimHost>();
  private readonly allHosts: SimHost[] = [];
  private partitions: Partition[] = [];
  private filters: DatagramFilter[] = [];
  private observers: TraceObserver[] = [];
  private readonly inFlight = new Set<TimerHandle>();
  private isClosed = false;

  constructor(options: SimNetworkOptions) {
    this.scheduler = options.scheduler;
    this.random = options.random;
    checkConditions(options.conditions ?? {});
    this.global = { ...DEFAULT_LINK, ...options.conditions };
    this.stream = DEFAULT_STREAM_SETTINGS;
    this.configureStreams(options.streams ?? {});
  }

  get closed(): boolean {
    return this.isClosed;
  }

  get hosts(): readonly SimHost[] {
    return this.allHosts;
  }

  get streamSettings(): StreamSettings {
    return this.stream;
  }

  /** Datagrams and handshake messages on their way (stream segments are counted by their streams). */
  get inFlightCount(): number {
    return this.inFlight.size;
  }

  /** A new host with one or more IPv4/IPv6 addresses, unique in the network. */
  host(...addresses: string[]): SimHost {
    if (addresses.length === 0) throw new InvalidArgumentError('a simulated host needs at least one address');
    const canonical = addresses.map((text) => {
      const { ip } = ipPort(text, 0);
      if (ip === '0.0.0.0' || ip === '::' || isLoopback({ family: ip.includes(':') ? 6 : 4, ip, port: 0 })) {
        throw new InvalidArgumentError(`${text} cannot be a host address (wildcard or loopback)`);
      }
      if (this.hostsByIp.has(ip)) throw new InvalidArgumentError(`address ${ip} already belongs to a host`);
      return ip;
    });
    if (new Set(canonical).size !== canonical.length) throw new InvalidArgumentError('duplicate address for one host');
    const host = new SimHost(this, canonical);
    for (const ip of canonical) this.hostsByIp.set(ip, host);
    this.allHosts.push(host);
    return host;
  }

  /** Changes the global conditions (links without their own value for a knob follow). */
  configure(conditions: Partial<LinkConditions>): void {
    checkConditions(conditions);
    this.global = { ...this.global, ...conditions };
    this.version++;
  }

  /** Per-direction overrides for traffic from `from` to `to`, merged over earlier ones. */
  link(from: SimHost, to: SimHost, conditions: Partial<LinkConditions>): void {
    checkConditions(conditions);
    let row = this.overrides.get(from);
    if (!row) this.overrides.set(from, (row = new Map()));
    row.set(to, { ...row.get(to), ...conditions });
    this.version++;
  }

  /** The effective conditions from `from` to `to`. */
  conditions(from: SimHost, to: SimHost): LinkConditions {
    return this.linkBetween(from, to).conditions;
  }

  configureStreams(settings: Partial<StreamSettings>): void {
    const next = { ...this.stream, ...settings };
    for (const [key, value] of Object.entries(next)) {
      if (!Number.isInteger(value) || value < 1) throw new InvalidArgumentError(`stream setting ${key} must be a positive integer, got ${value}`);
    }
    this.stream = next;
  }

  /**
   * Hosts in `a` and hosts in `b` can no longer reach each other (both
   * directions) until `heal()`, or until the returned function removes just
   * this partition.
   */
  partition(a: readonly SimHost[], b: readonly SimHost[]): () => void {
    const setA = new Set(a);
    if (b.some((h) => setA.has(h))) throw new InvalidArgumentError('a host cannot be on both sides of a partition');
    const partition: Partition = { a: setA, b: new Set(b) };
    this.partitions = [...this.partitions, partition];
    return () => {
      this.partitions = this.partitions.filter((p) => p !== partition);
    };
  }

  /** Removes every partition. */
  heal(): void {
    this.partitions = [];
  }

  /** Adds a datagram filter (run in the order added); returns its remover. */
  filter(fn: DatagramFilter): () => void {
    this.filters = [...this.filters, fn];
    return () => {
      this.filters = this.filters.filter((f) => f !== fn);
    };
  }

  /** Adds a trace observer; returns its remover. */
  observe(fn: TraceObserver): () => void {
    this.observers = [...this.observers, fn];
    return () => {
      this.observers = this.observers.filter((f) => f !== fn);
    };
  }

  /** Closes every host's sockets, listeners, streams and connects, and drops what is in flight. Idempotent. */
  close(): void {
    if (this.isClosed) return;
    this.isClosed = true;
    for (const host of this.allHosts) host.shutdown();
    for (const handle of this.inFlight) handle.cancel();
    this.inFlight.clear();
  }

  // ---- used by hosts, sockets and streams ----

  /** The host that receives traffic for `to` when `from` sends it (loopback stays on `from`). */
  hostFor(from: SimHost, to: IpPort): SimHost | undefined {
    return isLoopback(to) ? from : this.hostsByIp.get(to.ip);
  }

  linkBetween(from: SimHost, to: SimHost): Link {
    let link = from.linksOut.get(to);
    if (!link) {
      link = new Link(this.effective(from, to), this.version);
      from.linksOut.set(to, link);
    } else if (link.version !== this.version) {
      link.conditions = this.effective(from, to);
      link.version = this.version;
    }
    return link;
  }

  blocked(from: SimHost, to: SimHost): boolean {
    for (const p of this.partitions) {
      if ((p.a.has(from) && p.b.has(to)) || (p.b.has(from) && p.a.has(to))) return true;
    }
    return false;
  }

  /** Arrival time of `size` bytes sent now over `link`: bandwidth queue, latency, jitter. */
  arrivalTime(link: Link, size: number): number {
    const c = link.conditions;
    let departure = this.scheduler.now();
    if (c.bandwidthBytesPerSec !== Infinity) {
      departure = Math.max(departure, link.busyUntil) + (size * 1000) / c.bandwidthBytesPerSec;
      link.busyUntil = departure;
    }
    return departure + c.latencyMs + (c.jitterMs > 0 ? this.random.float() * c.jitterMs : 0);
  }

  /** A one-shot network event (datagram, handshake message) tracked so `close()` can drop it. */
  schedule(delayMs: number, fn: () => void): void {
    const handle: TimerHandle = this.scheduler.after(Math.max(0, delayMs), () => {
      this.inFlight.delete(handle);
      fn();
    });
    this.inFlight.add(handle);
  }

  /** A lossless handshake message; vanishes if the hosts are partitioned now. */
  sendControl(from: SimHost, to: SimHost, onArrival: () => void): void {
    if (this.isClosed || this.blocked(from, to)) return;
    this.schedule(this.arrivalTime(this.linkBetween(from, to), 0) - this.scheduler.now(), onArrival);
  }

  /** `from` null: the sending host has no address of the destination's family. */
  sendDatagram(src: SimHost, from: IpPort | null, to: IpPort, data: Uint8Array): void {
    const stats = this.stats;
    stats.datagramsSent++;
    const dst = from && !this.isClosed ? this.hostFor(src, to) : undefined;
    if (!dst || !from) {
      stats.datagramsUnreachable++;
      if (from) this.trace('udp', from, to, data, 'unreachable');
      return;
    }
    if (this.partitions.length > 0 && this.blocked(src, dst)) {
      stats.datagramsPartitioned++;
      this.trace('udp', from, to, data, 'partitioned');
      return;
    }
    let payload: Uint8Array = data.slice();
    let extraDelay = 0;
    if (this.filters.length > 0) {
      const view: { time: number; from: IpPort; to: IpPort; data: Uint8Array } = { time: this.scheduler.now(), from, to, data: payload };
      for (const filter of this.filters) {
        const decision = filter(view);
        if (decision === undefined || decision === 'pass') continue;
        if (decision === 'drop') {
          stats.datagramsFiltered++;
          this.trace('udp', from, to, payload, 'filtered');
          return;
        }
        if (decision.delayMs !== undefined) {
          if (!(decision.delayMs >= 0)) throw new InvalidArgumentError(`filter delay must be >= 0, got ${decision.delayMs}`);
          extraDelay += decision.delayMs;
        }
        if (decision.data) view.data = payload = decision.data;
      }
    }
    const link = this.linkBetween(src, dst);
    const c = link.conditions;
    if (payload.length > c.mtu) {
      stats.datagramsOverMtu++;
      this.trace('udp', from, to, payload, 'mtu');
      return;
    }
    if (c.loss > 0 && this.random.float() < c.loss) {
      stats.datagramsLost++;
      this.trace('udp', from, to, payload, 'lost');
      return;
    }
    this.scheduleDatagram(link, dst, from, to, payload, extraDelay);
    if (c.duplicate > 0 && this.random.float() < c.duplicate) {
      stats.datagramsDuplicated++;
      this.scheduleDatagram(link, dst, from, to, payload.slice(), extraDelay);
    }
  }

  segmentDelivered(from: IpPort, to: IpPort, data: Uint8Array): void {
    this.stats.segmentsDelivered++;
    this.stats.streamBytesDelivered += data.length;
    this.trace('tcp', from, to, data, 'delivered');
  }

  segmentPartitioned(from: IpPort, to: IpPort, data: Uint8Array): void {
    this.trace('tcp', from, to, data, 'partitioned');
  }

  private scheduleDatagram(link: Link, dst: SimHost, from: IpPort, to: IpPort, payload: Uint8Array, extraDelay: number): void {
    const c = link.conditions;
    let arrival = this.arrivalTime(link, payload.length) + extraDelay;
    if (c.reorder > 0 && this.random.float() < c.reorder) arrival += this.random.float() * c.reorderDelayMs;
    this.schedule(arrival - this.scheduler.now(), () => this.arrive(dst, from, to, payload));
  }

  private arrive(dst: SimHost, from: IpPort, to: IpPort, payload: Uint8Array): void {
    const socket = dst.datagramSocketFor(to);
    if (!socket) {
      this.stats.datagramsUnreachable++;
      this.trace('udp', from, to, payload, 'unreachable');
      return;
    }
    this.stats.datagramsDelivered++;
    this.stats.datagramBytesDelivered += payload.length;
    this.trace('udp', from, to, payload, 'delivered');
    socket.deliver(payload, from);
  }

  private trace(transport: 'udp' | 'tcp', from: IpPort, to: IpPort, data: Uint8Array, fate: Fate): void {
    const observers = this.observers;
    if (observers.length === 0) return;
    const event = { time: this.scheduler.now(), transport, from, to, size: data.length, firstByte: data.length > 0 ? data[0]! : -1, fate };
    for (const observer of observers) observer(event);
  }

  private effective(from: SimHost, to: SimHost): LinkConditions {
    const base = from === to ? PERFECT_LINK : this.global;
    const override = this.overrides.get(from)?.get(to);
    return override ? { ...base, ...override } : base;
  }
}
