/**
 * The receive side of the lossless stream (tox-protocol.md §5.6): packets are
 * stored by number in a window of PACKET_BUFFER_SIZE above the first one not yet
 * delivered, handed out in order, and the holes are described to the sender in
 * request packets.
 */
import { PACKET_BUFFER_SIZE } from './constants.js';
import { PacketRing, u32Diff } from './packet-ring.js';
import { MAX_REQUEST_BYTES, RequestPayload, encodeRequestBytes } from './wire/index.js';

export type AddResult = 'added' | 'duplicate' | 'outOfWindow';

export class ReceiveQueue {
  readonly ring: PacketRing;

  constructor(firstNumber = 0) {
    this.ring = new PacketRing(firstNumber);
  }

  /** First packet number not yet delivered: what our data packets acknowledge. */
  get start(): number {
    return this.ring.start;
  }

  /** Numbers in [start, end), holes included. */
  get length(): number {
    return this.ring.length;
  }

  get hasHoles(): boolean {
    return this.ring.stored < this.ring.length;
  }

  add(n: number, payload: Uint8Array): AddResult {
    if (u32Diff(n, this.ring.start) >= PACKET_BUFFER_SIZE) {
      return u32Diff(this.ring.start, n) <= PACKET_BUFFER_SIZE ? 'duplicate' : 'outOfWindow';
    }
    if (this.ring.get(n) !== undefined) return 'duplicate';
    this.ring.put(n, payload, 0, 0);
    return 'added';
  }

  /** The next packet in order, removed from the window; undefined at a hole. */
  shift(): Uint8Array | undefined {
    if (this.ring.length === 0) return undefined;
    const n = this.ring.start;
    const payload = this.ring.get(n);
    if (payload === undefined) return undefined;
    this.ring.advanceTo((n + 1) >>> 0);
    return payload;
  }

  /**
   * The sender says its next packet will be `n` (request and lossy packets):
   * widens the window so the missing tail gets requested. c-toxcore's rules:
   * never past start + PACKET_BUFFER_SIZE, never backwards.
   */
  setEnd(n: number): boolean {
    if (u32Diff(n, this.ring.start) > PACKET_BUFFER_SIZE || u32Diff(n, this.ring.end) > PACKET_BUFFER_SIZE) return false;
    this.ring.setEnd(n);
    return true;
  }

  /** Our request packet payload ([0x01][distances]) for the current window. */
  buildRequest(): Uint8Array {
    const missing: number[] = [];
    const length = this.ring.length;
    if (this.hasHoles) {
      for (let offset = 0; offset < length && missing.length < MAX_REQUEST_BYTES; offset++) {
        if (this.ring.get((this.ring.start + offset) >>> 0) === undefined) missing.push(offset);
      }
    }
    const { span } = encodeRequestBytes(missing, length, MAX_REQUEST_BYTES);
    while (missing.length > 0 && missing[missing.length - 1]! >= span) missing.pop();
    return RequestPayload.encode({ missing, span });
  }
}
