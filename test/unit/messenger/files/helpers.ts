/**
 * Test rig for the file-transfer engine: two `FileTransfers` wired back to
 * back through an in-memory lossless link (one bounded, in-order, acknowledged
 * pipe per direction) on a ManualScheduler, plus application helpers that
 * serve a file from memory and collect an incoming one.
 */
import { ManualScheduler, SeededRandom, isToxError, silentLogger, type Scheduler, type TimerHandle } from '../../../../src/base/index.js';
import { sha256 } from '../../../../src/crypto/index.js';
import { FILE_PACKET_ID, FileTransfers, type FileTransferInfo, type FileTransferPort, type FileTransfersOptions, type LosslessSendResult } from '../../../../src/messenger/files/index.js';

export interface PipeOptions {
  /** Packets queued and not yet acknowledged, at most. */
  capacity: number;
  /** One way; an acknowledgement takes as long again. */
  latencyMs: number;
  /** Packets delivered per pipe tick (bandwidth). */
  perTick: number;
  tickMs: number;
}

export const DEFAULT_PIPE: PipeOptions = { capacity: 128, latencyMs: 10, perTick: 32, tickMs: 5 };

/**
 * One direction of a lossless connection: `send` numbers packets and refuses
 * them when `capacity` are unacknowledged; every tick up to `perTick` packets
 * older than the latency are delivered in order, and acknowledged one latency
 * later.
 */
export class LosslessPipe {
  receiver: (packet: Uint8Array) => void = () => {};
  /** Called after acknowledgements freed room. */
  onRoom: () => void = () => {};
  /** Every packet put on the pipe, by id byte. */
  readonly sentById = new Map<number, number>();
  /** Smallest room left right after a send: what file data left for other traffic. */
  minRoom = Infinity;
  refused = 0;
  private readonly queue: Array<{ packet: Uint8Array; at: number }> = [];
  private readonly acks: Array<{ below: number; at: number }> = [];
  private next = 0;
  private delivered = 0;
  private ackedBelow = 0;
  private readonly timer: TimerHandle;

  constructor(
    private readonly scheduler: Scheduler,
    readonly options: PipeOptions,
  ) {
    this.timer = scheduler.every(options.tickMs, (now) => this.tick(now));
  }

  send(packet: Uint8Array): LosslessSendResult {
    if (this.next - this.ackedBelow >= this.options.capacity) {
      this.refused++;
      return { ok: false, reason: 'QUEUE_FULL' };
    }
    this.sentById.set(packet[0]!, (this.sentById.get(packet[0]!) ?? 0) + 1);
    this.queue.push({ packet: packet.slice(), at: this.scheduler.now() });
    const packetNumber = this.next++;
    this.minRoom = Math.min(this.minRoom, this.room());
    return { ok: true, packetNumber };
  }

  room(): number {
    return this.options.capacity - (this.next - this.ackedBelow);
  }

  isDelivered(n: number): boolean {
    return n < this.ackedBelow;
  }

  close(): void {
    this.timer.cancel();
  }

  private tick(now: number): void {
    const acked = this.ackedBelow;
    while (this.acks.length > 0 && this.acks[0]!.at <= now) this.ackedBelow = this.acks.shift()!.below;
    if (this.ackedBelow !== acked) this.onRoom();
    for (let i = 0; i < this.options.perTick && this.queue.length > 0 && this.queue[0]!.at + this.options.latencyMs <= now; i++) {
      const { packet } = this.queue.shift()!;
      this.delivered++;
      this.acks.push({ below: this.delivered, at: now + this.options.latencyMs });
      this.receiver(packet);
    }
  }
}

export interface Rig {
  scheduler: ManualScheduler;
  a: FileTransfers;
  b: FileTransfers;
  /** A → B and B → A. */
  ab: LosslessPipe;
  ba: LosslessPipe;
  /** Non-file packets that arrived at A and at B. */
  other: { a: Uint8Array[]; b: Uint8Array[] };
  /** How A numbers B, and B numbers A. */
  friendOfA: number;
  friendOfB: number;
  stop(): void;
}

export interface RigOptions {
  pipe?: Partial<PipeOptions>;
  engine?: FileTransfersOptions;
  /** Whether acknowledgements call `notifyRoom` (default true); without, only the tick requests chunks. */
  notifyRoom?: boolean;
  seed?: number;
}

/** Two engines on a bounded lossless link, both started, each seeing the other online. */
export function rig(setup: RigOptions = {}): Rig {
  const { pipe = {}, engine: options = {}, notifyRoom = true, seed = 1 } = setup;
  const scheduler = new ManualScheduler();
  const random = new SeededRandom(seed);
  const ab = new LosslessPipe(scheduler, { ...DEFAULT_PIPE, ...pipe });
  const ba = new LosslessPipe(scheduler, { ...DEFAULT_PIPE, ...pipe });
  const friendOfA = 3;
  const friendOfB = 7;
  const portFor = (pipeOut: LosslessPipe, friend: number): FileTransferPort => ({
    sendLossless: (f, packet) => (f === friend ? pipeOut.send(packet) : { ok: false, reason: 'NOT_CONNECTED' }),
    sendQueueRoom: (f) => (f === friend ? pipeOut.room() : 0),
    isDelivered: (f, n) => f === friend && pipeOut.isDelivered(n),
  });
  const a = new FileTransfers({ port: portFor(ab, friendOfA), scheduler, random: random.fork(), log: silentLogger() }, options);
  const b = new FileTransfers({ port: portFor(ba, friendOfB), scheduler, random: random.fork(), log: silentLogger() }, options);
  const other: Rig['other'] = { a: [], b: [] };
  // As the Messenger does: file packets to the engine, the rest elsewhere.
  const route = (engine: FileTransfers, friend: number, log: Uint8Array[]) => (p: Uint8Array) =>
    p[0]! >= FILE_PACKET_ID.sendRequest && p[0]! <= FILE_PACKET_ID.data ? engine.handlePacket(friend, p[0]!, p.subarray(1)) : log.push(p);
  ab.receiver = route(b, friendOfB, other.b);
  ba.receiver = route(a, friendOfA, other.a);
  if (notifyRoom) {
    ab.onRoom = () => a.notifyRoom(friendOfA);
    ba.onRoom = () => b.notifyRoom(friendOfB);
  }
  a.start();
  b.start();
  a.setFriendOnline(friendOfA, true);
  b.setFriendOnline(friendOfB, true);
  return {
    scheduler,
    a,
    b,
    ab,
    ba,
    other,
    friendOfA,
    friendOfB,
    stop() {
      a.stop();
      b.stop();
      ab.close();
      ba.close();
    },
  };
}

/** Deterministic pseudo-random content. */
export function content(size: number, seed: number): Uint8Array {
  return new SeededRandom(seed).bytes(size);
}

/** Answers every chunk request for `fileNumber` from `data` (in the callback, as c-toxcore clients do). */
export function serve(engine: FileTransfers, friend: number, fileNumber: number, data: Uint8Array): { done: boolean; requests: number; off(): void } {
  const state = { done: false, requests: 0, off: () => void engine.off('chunkRequest', listener) };
  const listener = (f: number, n: number, position: bigint, length: number): void => {
    if (f !== friend || n !== fileNumber) return;
    state.requests++;
    if (length === 0) {
      state.done = true;
      return;
    }
    const at = Number(position);
    engine.sendChunk(f, n, position, data.subarray(at, at + length));
  };
  engine.on('chunkRequest', listener);
  return state;
}

export interface Sink {
  fileNumber: number | undefined;
  bytes: Uint8Array;
  received: number;
  done: boolean;
  /** Positions were contiguous from the first chunk on. */
  contiguous: boolean;
  sha256(): Uint8Array;
  off(): void;
}

/** Collects the next offered file (accepting it unless `accept` is false), writing chunks at their positions. */
export function collect(engine: FileTransfers, friend: number, capacity: number, accept = true): Sink {
  const sink: Sink = {
    fileNumber: undefined,
    bytes: new Uint8Array(capacity),
    received: 0,
    done: false,
    contiguous: true,
    sha256: () => sha256(sink.bytes.subarray(0, sink.received)),
    off() {
      engine.off('offer', onOffer);
      engine.off('chunk', onChunk);
    },
  };
  let expected: bigint | undefined;
  const onOffer = (f: number, offer: FileTransferInfo): void => {
    if (f !== friend || sink.fileNumber !== undefined) return;
    sink.fileNumber = offer.fileNumber;
    if (accept) engine.control(f, offer.fileNumber, 'accept');
  };
  const onChunk = (f: number, n: number, position: bigint, data: Uint8Array): void => {
    if (f !== friend || n !== sink.fileNumber) return;
    if (expected !== undefined && position !== expected) sink.contiguous = false;
    expected = position + BigInt(data.length);
    if (data.length === 0) {
      sink.done = true;
      return;
    }
    sink.bytes.set(data, Number(position));
    sink.received = Math.max(sink.received, Number(position) + data.length);
  };
  engine.on('offer', onOffer);
  engine.on('chunk', onChunk);
  return sink;
}

/** The code of the ToxError `fn` throws ('none' if it returns). */
export function codeOf(fn: () => unknown): string {
  try {
    fn();
  } catch (err) {
    if (isToxError(err)) return err.code;
    throw err;
  }
  return 'none';
}

/** A port that records what the engine sends; room, refusal and acknowledgements are set by the test. */
export class FakePort implements FileTransferPort {
  readonly sent: Uint8Array[] = [];
  /** Room is this minus the packets not yet acknowledged. */
  capacity = 100;
  full = false;
  connected = true;
  deliveredBelow = 0;
  private next = 0;

  sendLossless(_friend: number, packet: Uint8Array): LosslessSendResult {
    if (!this.connected) return { ok: false, reason: 'NOT_CONNECTED' };
    if (this.full) return { ok: false, reason: 'QUEUE_FULL' };
    this.sent.push(packet.slice());
    return { ok: true, packetNumber: this.next++ };
  }

  sendQueueRoom(): number {
    return Math.max(0, this.capacity - (this.next - this.deliveredBelow));
  }

  /** Acknowledges everything sent so far. */
  ackAll(): void {
    this.deliveredBelow = this.next;
  }

  isDelivered(_friend: number, n: number): boolean {
    return n < this.deliveredBelow;
  }

  /** Packets sent since the last call, as hex. */
  take(): string[] {
    return this.sent.splice(0).map((p) => Buffer.from(p).toString('hex'));
  }
}

export interface Single {
  scheduler: ManualScheduler;
  engine: FileTransfers;
  port: FakePort;
  friend: number;
  /** Feeds a whole packet (id byte first) from the friend. */
  receive(hex: string): void;
}

/** One started engine on a FakePort, friend 0 online. */
export function single(): Single {
  const scheduler = new ManualScheduler();
  const port = new FakePort();
  const engine = new FileTransfers({ port, scheduler, random: new SeededRandom(9), log: silentLogger() });
  engine.start();
  engine.setFriendOnline(0, true);
  return {
    scheduler,
    engine,
    port,
    friend: 0,
    receive(hex) {
      const p = Buffer.from(hex.replace(/\s+/g, ''), 'hex');
      engine.handlePacket(0, p[0]!, new Uint8Array(p.subarray(1)));
    },
  };
}
