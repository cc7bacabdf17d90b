/**
 * Congestion control and RTT estimate of one data channel. c-toxcore sets a
 * packet rate from measured throughput (tox-protocol.md §5.7); its wire format
 * does not depend on it, so we use an ack-clocked window instead: at most
 * `window` lossless packets in flight, slow start (the window grows by each
 * acknowledged packet) until the first loss, then additive increase, halving
 * at most once per round trip when the peer's request packets reveal losses.
 * Packets beyond the window wait in the send queue, so a burst from the
 * application is paced by acknowledgements instead of overflowing the peer.
 */
import { DEFAULT_RTT_MS, INITIAL_WINDOW, LOSS_GUARD_SLACK_MS, MIN_TAIL_GUARD_MS, MIN_WINDOW, TCP_RTT_MS } from './constants.js';

export class CongestionControl {
  /** Packets allowed in flight. */
  window = INITIAL_WINDOW;
  private threshold: number;
  /** When the window was last halved: losses of packets sent before then do not halve it again. */
  private reducedAt = Number.NEGATIVE_INFINITY;
  /** Smoothed RTT, its mean deviation and the smallest sample (ms); srtt is `undefined` before the first. */
  srtt: number | undefined;
  rttVariation = 0;
  minRtt = Number.POSITIVE_INFINITY;
  losses = 0;

  constructor(private readonly maxWindow: number) {
    this.threshold = maxWindow;
  }

  rttSample(ms: number): void {
    const sample = Math.max(0, ms);
    if (this.srtt === undefined) {
      this.srtt = sample;
      this.rttVariation = sample / 2;
    } else {
      this.rttVariation += (Math.abs(this.srtt - sample) - this.rttVariation) / 4;
      this.srtt += (sample - this.srtt) / 8;
    }
    if (sample < this.minRtt) this.minRtt = sample;
  }

  /** `count` packets were acknowledged while `inFlight` were outstanding. */
  acked(count: number, inFlight: number): void {
    // Only a window that is actually used may grow (no growth while the application is idle).
    if (count <= 0 || inFlight * 2 < this.window) return;
    const grown = this.window < this.threshold ? this.window + count : this.window + count / this.window;
    this.window = Math.min(this.maxWindow, grown);
  }

  /** A packet sent at `sentAt` was lost; returns whether the window was halved. */
  lost(sentAt: number, now: number): boolean {
    this.losses++;
    if (sentAt <= this.reducedAt) return false;
    this.threshold = Math.max(MIN_WINDOW, Math.floor(this.window / 2));
    this.window = this.threshold;
    this.reducedAt = now;
    return true;
  }

  /**
   * A requested packet sent less than this long ago may still be on its way
   * (or just overtaken by a later one): not lost yet. c-toxcore uses its
   * smallest RTT; we add the RTT variation so reordering is not taken for loss.
   */
  lossGuardMs(viaUdp: boolean): number {
    if (!viaUdp) return TCP_RTT_MS;
    if (this.srtt === undefined) return DEFAULT_RTT_MS;
    return this.srtt + Math.max(LOSS_GUARD_SLACK_MS, 2 * this.rttVariation);
  }

  /**
   * A requested packet that nothing sent after it overtook counts as lost only
   * after this long (a timeout: the tail of a burst); also how long we wait
   * without acknowledgement before probing with a request packet.
   */
  tailGuardMs(viaUdp: boolean): number {
    if (!viaUdp) return Math.max(TCP_RTT_MS, MIN_TAIL_GUARD_MS);
    if (this.srtt === undefined) return DEFAULT_RTT_MS;
    return Math.max(MIN_TAIL_GUARD_MS, this.srtt + 4 * this.rttVariation);
  }
}
