/**
 * Two relay clients talking through one relay, independent of the clock: a
 * routed pair, windowed transfers whose receiver checks order and content (so
 * "nothing lost" is verified, not assumed) and small-packet echo RTTs. The
 * simulation tests wait in virtual time, the interop tests and the bench in
 * real time; each passes its own `wait`.
 */
import type { TcpRelayClient } from '../../../src/tcp/index.js';

/** Resolves once `predicate` holds (or rejects after `timeoutMs`). */
export type Wait = (predicate: () => boolean, timeoutMs: number) => Promise<void>;

/**
 * Real-time polling wait for interop tests and benches: every event-loop turn
 * for the first 50 ms (sub-millisecond RTTs stay measurable), then every 1 ms.
 */
export const realWait: Wait = async (predicate, timeoutMs) => {
  const start = performance.now();
  while (!predicate()) {
    const elapsed = performance.now() - start;
    if (elapsed > timeoutMs) throw new Error(`condition not met within ${timeoutMs} ms`);
    await new Promise((resolve) => (elapsed < 50 ? setImmediate(resolve) : setTimeout(resolve, 1)));
  }
};

/** Connects both (already constructed) clients and routes them to each other. */
export async function routePair(a: TcpRelayClient, b: TcpRelayClient, wait: Wait, timeoutMs = 10_000): Promise<void> {
  a.connect();
  b.connect();
  await wait(() => (a.status === 'confirmed' && b.status === 'confirmed') || a.status === 'disconnected' || b.status === 'disconnected', timeoutMs);
  if (a.status !== 'confirmed' || b.status !== 'confirmed') throw new Error(`relay clients not confirmed: ${a.closeReason} / ${b.closeReason}`);
  a.routeRequest(b.publicKey);
  b.routeRequest(a.publicKey);
  await wait(() => a.routeFor(b.publicKey)?.online === true && b.routeFor(a.publicKey)?.online === true, timeoutMs);
}

const DATA = 1;
const ACK = 2;
const NACK = 3;
const ECHO = 9;
const ECHO_BACK = 10;
const ACK_EVERY = 16 * 1024;
/** No acknowledgement progress for this long: go back to the last acknowledged byte. */
const RETRANSMIT_AFTER_MS = 250;

/**
 * A windowed one-way transfer over a routed connection. Data packets carry a
 * sequence number and a byte pattern derived from it; the receiver accepts only
 * the next expected packet, checks its content and acknowledges cumulatively,
 * so "received == total, corrupt == 0" means every byte arrived once, in order.
 * Relays may drop data (c-toxcore's do when a receiver's socket is busy, ours
 * above the soft queue limit): a gap makes the receiver send a NACK and the
 * sender go back to the acknowledged position (go-back-N), as does an
 * acknowledgement that stalls. `retransmits` counts the packets sent again.
 */
export class Transfer {
  sent = 0;
  acked = 0;
  received = 0;
  nextSeq = 0;
  expectSeq = 0;
  corrupt = 0;
  retransmits = 0;
  private highestSeq = -1;
  private lastAck = 0;
  private lastNack = -1;
  private lastProgress: number;

  constructor(
    private readonly from: TcpRelayClient,
    private readonly to: TcpRelayClient,
    readonly total: number,
    private readonly now: () => number,
    private readonly chunk: number,
    private readonly window: number,
  ) {
    this.lastProgress = now();
    from.on('drain', () => this.pump());
  }

  get done(): boolean {
    return this.received >= this.total && this.acked >= this.total;
  }

  pump(): void {
    const id = this.from.routeFor(this.to.publicKey)?.connectionId;
    if (id === undefined) return;
    while (this.sent < this.total && this.sent - this.acked < this.window) {
      const size = Math.min(this.chunk, this.total - this.sent);
      const packet = new Uint8Array(5 + size);
      packet[0] = DATA;
      new DataView(packet.buffer).setUint32(1, this.nextSeq);
      packet.fill(this.nextSeq & 0xff, 5);
      if (this.from.sendData(id, packet) !== 'sent') return;
      if (this.nextSeq <= this.highestSeq) this.retransmits++;
      this.highestSeq = Math.max(this.highestSeq, this.nextSeq);
      this.nextSeq++;
      this.sent += size;
    }
  }

  /** Called while waiting: goes back when acknowledgements stall. */
  check(): void {
    if (this.sent > this.acked && this.now() - this.lastProgress > RETRANSMIT_AFTER_MS) this.goBack(this.acked);
  }

  /** At the receiver. */
  onData(packet: Uint8Array): void {
    const seq = new DataView(packet.buffer, packet.byteOffset).getUint32(1);
    if (seq !== this.expectSeq) {
      if (seq > this.expectSeq && this.lastNack !== this.expectSeq) {
        this.lastNack = this.expectSeq;
        this.reply(NACK, this.received);
      }
      return;
    }
    if (packet.subarray(5).some((b) => b !== (seq & 0xff))) this.corrupt++;
    this.expectSeq = seq + 1;
    this.received += packet.length - 5;
    if (this.received - this.lastAck >= ACK_EVERY || this.received >= this.total) {
      this.lastAck = this.received;
      this.reply(ACK, this.received);
    }
  }

  /** At the sender. */
  onReply(packet: Uint8Array): void {
    const value = new DataView(packet.buffer, packet.byteOffset).getUint32(1);
    if (value > this.acked) {
      this.acked = value;
      this.lastProgress = this.now();
    }
    if (packet[0] === NACK) this.goBack(value);
    this.pump();
  }

  private goBack(offset: number): void {
    if (offset >= this.sent) return;
    this.sent = offset;
    this.nextSeq = offset / this.chunk;
    this.lastProgress = this.now();
    this.pump();
  }

  private reply(kind: number, value: number): void {
    const packet = new Uint8Array(5);
    packet[0] = kind;
    new DataView(packet.buffer).setUint32(1, value);
    this.to.sendData(this.to.routeFor(this.from.publicKey)!.connectionId, packet);
  }
}

/** Routes the data events of both clients to the transfers running between them. */
function wire(a: TcpRelayClient, b: TcpRelayClient, ab: Transfer | undefined, ba: Transfer | undefined): () => void {
  const at = (data: Transfer | undefined, replies: Transfer | undefined) => (_id: number, _pk: unknown, p: Uint8Array): void => {
    if (p[0] === DATA) data?.onData(p);
    else if (p[0] === ACK || p[0] === NACK) replies?.onReply(p);
  };
  const onA = at(ba, ab);
  const onB = at(ab, ba);
  a.on('data', onA);
  b.on('data', onB);
  return () => {
    a.off('data', onA);
    b.off('data', onB);
  };
}

/**
 * Bytes in flight per transfer. c-toxcore relays read their sockets through a
 * u16 "bytes available" count (FIONREAD truncated), so more than 64 KiB waiting
 * in one of their sockets stalls them: interop runs stay well below.
 */
export const DEFAULT_WINDOW = 32 * 1024;

/** Runs transfers a→b and b→a of `bytes` each until both are acknowledged; returns them. */
export async function duplex(
  a: TcpRelayClient,
  b: TcpRelayClient,
  bytes: number,
  wait: Wait,
  now: () => number,
  timeoutMs: number,
  window = DEFAULT_WINDOW,
): Promise<[Transfer, Transfer]> {
  const ab = new Transfer(a, b, bytes, now, 1400, window);
  const ba = new Transfer(b, a, bytes, now, 1400, window);
  const unwire = wire(a, b, ab, ba);
  ab.pump();
  ba.pump();
  try {
    await wait(() => {
      ab.check();
      ba.check();
      return ab.done && ba.done;
    }, timeoutMs);
  } finally {
    unwire();
  }
  return [ab, ba];
}

/** Runs one transfer a→b of `bytes`; returns it once acknowledged. */
export async function oneWay(
  a: TcpRelayClient,
  b: TcpRelayClient,
  bytes: number,
  wait: Wait,
  now: () => number,
  timeoutMs: number,
  window = DEFAULT_WINDOW,
): Promise<Transfer> {
  const t = new Transfer(a, b, bytes, now, 1400, window);
  const unwire = wire(a, b, t, undefined);
  t.pump();
  try {
    await wait(() => {
      t.check();
      return t.done;
    }, timeoutMs);
  } finally {
    unwire();
  }
  return t;
}

/** Round trips of `count` small echoes a → b → a, measured with `now`. */
export async function echoRtts(a: TcpRelayClient, b: TcpRelayClient, count: number, wait: Wait, now: () => number): Promise<number[]> {
  const idA = a.routeFor(b.publicKey)!.connectionId;
  const idB = b.routeFor(a.publicKey)!.connectionId;
  let back = false;
  const echo = (_id: number, _pk: unknown, p: Uint8Array): void => {
    if (p[0] === ECHO) b.sendData(idB, Uint8Array.of(ECHO_BACK));
  };
  const onBack = (_id: number, _pk: unknown, p: Uint8Array): void => {
    if (p[0] === ECHO_BACK) back = true;
  };
  b.on('data', echo);
  a.on('data', onBack);
  const rtts: number[] = [];
  try {
    for (let i = 0; i < count; i++) {
      back = false;
      const start = now();
      a.sendData(idA, Uint8Array.of(ECHO));
      await wait(() => back, 10_000);
      rtts.push(now() - start);
    }
  } finally {
    b.off('data', echo);
    a.off('data', onBack);
  }
  return rtts;
}

export function medianOf(values: readonly number[]): number {
  const s = [...values].sort((x, y) => x - y);
  const mid = s.length >> 1;
  return s.length % 2 ? s[mid]! : (s[mid - 1]! + s[mid]!) / 2;
}
