/**
 * TCP relay framing (tox-protocol.md §6.2): `[u16 BE length][length bytes of
 * sealed packet]`, length 17..2048. `Frame` is the declarative format;
 * `FrameDecoder` cuts frames out of a byte stream whatever its chunk boundaries,
 * holding at most one partial frame (≤ 2050 bytes) and failing on a bad length
 * the way c-toxcore kills such a connection.
 */
import { DecodeError, mapped, struct, varBytes, u16be } from '../../binary/index.js';
import { MAC_SIZE } from '../../crypto/index.js';
import { MAX_FRAME_PAYLOAD_SIZE } from '../constants.js';
import { tcpCodecs } from './packets.js';

/** The smallest frame body that can hold a non-empty sealed packet. */
export const MIN_FRAME_PAYLOAD_SIZE = MAC_SIZE + 1;

const sealedBody = mapped(
  varBytes(u16be, MAX_FRAME_PAYLOAD_SIZE),
  (value, fail) => (value.length < MIN_FRAME_PAYLOAD_SIZE ? fail(`frame of ${value.length} bytes cannot hold a sealed packet`) : value),
  (value) => value,
);

/** One frame: [u16 BE length 17..2048][sealed packet]. */
export const Frame = tcpCodecs.define('Frame', struct({ sealed: sealedBody }));

/** Frames a sealed packet for the wire. */
export function encodeFrame(sealed: Uint8Array): Uint8Array {
  return Frame.encode({ sealed });
}

export class FrameDecoder {
  private readonly header = new Uint8Array(2);
  private headerFill = 0;
  private body: Uint8Array | undefined;
  private bodyFill = 0;
  private streamOffset = 0;
  private halted = false;

  /** Bytes held for the frame in progress. */
  get buffered(): number {
    return this.headerFill + this.bodyFill;
  }

  /** Stops decoding: the rest of the current chunk and every later one are ignored. */
  halt(): void {
    this.halted = true;
  }

  /**
   * Feeds one chunk; calls `onFrame` with each complete sealed body (valid only
   * during the call). Throws DecodeError on a length outside 17..2048, after
   * which the decoder is halted.
   */
  push(chunk: Uint8Array, onFrame: (sealed: Uint8Array) => void): void {
    let at = 0;
    while (at < chunk.length && !this.halted) {
      if (this.body === undefined) {
        // Fast path: a whole frame inside this chunk is handed over without copying.
        if (this.headerFill === 0 && chunk.length - at >= 2) {
          const length = (chunk[at]! << 8) | chunk[at + 1]!;
          this.checkLength(length, at);
          if (chunk.length - at - 2 >= length) {
            onFrame(chunk.subarray(at + 2, at + 2 + length));
            at += 2 + length;
            continue;
          }
        }
        this.header[this.headerFill++] = chunk[at++]!;
        if (this.headerFill < 2) continue;
        const length = (this.header[0]! << 8) | this.header[1]!;
        this.checkLength(length, at - 2);
        this.body = new Uint8Array(length);
        this.bodyFill = 0;
        this.headerFill = 0;
        continue;
      }
      const take = Math.min(this.body.length - this.bodyFill, chunk.length - at);
      this.body.set(chunk.subarray(at, at + take), this.bodyFill);
      this.bodyFill += take;
      at += take;
      if (this.bodyFill === this.body.length) {
        const frame = this.body;
        this.body = undefined;
        this.bodyFill = 0;
        onFrame(frame);
      }
    }
    this.streamOffset += chunk.length;
  }

  private checkLength(length: number, at: number): void {
    if (length >= MIN_FRAME_PAYLOAD_SIZE && length <= MAX_FRAME_PAYLOAD_SIZE) return;
    this.halted = true;
    throw new DecodeError('tcp.Frame', 'sealed.length', this.streamOffset + at, `frame length ${length} outside ${MIN_FRAME_PAYLOAD_SIZE}..${MAX_FRAME_PAYLOAD_SIZE}`);
  }
}
