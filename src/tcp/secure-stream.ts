/**
 * An established relay link over a StreamSocket, shared by client and server:
 * frames and seals outgoing packets with the counter nonce (one increment per
 * frame), cuts and opens incoming frames whatever the chunking, and applies the
 * send-queue policy: ordinary packets are refused (not sealed, so no nonce is
 * spent) while the socket holds more than `softLimit` unsent bytes, and control
 * packets beyond `hardLimit` report an overflow so the owner can drop the peer.
 */
import { InvalidArgumentError } from '../base/index.js';
import { DecodeError } from '../binary/index.js';
import { incrementNonce, open, seal, type Nonce } from '../crypto/index.js';
import type { StreamSocket } from '../net/index.js';
import { MAX_PACKET_SIZE } from './constants.js';
import type { TcpSession } from './handshake.js';
import { FrameDecoder, encodeFrame } from './wire/frame.js';

export type SendResult =
  /** Sealed and handed to the socket. */
  | 'sent'
  /** Refused for now: too many unsent bytes (retry after the socket drains). */
  | 'congested'
  /** A control packet could not be queued within the hard limit: the link should be dropped. */
  | 'overflow'
  /** The link is closed. */
  | 'closed';

export type ReceiveFailure = 'badFrame' | 'decryptFailed';

export interface QueueLimits {
  /** Ordinary packets are refused above this many unsent bytes. */
  readonly softLimit: number;
  /** Control packets overflow above this many unsent bytes. */
  readonly hardLimit: number;
}

export class SecureLink {
  private readonly decoder = new FrameDecoder();
  private closed = false;
  /** Frames sealed and written / received and opened. */
  framesSent = 0;
  framesReceived = 0;

  constructor(
    readonly socket: StreamSocket,
    private readonly session: TcpSession,
    private readonly limits: QueueLimits,
  ) {}

  get isClosed(): boolean {
    return this.closed;
  }

  /** Bytes of a partial incoming frame held in memory. */
  get bufferedIncoming(): number {
    return this.decoder.buffered;
  }

  /**
   * Seals and writes one plaintext packet. `priority` packets (routing, ping,
   * pong, notifications) ignore the soft limit, as c-toxcore queues them apart.
   */
  send(plain: Uint8Array, priority: boolean): SendResult {
    if (plain.length === 0 || plain.length > MAX_PACKET_SIZE) {
      throw new InvalidArgumentError(`a relay packet is 1..${MAX_PACKET_SIZE} bytes, got ${plain.length}`);
    }
    if (this.closed) return 'closed';
    const queued = this.socket.bufferedAmount;
    if (queued > this.limits.hardLimit) return priority ? 'overflow' : 'congested';
    if (!priority && queued > this.limits.softLimit) return 'congested';
    const sealed = seal(this.session.sharedKey, this.session.sendNonce as Nonce, plain);
    incrementNonce(this.session.sendNonce);
    this.socket.write(encodeFrame(sealed));
    this.framesSent++;
    return 'sent';
  }

  /**
   * Opens every complete frame in `chunk` and hands each plaintext to `onPacket`,
   * which returns false to stop reading. Returns why the link must die, if it must.
   */
  receive(chunk: Uint8Array, onPacket: (plain: Uint8Array) => boolean): ReceiveFailure | undefined {
    if (this.closed) return undefined;
    let failure: ReceiveFailure | undefined;
    try {
      this.decoder.push(chunk, (sealed) => {
        const plain = open(this.session.sharedKey, this.session.recvNonce as Nonce, sealed);
        if (!plain) {
          failure = 'decryptFailed';
          this.decoder.halt();
          return;
        }
        incrementNonce(this.session.recvNonce);
        this.framesReceived++;
        if (!onPacket(plain)) this.decoder.halt();
      });
    } catch (err) {
      if (!(err instanceof DecodeError)) throw err;
      failure = 'badFrame';
    }
    return failure;
  }

  /** Stops reading and sending; the owner closes the socket. */
  close(): void {
    this.closed = true;
    this.decoder.halt();
  }
}

/** Collects exactly `size` bytes from a stream (a handshake), then returns them with the bytes after them. */
export class ExactReader {
  private readonly buffer: Uint8Array;
  private fill = 0;

  constructor(readonly size: number) {
    this.buffer = new Uint8Array(size);
  }

  push(chunk: Uint8Array): { bytes: Uint8Array; rest: Uint8Array } | undefined {
    const take = Math.min(this.size - this.fill, chunk.length);
    this.buffer.set(chunk.subarray(0, take), this.fill);
    this.fill += take;
    if (this.fill < this.size) return undefined;
    return { bytes: this.buffer, rest: chunk.subarray(take) };
  }
}
