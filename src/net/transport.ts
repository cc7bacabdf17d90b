/**
 * Transport ports. Protocol layers see only these interfaces; `net/node`
 * implements them over real sockets and `net/sim` over the simulated network,
 * and one conformance suite holds both to the same semantics.
 */
import type { IpPort } from './address.js';

/** Largest datagram Tox handles (c-toxcore's MAX_UDP_PACKET_SIZE). */
export const MAX_UDP_PACKET_SIZE = 2048;

export type DatagramHandler = (data: Uint8Array, from: IpPort) => void;

export interface DatagramSocket {
  /** The bound address (with the real port when 0 was asked for). */
  readonly local: IpPort;
  /**
   * Queues a datagram. Never throws for network conditions (unreachable hosts,
   * full buffers): like UDP, delivery is best-effort. Returns false if the
   * socket is closed or the datagram is larger than the transport allows.
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
   * Writes bytes; returns false when the caller should wait for `onDrain`
   * before writing more (backpressure). Writing after close is ignored.
   */
  write(data: Uint8Array): boolean;
  onData(handler: (chunk: Uint8Array) => void): void;
  onDrain(handler: () => void): void;
  /** Called once when the stream is fully closed; `error` if it failed. */
  onClose(handler: (error?: Error) => void): void;
  /** Bytes written but not yet handed to the network. */
  readonly bufferedAmount: number;
  /** Graceful close after pending writes. */
  end(): void;
  /** Immediate close. */
  destroy(error?: Error): void;
}

export interface StreamListener {
  readonly local: IpPort;
  close(): Promise<void>;
}

export interface BindOptions {
  /** Address to bind (default 127.0.0.1). */
  host?: string;
  /** Port; 0 asks for any free port. */
  port: number;
  /** For an IPv6 wildcard/host bind, accept IPv4 too (dual stack). Default true for `::`. */
  dualStack?: boolean;
}

export interface NetStack {
  bindUdp(options: BindOptions): Promise<DatagramSocket>;
  listenTcp(options: BindOptions, onConnection: (socket: StreamSocket) => void): Promise<StreamListener>;
  connectTcp(to: IpPort, options?: { signal?: AbortSignal; timeoutMs?: number }): Promise<StreamSocket>;
}
