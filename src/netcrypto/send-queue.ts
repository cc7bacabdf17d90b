/**
 * The send side of the lossless stream (tox-protocol.md §5.6): the ring of
 * packets not yet acknowledged, which of them are in flight (their send time)
 * and which wait for a first transmission or a retransmission. The peer
 * acknowledges with the buffer start it puts in every data packet, and with
 * request packets that free received packets and ask for missing ones.
 */
import { PACKET_BUFFER_SIZE } from './constants.js';
import { PacketRing, u32Diff } from './packet-ring.js';
import type { RequestValue } from './wire/index.js';

/** Send time of a packet that is not in flight (never sent, or marked lost). */
const NOT_IN_FLIGHT = -1;
/** Flag: sent more than once, so its acknowledgement says nothing about the RTT. */
const RETRANSMITTED = 1;

export interface AckResult {
  /** Packets that left the queue. */
  acked: number;
  /** Latest send time among them that was a first transmission (for an RTT sample), or -1. */
  latestSent: number;
}

export interface RequestResult extends AckResult {
  /** Requested packets now queued for retransmission. */
  lost: number;
  /** Latest send time among the lost ones, or -1. */
  latestLost: number;
}

export class SendQueue {
  readonly ring: PacketRing;
  /** Packets sent and neither acknowledged nor found lost. */
  inFlight = 0;
  /** Lowest number never transmitted. */
  private nextFresh: number;
  private readonly resend: number[] = [];
  private resendHead = 0;
  /** Transmissions so far, and the latest of them the peer is known to have received. */
  private transmissions = 0;
  private latestAckedTransmission = 0;

  constructor(firstNumber = 0) {
    this.ring = new PacketRing(firstNumber);
    this.nextFresh = this.ring.start;
  }

  get start(): number {
    return this.ring.start;
  }

  get end(): number {
    return this.ring.end;
  }

  /** Packets in the queue (holes included), as c-toxcore counts them. */
  get length(): number {
    return this.ring.length;
  }

  get full(): boolean {
    return this.ring.length >= PACKET_BUFFER_SIZE;
  }

  /** Queued and not yet transmitted (first transmissions only). */
  get unsent(): number {
    return u32Diff(this.ring.end, this.nextFresh);
  }

  enqueue(data: Uint8Array): number {
    return this.ring.push(data, NOT_IN_FLIGHT, 0);
  }

  /** The packet to transmit next (oldest lost one first), or undefined. */
  peek(): number | undefined {
    while (this.resendHead < this.resend.length) {
      const n = this.resend[this.resendHead]!;
      if (this.ring.get(n) !== undefined && this.ring.time(n) === NOT_IN_FLIGHT && u32Diff(n, this.ring.start) < u32Diff(this.nextFresh, this.ring.start)) return n;
      this.resendHead++;
    }
    this.compactResend();
    while (u32Diff(this.nextFresh, this.ring.start) < this.ring.length) {
      if (this.ring.get(this.nextFresh) !== undefined) return this.nextFresh;
      this.nextFresh = (this.nextFresh + 1) >>> 0;
    }
    return undefined;
  }

  /** Records that `n` (from `peek`) went out at `now`; returns whether it was a retransmission. */
  sent(n: number, now: number): boolean {
    const retransmission = n !== this.nextFresh;
    if (retransmission) {
      this.resendHead++;
      this.ring.setFlags(n, RETRANSMITTED);
    } else {
      this.nextFresh = (n + 1) >>> 0;
    }
    this.ring.setTime(n, now);
    this.ring.setSeq(n, ++this.transmissions);
    this.inFlight++;
    return retransmission;
  }

  /** The peer received everything below `n`; false (nothing changed) if `n` is outside [start, end]. */
  ackUpTo(n: number): AckResult | undefined {
    if (u32Diff(n, this.ring.start) > this.ring.length) return undefined;
    const result: AckResult = { acked: 0, latestSent: -1 };
    this.ring.advanceTo(n, (k) => this.release(k, result));
    if (u32Diff(this.nextFresh, this.ring.start) > this.ring.length) this.nextFresh = this.ring.start;
    return result;
  }

  /**
   * Applies a request packet (c-toxcore's `handle_request_packet`): packets the
   * walk passes are freed; a requested one is queued for retransmission when a
   * packet sent after it already arrived and it was sent more than `guardMs`
   * ago (reordering tolerance), or when it was sent more than `tailGuardMs` ago
   * (nothing later got through, e.g. the end of a burst was lost). A packet
   * merely not yet arrived is not lost: c-toxcore only checks its smallest RTT.
   */
  applyRequest(request: RequestValue, now: number, guardMs: number, tailGuardMs: number): RequestResult {
    const result: RequestResult = { acked: 0, latestSent: -1, lost: 0, latestLost: -1 };
    const walk = Math.min(request.span, this.ring.length);
    const requested: number[] = [];
    let next = 0;
    for (let offset = 0; offset < walk; offset++) {
      const n = (this.ring.start + offset) >>> 0;
      const missing = next < request.missing.length && request.missing[next] === offset;
      if (missing) next++;
      if (this.ring.get(n) === undefined) continue;
      if (missing) {
        if (this.ring.time(n) !== NOT_IN_FLIGHT) requested.push(n);
      } else {
        this.release(n, result);
        this.ring.remove(n);
      }
    }
    for (const n of requested) {
      const sentAt = this.ring.time(n);
      const overtaken = this.ring.seq(n) < this.latestAckedTransmission;
      if (now - sentAt > tailGuardMs || (overtaken && now - sentAt > guardMs)) {
        this.ring.setTime(n, NOT_IN_FLIGHT);
        this.inFlight--;
        this.resend.push(n);
        result.lost++;
        if (sentAt > result.latestLost) result.latestLost = sentAt;
      }
    }
    return result;
  }

  /** c-toxcore's `cryptpacket_received`: everything below the queue start was delivered. */
  isDelivered(n: number): boolean {
    return u32Diff(this.ring.end, this.ring.start) < u32Diff(n, this.ring.start);
  }

  private release(n: number, result: AckResult): void {
    result.acked++;
    const sentAt = this.ring.time(n);
    if (sentAt === NOT_IN_FLIGHT) return;
    this.inFlight--;
    const seq = this.ring.seq(n);
    if (seq > this.latestAckedTransmission) this.latestAckedTransmission = seq;
    if ((this.ring.flags(n) & RETRANSMITTED) === 0 && sentAt > result.latestSent) result.latestSent = sentAt;
  }

  private compactResend(): void {
    if (this.resendHead > 0 && this.resendHead === this.resend.length) {
      this.resend.length = 0;
      this.resendHead = 0;
    } else if (this.resendHead > 1024 && this.resendHead * 2 > this.resend.length) {
      this.resend.splice(0, this.resendHead);
      this.resendHead = 0;
    }
  }
}
