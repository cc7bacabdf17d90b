/**
 * Simulated TCP: SimStreamSocket (one end of a reliable ordered byte stream)
 * and SimStreamListener. Each end owns the pipe towards its peer: written
 * bytes wait in a send buffer (`bufferedAmount`, backpressure against the
 * high-water mark), are cut into segments of random (seeded) size, and travel
 * with at most `windowBytes` in flight, in order, one scheduler timer per pipe.
 *
 * Closing follows Node's non-half-open streams: `end()` sends a FIN after the
 * buffered data; the peer, on receiving it, ends too; each end closes once its
 * own FIN was delivered and the peer's arrived. `destroy()` drops unsent data
 * and sends the FIN at once; what is already in flight still arrives.
 *
 * Partitions: a segment that reaches a partitioned link stalls (with everything
 * behind it) and is retried every `retryMs`; after `stallTimeoutMs` without
 * progress both ends close with CONNECTION_TIMEOUT. Like real TCP without
 * keepalives, an idle stream does not notice a partition.
 */
import type { TimerHandle } from '../../base/index.js';
import type { IpPort } from '../address.js';
import { NetError } from '../errors.js';
import { StreamHandlers } from '../stream-handlers.js';
import type { StreamListener, StreamSocket } from '../transport.js';
import type { BindTarget } from '../bind.js';
import type { SimHost } from './host.js';

/** `open` is the server's answer to the handshake: the client's connect resolves when it arrives. */
type SegmentKind = 'data' | 'open' | 'fin';

interface Segment {
  readonly kind: SegmentKind;
  readonly data: Uint8Array | undefined;
  readonly arrival: number;
}

type FinState = 'none' | 'pending' | 'sent' | 'delivered';

export class SimStreamSocket implements StreamSocket {
  private peer!: SimStreamSocket;
  private readonly handlers = new StreamHandlers();
  private readonly queue: Uint8Array[] = [];
  private queued = 0;
  private readonly wire: Segment[] = [];
  private inFlight = 0;
  private lastArrival = 0;
  private wireTimer: TimerHandle | undefined;
  private flushTimer: TimerHandle | undefined;
  private needDrain = false;
  private ended = false;
  private fin: FinState = 'none';
  private peerEnded = false;
  private closed = false;
  private stallSince: number | undefined;
  /** Inside the wire timer: it re-arms itself when done. */
  private delivering = false;

  private constructor(
    readonly host: SimHost,
    readonly local: IpPort,
    readonly remote: IpPort,
    private readonly onOpen: (() => void) | undefined,
  ) {}

  /** A connected pair; `onOpen` runs when the server's handshake answer reaches the client. */
  static pair(
    client: { host: SimHost; local: IpPort; onOpen: () => void },
    server: { host: SimHost; local: IpPort },
  ): [SimStreamSocket, SimStreamSocket] {
    const c = new SimStreamSocket(client.host, client.local, server.local, client.onOpen);
    const s = new SimStreamSocket(server.host, server.local, client.local, undefined);
    c.peer = s;
    s.peer = c;
    client.host.adoptStream(c);
    server.host.adoptStream(s);
    s.transmit('open', undefined);
    return [c, s];
  }

  /** The connecting end (it holds an ephemeral port of its host). */
  get isClient(): boolean {
    return this.onOpen !== undefined;
  }

  get bufferedAmount(): number {
    return this.queued;
  }

  write(data: Uint8Array): boolean {
    if (this.ended || this.closed) return false;
    if (data.length > 0) {
      this.queue.push(data.slice());
      this.queued += data.length;
      this.flushTimer ??= this.host.network.scheduler.after(0, this.onFlushTimer);
    }
    const ok = this.queued < this.host.network.streamSettings.highWaterMark;
    if (!ok) this.needDrain = true;
    return ok;
  }

  onData(handler: (chunk: Uint8Array) => void): void {
    this.handlers.setData(handler);
  }

  onDrain(handler: () => void): void {
    this.handlers.setDrain(handler);
  }

  onClose(handler: (error?: Error) => void): void {
    this.handlers.setClose(handler);
  }

  end(): void {
    if (this.ended || this.closed) return;
    this.ended = true;
    this.fin = 'pending';
    this.flushTimer ??= this.host.network.scheduler.after(0, this.onFlushTimer);
  }

  destroy(error?: Error): void {
    if (this.closed) return;
    this.dropUnsent();
    if (this.fin === 'none' || this.fin === 'pending') {
      this.fin = 'sent';
      this.transmit('fin', undefined);
    }
    this.close(error);
  }

  /** Kills this end at once: nothing more is sent or delivered (partition timeout, network shutdown). */
  abort(error: Error): void {
    this.dropUnsent();
    this.wire.length = 0;
    this.inFlight = 0;
    this.wireTimer?.cancel();
    this.wireTimer = undefined;
    this.close(error);
    this.retireIfIdle(); // also when it was already closed and only its wire was draining
  }

  private dropUnsent(): void {
    this.queue.length = 0;
    this.queued = 0;
    this.ended = true;
    this.flushTimer?.cancel();
    this.flushTimer = undefined;
  }

  private readonly onFlushTimer = (): void => {
    this.flushTimer = undefined;
    this.flush();
  };

  private flush(): void {
    if (this.closed) return;
    const { windowBytes, maxSegmentBytes } = this.host.network.streamSettings;
    const random = this.host.network.random;
    while (this.queued > 0 && this.inFlight < windowBytes) {
      const size = Math.min(this.queued, windowBytes - this.inFlight, 1 + random.int(maxSegmentBytes));
      this.transmit('data', this.take(size));
    }
    if (this.queued > 0) return;
    if (this.fin === 'pending') {
      this.fin = 'sent';
      this.transmit('fin', undefined);
    }
    if (this.needDrain) {
      this.needDrain = false;
      this.handlers.drain();
    }
  }

  /** Removes `size` bytes from the front of the send buffer. */
  private take(size: number): Uint8Array {
    this.queued -= size;
    const first = this.queue[0]!;
    if (first.length >= size) {
      if (first.length === size) this.queue.shift();
      else this.queue[0] = first.subarray(size);
      return first.subarray(0, size);
    }
    const out = new Uint8Array(size);
    let at = 0;
    while (at < size) {
      const chunk = this.queue[0]!;
      const n = Math.min(chunk.length, size - at);
      out.set(n === chunk.length ? chunk : chunk.subarray(0, n), at);
      at += n;
      if (n === chunk.length) this.queue.shift();
      else this.queue[0] = chunk.subarray(n);
    }
    return out;
  }

  private transmit(kind: SegmentKind, data: Uint8Array | undefined): void {
    const network = this.host.network;
    const size = data?.length ?? 0;
    const arrival = Math.max(network.arrivalTime(network.linkBetween(this.host, this.peer.host), size), this.lastArrival);
    this.lastArrival = arrival;
    this.wire.push({ kind, data, arrival });
    this.inFlight += size;
    if (!this.wireTimer && !this.delivering) this.armWire(this.wire[0]!.arrival);
  }

  private armWire(at: number): void {
    const scheduler = this.host.network.scheduler;
    this.wireTimer = scheduler.after(Math.max(0, at - scheduler.now()), this.onWireTimer);
  }

  private readonly onWireTimer = (): void => {
    this.wireTimer = undefined;
    const network = this.host.network;
    const now = network.scheduler.now();
    this.delivering = true;
    try {
      while (this.wire.length > 0 && this.wire[0]!.arrival <= now) {
        if (network.blocked(this.host, this.peer.host)) {
          this.stall(now);
          return;
        }
        this.stallSince = undefined;
        const segment = this.wire.shift()!;
        this.inFlight -= segment.data?.length ?? 0;
        this.arrive(segment);
      }
      if (this.queued > 0 && !this.flushTimer) this.flush();
    } finally {
      this.delivering = false;
    }
    if (this.wire.length > 0 && !this.wireTimer) this.armWire(this.wire[0]!.arrival);
    this.retireIfIdle();
  };

  private arrive(segment: Segment): void {
    switch (segment.kind) {
      case 'data':
        this.host.network.segmentDelivered(this.local, this.remote, segment.data!);
        this.peer.receive(segment.data!);
        break;
      case 'open':
        this.peer.onOpen?.();
        break;
      case 'fin':
        this.fin = 'delivered';
        this.peer.receiveFin();
        this.closeIfDone();
        break;
    }
  }

  private stall(now: number): void {
    const network = this.host.network;
    const { retryMs, stallTimeoutMs } = network.streamSettings;
    if (this.stallSince === undefined) {
      this.stallSince = now;
      const head = this.wire[0]!;
      if (head.data) network.segmentPartitioned(this.local, this.remote, head.data);
    }
    const left = this.stallSince + stallTimeoutMs - now;
    if (left <= 0) {
      network.stats.streamsTimedOut++;
      const error = new NetError('CONNECTION_TIMEOUT', `stream ${this.local.ip}:${this.local.port} -> ${this.remote.ip}:${this.remote.port} stalled by a partition`);
      this.abort(error);
      this.peer.abort(error);
      return;
    }
    this.wireTimer = network.scheduler.after(Math.min(retryMs, left), this.onWireTimer);
  }

  private receive(chunk: Uint8Array): void {
    if (!this.closed) this.handlers.data(chunk);
  }

  private receiveFin(): void {
    if (this.closed) return;
    this.peerEnded = true;
    this.end();
    this.closeIfDone();
  }

  private closeIfDone(): void {
    if (!this.closed && this.fin === 'delivered' && this.peerEnded) this.close(undefined);
  }

  private close(error: Error | undefined): void {
    if (this.closed) return;
    this.closed = true;
    this.ended = true;
    this.handlers.close(error);
    this.retireIfIdle();
  }

  /** A closed end whose pipe has nothing left in flight leaves its host. */
  private retireIfIdle(): void {
    if (this.closed && this.wire.length === 0 && !this.wireTimer) {
      this.flushTimer?.cancel();
      this.flushTimer = undefined;
      this.host.retireStream(this);
    }
  }
}

export class SimStreamListener implements StreamListener {
  private closing: Promise<void> | undefined;

  constructor(
    private readonly host: SimHost,
    readonly bind: BindTarget,
    readonly local: IpPort,
    private readonly onConnection: (socket: StreamSocket) => void,
  ) {}

  close(): Promise<void> {
    if (!this.closing) {
      this.host.releaseListener(this);
      this.closing = Promise.resolve();
    }
    return this.closing;
  }

  accept(socket: SimStreamSocket): void {
    this.onConnection(socket);
  }
}
