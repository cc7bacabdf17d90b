/**
 * NodeStreamSocket and NodeStreamListener: StreamSocket/StreamListener over
 * node:net. Streams are never half-open (Node's default): when the peer ends,
 * this side ends once its writes are out, then both close. Close is reported
 * with a NetError when the connection failed, or the error given to `destroy`.
 */
import type { Server, Socket } from 'node:net';
import { ipPort, type IpPort } from '../address.js';
import { NetError } from '../errors.js';
import { StreamHandlers } from '../stream-handlers.js';
import type { StreamListener, StreamSocket } from '../transport.js';
import { toNetError } from './errors.js';

function endpoint(address: string | undefined, port: number | undefined): IpPort {
  if (address === undefined || port === undefined) throw new NetError('SOCKET_CLOSED', 'the socket closed before its addresses could be read');
  return ipPort(address, port);
}

export class NodeStreamSocket implements StreamSocket {
  readonly local: IpPort;
  readonly remote: IpPort;
  private readonly handlers = new StreamHandlers();
  private failure: Error | undefined;
  private ended = false;

  /** Wraps a connected socket before any data was read; throws SOCKET_CLOSED if it is already gone. */
  constructor(
    private readonly socket: Socket,
    onClosed: () => void,
  ) {
    this.local = endpoint(socket.localAddress, socket.localPort);
    this.remote = endpoint(socket.remoteAddress, socket.remotePort);
    socket.on('data', (buf: Buffer) => this.handlers.data(new Uint8Array(buf.buffer, buf.byteOffset, buf.byteLength)));
    socket.on('drain', () => this.handlers.drain());
    socket.on('error', (err) => {
      this.failure ??= toNetError(err, `tcp ${this.local.ip}:${this.local.port} -> ${this.remote.ip}:${this.remote.port}`);
    });
    socket.on('close', () => {
      onClosed();
      this.handlers.close(this.failure);
    });
  }

  get bufferedAmount(): number {
    return this.socket.writableLength;
  }

  write(data: Uint8Array): boolean {
    if (this.ended || this.socket.destroyed) return false;
    return this.socket.write(Buffer.from(data));
  }

  onData(handler: (chunk: Uint8Array) => void): void {
    this.handlers.setData(handler);
  }

  onDrain(handler: () => void): void {
    this.handlers.setDrain(handler);
  }

  onClose(handler: (error?: Error) => void): void {
    this.handlers.setClose(handler);
  }

  end(): void {
    if (this.ended || this.socket.destroyed) return;
    this.ended = true;
    this.socket.end();
  }

  destroy(error?: Error): void {
    if (this.socket.destroyed) return;
    this.ended = true;
    if (error) this.failure = error;
    this.socket.destroy();
  }
}

export class NodeStreamListener implements StreamListener {
  private closing: Promise<void> | undefined;

  constructor(
    private readonly server: Server,
    readonly local: IpPort,
    private readonly onClosed: () => void,
  ) {}

  /** Resolves once the listening socket is closed; accepted streams are left alone. */
  close(): Promise<void> {
    if (!this.closing) {
      // server.close()'s callback waits for every accepted connection to end;
      // the listening handle itself is released synchronously.
      this.server.close();
      this.onClosed();
      this.closing = Promise.resolve();
    }
    return this.closing;
  }
}
