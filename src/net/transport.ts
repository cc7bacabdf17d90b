/**
 * Transport ports. Protocol layers see only these interfaces; `net/node`
 * implements them over real sockets and `net/sim` over the simulated network,
 * and one conformance suite holds both to the same semantics.
 */
import type { IpPort } from './address.js';

/**
 * Largest datagram Tox handles (c-toxcore's MAX_UDP_PACKET_SIZE). This is also
 * the one size rule of every `DatagramSocket`, real or simulated: `send` refuses
 * (returns false) anything longer, and a received datagram longer than this is
 * dropped and counted before it reaches a handler.
 */
export const MAX_UDP_PACKET_SIZE = 2048;

/** `connectTcp` gives up after this long unless `timeoutMs` says otherwise. */
export const DEFAULT_CONNECT_TIMEOUT_MS = 10_000;

export type DatagramHandler = (data: Uint8Array, from: IpPort) => void;

export interface DatagramSocket {
  /** The bound address (with the real port when 0 was asked for). */
  readonly local: IpPort;
  /**
   * Queues a datagram. Never throws for network conditions (unreachable hosts,
   * full buffers): like UDP, delivery is best-effort. Returns false, sending
   * nothing, if the socket is closed, the datagram is longer than
   * MAX_UDP_PACKET_SIZE, or this socket cannot address `to` (see `canSendFrom`).
   * The socket may hold on to `data` until the datagram is out: hand it a
   * buffer that nothing writes to afterwards (an encoded packet).
   */
  send(to: IpPort, data: Uint8Array): boolean;
  /** Sets the single receive handler (replacing any previous one). */
  onMessage(handler: DatagramHandler): void;
  close(): Promise<void>;
}

export interface StreamSocket {
  readonly local: IpPort;
  readonly remote: IpPort;
  /**
   * Writes bytes (copied); returns false when the caller should wait for
   * `onDrain` before writing more (backpressure). Writing after end or close
   * is ignored and returns false. Chunk boundaries are not preserved.
   */
  write(data: Uint8Array): boolean;
  /** Sets the data handler; bytes that arrived before it was set are handed over first. */
  onData(handler: (chunk: Uint8Array) => void): void;
  onDrain(handler: () => void): void;
  /**
   * Called once when the stream is fully closed and every received byte went
   * to `onData`; `error` (a NetError, or the error given to `destroy`) if it
   * failed. A handler set after the close still runs once.
   */
  onClose(handler: (error?: Error) => void): void;
  /** Bytes written but not yet handed to the network. */
  readonly bufferedAmount: number;
  /**
   * Graceful close after pending writes. Data the peer already sent keeps
   * arriving; the peer then ends its side too, and both close.
   */
  end(): void;
  /** Immediate close. */
  destroy(error?: Error): void;
}

export interface StreamListener {
  readonly local: IpPort;
  /** Stops accepting (new connects are refused); accepted streams stay open. Idempotent. */
  close(): Promise<void>;
}

export interface BindOptions {
  /** Address to bind (default 127.0.0.1). */
  host?: string;
  /** Port; 0 asks for any free port. */
  port: number;
  /** For an IPv6 wildcard/host bind, accept IPv4 too (dual stack). Default true for `::`. */
  dualStack?: boolean;
  /** UDP: allow sending to broadcast addresses (SO_BROADCAST), for opted-in LAN discovery only. */
  broadcast?: boolean;
}

export interface ConnectOptions {
  signal?: AbortSignal;
  /** Gives up with CONNECT_TIMEOUT after this long (default DEFAULT_CONNECT_TIMEOUT_MS). */
  timeoutMs?: number;
}

/** Binding failures reject with a `NetError` (ADDRESS_IN_USE, ADDRESS_NOT_AVAILABLE, ...). */
export interface NetStack {
  bindUdp(options: BindOptions): Promise<DatagramSocket>;
  listenTcp(options: BindOptions, onConnection: (socket: StreamSocket) => void): Promise<StreamListener>;
  /** Rejects with a `NetError`: CONNECTION_REFUSED, CONNECT_TIMEOUT, ABORTED, UNREACHABLE, ... */
  connectTcp(to: IpPort, options?: ConnectOptions): Promise<StreamSocket>;
}
