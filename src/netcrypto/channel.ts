/**
 * The data channel of one session (tox-protocol.md §5.4–§5.7): sealing and
 * opening 0x1B packets with the session key and counter nonces, the lossless
 * stream (numbers, in-order delivery, acknowledgements, request packets and
 * retransmission), lossy and kill packets, and when to send request packets.
 * Synchronous; everything it emits goes through its host.
 */
import { incrementNonce, MAC_SIZE, seal, type BoxScratch, type Nonce, type SharedKey } from '../crypto/index.js';
import {
  ACK_EVERY_PACKETS,
  HOLE_REQUEST_INTERVAL_MS,
  LOSSLESS_ID_MAX,
  LOSSLESS_ID_MIN,
  LOSSY_ID_MAX,
  LOSSY_ID_MIN,
  MIN_PACKET_RATE,
  PACKET_ID_KILL,
  PACKET_ID_REQUEST,
  RATE_SAMPLE_INTERVAL_MS,
  REQUEST_COMPARE_CONSTANT,
  REQUEST_INTERVAL_MS,
} from './constants.js';
import { CongestionControl } from './congestion.js';
import type { NetCryptoCounters, NetCryptoDropReason } from './counters.js';
import { ReceiveNonce } from './nonce-window.js';
import { ReceiveQueue } from './receive-queue.js';
import { SendQueue } from './send-queue.js';
import { MAX_DATA_PLAIN_SIZE, RequestPayload, dataPacketShell, decodeDataPacket, decodeDataPlain, encodeDataPacket, encodeDataPlain } from './wire/index.js';

export interface ChannelHost {
  /** Sends a finished 0x1B packet on the connection's best path; false if no path took it. */
  transmit(packet: Uint8Array, now: number): boolean;
  /** Whether a path can take data packets now (so no nonce is spent in vain). */
  canTransmit(now: number): boolean;
  /** A packet from the peer opened: the connection is confirmed (idempotent). */
  confirmed(): void;
  lossless(id: number, payload: Uint8Array): void;
  lossy(id: number, payload: Uint8Array): void;
  /** Every packet numbered below `below` is now acknowledged. */
  delivered(below: number): void;
  /** Call `flushAck` soon: once the input being processed is done if `urgent`, else after ACK_DELAY_MS. */
  ackLater(urgent: boolean): void;
  drop(reason: NetCryptoDropReason): void;
  /** Seals data packets straight into the outgoing buffer (saves libsodium-wrappers' copies); optional. */
  boxScratch?(): BoxScratch | undefined;
}

/** `ok`: the packet authenticated (even if its payload was a duplicate); `kill`: the peer closed the connection. */
export type ReceiveOutcome = 'ok' | 'kill' | 'rejected';

const KILL_PAYLOAD = Uint8Array.of(PACKET_ID_KILL);

export class Channel {
  /** Set by the owner when the connection ends: stops delivery loops mid-way. */
  closed = false;
  readonly sendQueue = new SendQueue();
  readonly receiveQueue = new ReceiveQueue();
  readonly congestion: CongestionControl;
  /** Time of the last packet that authenticated. */
  lastReceived: number;
  private key: SharedKey;
  private receiveNonce: ReceiveNonce;
  private readonly sendNonce: Uint8Array;
  /** Plaintext of the packet being sealed (sealing copies it, so one buffer serves every packet). */
  private readonly plainScratch = new Uint8Array(MAX_DATA_PLAIN_SIZE);
  private lastRequestSent = Number.NEGATIVE_INFINITY;
  private lastAckProgress: number;
  /** New lossless packets since our last request packet, and whether new holes appeared. */
  private unacknowledged = 0;
  private newHoles = false;
  private receivedInSample = 0;
  private sampleStarted: number;
  private receiveRate = 0;

  constructor(
    private readonly host: ChannelHost,
    private readonly counters: NetCryptoCounters,
    sharedKey: SharedKey,
    ourBaseNonce: Uint8Array,
    peerBaseNonce: Uint8Array,
    maxWindow: number,
    now: number,
  ) {
    this.key = sharedKey;
    this.sendNonce = new Uint8Array(ourBaseNonce);
    this.receiveNonce = new ReceiveNonce(peerBaseNonce);
    this.congestion = new CongestionControl(maxWindow);
    this.lastReceived = now;
    this.lastAckProgress = now;
    this.sampleStarted = now;
  }

  /** A re-sent handshake: adopt the peer's session if it changed (c-toxcore overwrites it too). */
  rekey(sharedKey: SharedKey, peerBaseNonce: Uint8Array): void {
    this.key = sharedKey;
    if (!this.receiveNonce.startedFrom(peerBaseNonce)) this.receiveNonce = new ReceiveNonce(peerBaseNonce);
  }

  // ------------------------------------------------------------------ receiving

  receive(packet: Uint8Array, viaUdp: boolean, now: number): ReceiveOutcome {
    const outer = decodeDataPacket(packet);
    if (!outer) return this.reject('malformed');
    const plain = this.receiveNonce.open(this.key, outer.nonceLow, outer.sealed, this.host.boxScratch?.());
    if (typeof plain === 'string') return this.reject(plain);
    this.lastReceived = now;
    const inner = decodeDataPlain(plain);
    if (!inner) return this.dropAuthenticated('malformed');
    const { bufferStart, packetNumber, payload } = inner;
    if (bufferStart !== this.sendQueue.start) {
      const acked = this.sendQueue.ackUpTo(bufferStart);
      if (!acked) return this.dropAuthenticated('badAck');
      this.onAcked(acked.acked, acked.latestSent, now);
      this.host.delivered(bufferStart);
    }
    const id = payload[0]!;
    if (id === PACKET_ID_KILL) return 'kill';
    this.host.confirmed();
    if (this.closed) return 'ok';
    if (id === PACKET_ID_REQUEST) {
      this.onRequest(payload, packetNumber, viaUdp, now);
    } else if (id >= LOSSLESS_ID_MIN && id <= LOSSLESS_ID_MAX) {
      this.onLossless(packetNumber, payload, now);
    } else if (id >= LOSSY_ID_MIN && id <= LOSSY_ID_MAX) {
      this.announceEnd(packetNumber);
      this.counters.lossyReceived++;
      this.host.lossy(id, payload.subarray(1));
    } else {
      this.host.drop('badPacketId');
    }
    if (!this.closed) this.pump(now);
    return 'ok';
  }

  private reject(reason: NetCryptoDropReason): ReceiveOutcome {
    this.host.drop(reason);
    return 'rejected';
  }

  private dropAuthenticated(reason: NetCryptoDropReason): ReceiveOutcome {
    this.host.drop(reason);
    return 'ok';
  }

  private onAcked(count: number, latestSent: number, now: number): void {
    if (count === 0) return;
    this.congestion.acked(count, this.sendQueue.inFlight + count);
    if (latestSent >= 0) this.congestion.rttSample(now - latestSent);
    this.lastAckProgress = now;
  }

  private onRequest(payload: Uint8Array, sendEnd: number, viaUdp: boolean, now: number): void {
    this.counters.requestsReceived++;
    const request = RequestPayload.decode(payload); // every request body decodes
    const result = this.sendQueue.applyRequest(request, now, this.congestion.lossGuardMs(viaUdp), this.congestion.tailGuardMs(viaUdp));
    this.onAcked(result.acked, result.latestSent, now);
    if (result.lost > 0) this.congestion.lost(result.latestLost, now);
    this.announceEnd(sendEnd);
  }

  /** The peer's send end from a request or lossy packet (c-toxcore ignores a bad one). */
  private announceEnd(sendEnd: number): void {
    const before = this.receiveQueue.length;
    if (!this.receiveQueue.setEnd(sendEnd)) {
      this.counters.drop('badBufferEnd');
      return;
    }
    if (this.receiveQueue.length > before) this.noteHoles();
  }

  private onLossless(n: number, payload: Uint8Array, now: number): void {
    const lengthBefore = this.receiveQueue.length;
    const added = this.receiveQueue.add(n, payload);
    if (added !== 'added') {
      this.host.drop(added);
      return;
    }
    this.receivedInSample++;
    this.unacknowledged++;
    if (this.receiveQueue.length > lengthBefore + 1) this.newHoles = true;
    for (let next = this.receiveQueue.shift(); next !== undefined; next = this.receiveQueue.shift()) {
      this.counters.losslessDelivered++;
      this.host.lossless(next[0]!, next.subarray(1));
      if (this.closed) return;
    }
    if (this.unacknowledged >= ACK_EVERY_PACKETS) this.sendRequest(now);
    else this.host.ackLater(this.newHoles);
  }

  private noteHoles(): void {
    this.newHoles = true;
    this.host.ackLater(true);
  }

  // ------------------------------------------------------------------ sending

  /** Queues a lossless packet (id first) and sends what the window allows; undefined when the queue is full. */
  sendLossless(data: Uint8Array, now: number): number | undefined {
    if (this.sendQueue.full) return undefined;
    // A copy (the caller may reuse its buffer), from Node's small-buffer pool: much cheaper than a new ArrayBuffer.
    const n = this.sendQueue.enqueue(Buffer.from(data));
    this.pump(now);
    return n;
  }

  sendLossy(data: Uint8Array, now: number): boolean {
    return this.transmit(this.sendQueue.end, data, now);
  }

  sendKill(now: number): boolean {
    return this.transmit(this.sendQueue.end, KILL_PAYLOAD, now);
  }

  /** A request packet: acknowledges what we hold, lists our holes, and tells our send end. */
  sendRequest(now: number): boolean {
    this.lastRequestSent = now;
    this.unacknowledged = 0;
    this.newHoles = false;
    this.counters.requestsSent++;
    return this.transmit(this.sendQueue.end, this.receiveQueue.buildRequest(), now);
  }

  /** The deferred acknowledgement asked for with `ackLater`. */
  flushAck(now: number): void {
    if (!this.closed && (this.unacknowledged > 0 || this.newHoles)) this.sendRequest(now);
  }

  /** Sends queued packets (lost ones first) while the window has room. */
  pump(now: number): void {
    const queue = this.sendQueue;
    if (queue.inFlight >= this.congestion.window || !this.host.canTransmit(now)) return;
    while (queue.inFlight < this.congestion.window) {
      const n = queue.peek();
      if (n === undefined) break;
      if (!this.transmit(n, queue.ring.get(n)!, now)) break;
      if (queue.sent(n, now)) this.counters.losslessResent++;
      else this.counters.losslessSent++;
    }
  }

  private transmit(packetNumber: number, payload: Uint8Array, now: number): boolean {
    const plain = encodeDataPlain(this.receiveQueue.start, packetNumber, payload, this.plainScratch);
    const nonceLow = (this.sendNonce[22]! << 8) | this.sendNonce[23]!;
    const scratch = this.host.boxScratch?.();
    let packet: Uint8Array;
    if (scratch) {
      packet = dataPacketShell(nonceLow, plain.length + MAC_SIZE);
      scratch.sealInto(this.key, this.sendNonce as Nonce, plain, packet, 3);
    } else {
      packet = encodeDataPacket(nonceLow, seal(this.key, this.sendNonce as Nonce, plain));
    }
    incrementNonce(this.sendNonce);
    this.counters.sent.data++;
    return this.host.transmit(packet, now);
  }

  // ------------------------------------------------------------------ timers

  /**
   * Periodic work: request packets on c-toxcore's cadence (and, ours only,
   * every HOLE_REQUEST_INTERVAL_MS while packets are missing, so a lost
   * retransmission is asked for again promptly), rate sampling, probing an
   * unacknowledged tail, and sending what waits.
   */
  tick(now: number, established: boolean): void {
    if (now - this.sampleStarted >= RATE_SAMPLE_INTERVAL_MS) {
      this.receiveRate = (this.receivedInSample * 1000) / (now - this.sampleStarted);
      this.receivedInSample = 0;
      this.sampleStarted = now;
    }
    const sinceRequest = now - this.lastRequestSent;
    const holesPending = this.receiveQueue.hasHoles && sinceRequest >= HOLE_REQUEST_INTERVAL_MS;
    if (sinceRequest > REQUEST_INTERVAL_MS || (established && (holesPending || sinceRequest > this.requestIntervalMs()))) {
      this.sendRequest(now);
    } else if (established && this.sendQueue.inFlight > 0) {
      const probe = this.congestion.tailGuardMs(true);
      if (now - this.lastAckProgress > probe && sinceRequest > probe) this.sendRequest(now);
    }
    if (this.sendQueue.inFlight === 0) this.lastAckProgress = now;
    if (established) this.pump(now);
  }

  /** c-toxcore's request interval from the receive rate and queue (50..1000 ms); infinite when receiving slowly. */
  private requestIntervalMs(): number {
    const rate = this.receiveRate;
    if (rate <= MIN_PACKET_RATE) return Number.POSITIVE_INFINITY;
    const byQueue = REQUEST_COMPARE_CONSTANT / ((this.receiveQueue.length + 1) / (rate + 1));
    const byRate = (MIN_PACKET_RATE / rate) * REQUEST_INTERVAL_MS + RATE_SAMPLE_INTERVAL_MS;
    return Math.min(REQUEST_INTERVAL_MS, Math.max(RATE_SAMPLE_INTERVAL_MS, Math.min(byQueue, byRate)));
  }

  isDelivered(n: number): boolean {
    return this.sendQueue.isDelivered(n);
  }
}
