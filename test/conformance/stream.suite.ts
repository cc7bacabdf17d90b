/**
 * StreamSocket conformance: the same assertions for every NetStack
 * implementation (real TCP on loopback, SimNetwork streams without loss).
 * Only byte-stream equality is asserted, never chunk boundaries.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { bytesEqual, concatBytes, utf8Decode, utf8Encode } from '../../src/base/index.js';
import { ipPort, ipPortEqual, isNetError, type StreamListener, type StreamSocket } from '../../src/net/index.js';
import { outcome, pattern, type FixtureFactory, type NetFixture } from './fixture.js';

/** Everything observable about one end of a stream. */
class End {
  readonly chunks: Uint8Array[] = [];
  closed = false;
  closeError: Error | undefined;
  closeCalls = 0;

  constructor(readonly socket: StreamSocket) {
    socket.onData((chunk) => this.chunks.push(chunk.slice()));
    socket.onClose((error) => {
      this.closed = true;
      this.closeError = error;
      this.closeCalls++;
    });
  }

  get bytes(): Uint8Array {
    return concatBytes(...this.chunks);
  }

  get length(): number {
    let n = 0;
    for (const c of this.chunks) n += c.length;
    return n;
  }

  get text(): string {
    return utf8Decode(this.bytes);
  }
}

export function streamSuite(name: string, factory: FixtureFactory): void {
  describe(`StreamSocket conformance: ${name}`, () => {
    let fx: NetFixture;
    let listeners: StreamListener[];
    let sockets: StreamSocket[];

    /** A listener on b; accepted sockets are wrapped by `onAccept` (default: an End). */
    async function listen(onAccept?: (socket: StreamSocket) => void): Promise<{ listener: StreamListener; accepted: End[] }> {
      const accepted: End[] = [];
      const listener = await fx.b.listenTcp({ host: fx.hostB, port: 0 }, (socket) => {
        sockets.push(socket);
        if (onAccept) onAccept(socket);
        else accepted.push(new End(socket));
      });
      listeners.push(listener);
      return { listener, accepted };
    }

    async function connect(listener: StreamListener): Promise<StreamSocket> {
      const socket = await fx.settle(fx.a.connectTcp(listener.local));
      sockets.push(socket);
      return socket;
    }

    beforeEach(async () => {
      fx = await factory();
      listeners = [];
      sockets = [];
    });

    afterEach(async () => {
      for (const s of sockets) s.destroy();
      await Promise.all(listeners.map((l) => l.close()));
      await fx.teardown();
    });

    it('connects; both ends agree on the addresses', async () => {
      const { listener, accepted } = await listen();
      expect(listener.local.port).toBeGreaterThan(0);
      expect(listener.local).toEqual(ipPort(fx.hostB, listener.local.port));
      const client = await connect(listener);
      await fx.waitFor(() => accepted.length === 1, 'accept');
      const server = accepted[0]!.socket;
      expect(ipPortEqual(client.remote, listener.local)).toBe(true);
      expect(ipPortEqual(server.local, listener.local)).toBe(true);
      expect(ipPortEqual(server.remote, client.local)).toBe(true);
      expect(client.local.ip).toBe(ipPort(fx.hostA, 0).ip);
    });

    it('rejects with CONNECTION_REFUSED when nobody listens', async () => {
      const { listener } = await listen();
      await listener.close();
      const result = await fx.settle(outcome(fx.a.connectTcp(listener.local)));
      expect(result.ok).toBe(false);
      if (!result.ok) expect(isNetError(result.error, 'CONNECTION_REFUSED')).toBe(true);
    });

    it('rejects with ABORTED when the signal is already aborted', async () => {
      const { listener } = await listen();
      const result = await fx.settle(outcome(fx.a.connectTcp(listener.local, { signal: AbortSignal.abort() })));
      expect(result.ok).toBe(false);
      if (!result.ok) expect(isNetError(result.error, 'ABORTED')).toBe(true);
    });

    it('rejects with ABORTED when the signal fires while connecting', async () => {
      const { listener } = await listen();
      const controller = new AbortController();
      const pending = outcome(fx.a.connectTcp(listener.local, { signal: controller.signal }));
      controller.abort();
      const result = await fx.settle(pending);
      expect(!result.ok && isNetError(result.error, 'ABORTED')).toBe(true);
    });

    it('refuses a second listener on the same address and port with ADDRESS_IN_USE', async () => {
      const { listener } = await listen();
      const result = await outcome(fx.b.listenTcp({ host: fx.hostB, port: listener.local.port }, () => {}));
      if (result.ok) listeners.push(result.value);
      expect(!result.ok && isNetError(result.error, 'ADDRESS_IN_USE')).toBe(true);
    });

    it('carries bytes both ways', async () => {
      const { listener, accepted } = await listen();
      const client = new End(await connect(listener));
      await fx.waitFor(() => accepted.length === 1, 'accept');
      expect(client.socket.write(utf8Encode('hello '))).toBe(true);
      client.socket.write(utf8Encode('server'));
      accepted[0]!.socket.write(utf8Encode('hi client'));
      await fx.waitFor(() => accepted[0]!.text === 'hello server' && client.text === 'hi client', 'both directions');
    });

    it('keeps the byte stream, not the write boundaries', async () => {
      const { listener, accepted } = await listen();
      const client = await connect(listener);
      const writes: Uint8Array[] = [];
      for (let i = 0; i < 200; i++) writes.push(pattern(1 + (i % 37), i));
      for (const w of writes) client.write(w);
      const expected = concatBytes(...writes);
      await fx.waitFor(() => accepted.length === 1 && accepted[0]!.length >= expected.length, 'all bytes');
      expect(bytesEqual(accepted[0]!.bytes, expected)).toBe(true);
    });

    it('echoes MBs with backpressure respected (write false → wait for onDrain)', async () => {
      const { listener } = await listen((socket) => socket.onData((chunk) => socket.write(chunk)));
      const client = await connect(listener);
      const payload = pattern(fx.bulkBytes, 5);
      const chunkSize = 64 * 1024;
      const received: Uint8Array[] = [];
      let receivedBytes = 0;
      client.onData((chunk) => {
        received.push(chunk.slice());
        receivedBytes += chunk.length;
      });
      let offset = 0;
      let refusals = 0;
      let drains = 0;
      let waiting = false;
      const pump = (): void => {
        while (offset < payload.length) {
          expect(waiting).toBe(false);
          const ok = client.write(payload.subarray(offset, offset + chunkSize));
          offset += chunkSize;
          if (!ok) {
            refusals++;
            expect(client.bufferedAmount).toBeGreaterThan(0);
            waiting = true;
            return;
          }
        }
      };
      client.onDrain(() => {
        drains++;
        waiting = false;
        pump();
      });
      pump();
      await fx.waitFor(() => receivedBytes >= payload.length, 'echo of the whole payload', 60_000);
      expect(refusals).toBeGreaterThan(0);
      expect(drains).toBeGreaterThan(0);
      expect(receivedBytes).toBe(payload.length);
      expect(bytesEqual(concatBytes(...received), payload)).toBe(true);
    });

    it('end(): pending data arrives, then both ends close without error; later writes are ignored', async () => {
      const { listener, accepted } = await listen();
      const client = new End(await connect(listener));
      client.socket.write(utf8Encode('last words'));
      client.socket.end();
      expect(client.socket.write(utf8Encode('too late'))).toBe(false);
      await fx.waitFor(() => accepted.length === 1 && accepted[0]!.closed && client.closed, 'both ends closed');
      expect(accepted[0]!.text).toBe('last words');
      expect(accepted[0]!.closeError).toBeUndefined();
      expect(client.closeError).toBeUndefined();
      expect(accepted[0]!.socket.write(utf8Encode('after close'))).toBe(false);
    });

    it('after end() the ending side still receives what the peer sends before it closes', async () => {
      const { listener } = await listen((socket) => socket.onData((chunk) => socket.write(chunk)));
      const client = new End(await connect(listener));
      client.socket.write(utf8Encode('ping'));
      client.socket.end();
      await fx.waitFor(() => client.closed, 'client closed');
      expect(client.text).toBe('ping');
    });

    it('destroy(): closes at once; the peer sees the stream close', async () => {
      const { listener, accepted } = await listen();
      const client = new End(await connect(listener));
      await fx.waitFor(() => accepted.length === 1, 'accept');
      client.socket.destroy();
      await fx.waitFor(() => client.closed && accepted[0]!.closed, 'both ends closed');
      expect(client.closeError).toBeUndefined();
      expect(client.closeCalls).toBe(1);
      expect(accepted[0]!.closeCalls).toBe(1);
      expect(client.socket.write(utf8Encode('x'))).toBe(false);
    });

    it('destroy(error) reports that error to its own close handler', async () => {
      const { listener, accepted } = await listen();
      const client = new End(await connect(listener));
      const reason = new Error('enough');
      client.socket.destroy(reason);
      await fx.waitFor(() => client.closed && accepted.length === 1 && accepted[0]!.closed, 'both ends closed');
      expect(client.closeError).toBe(reason);
    });

    it('holds data until onData is set, and calls an onClose set after the close', async () => {
      const { listener } = await listen((socket) => {
        socket.write(utf8Encode('welcome'));
        socket.end();
      });
      const client = await connect(listener);
      await fx.pass(200);
      const chunks: Uint8Array[] = [];
      client.onData((chunk) => chunks.push(chunk.slice()));
      await fx.waitFor(() => utf8Decode(concatBytes(...chunks)) === 'welcome', 'held data');
      let closeCalls = 0;
      await fx.pass(200);
      client.onClose(() => closeCalls++);
      await fx.waitFor(() => closeCalls === 1, 'late onClose');
    });

    it('listener close: new connects are refused, accepted streams keep working; close is idempotent', async () => {
      const { listener, accepted } = await listen();
      const client = new End(await connect(listener));
      await fx.waitFor(() => accepted.length === 1, 'accept');
      await Promise.all([listener.close(), listener.close()]);
      const result = await fx.settle(outcome(fx.a.connectTcp(listener.local)));
      expect(!result.ok && isNetError(result.error, 'CONNECTION_REFUSED')).toBe(true);
      accepted[0]!.socket.write(utf8Encode('still here'));
      await fx.waitFor(() => client.text === 'still here', 'data after listener close');
    });
  });
}
