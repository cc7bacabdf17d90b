/**
 * DatagramSocket conformance: the same assertions for every NetStack
 * implementation (real sockets on loopback, SimNetwork without loss).
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { bytesEqual } from '../../src/base/index.js';
import { ipPort, ipPortEqual, isNetError, MAX_UDP_PACKET_SIZE, type DatagramSocket, type IpPort } from '../../src/net/index.js';
import { pattern, type FixtureFactory, type NetFixture } from './fixture.js';

interface Received {
  data: Uint8Array;
  from: IpPort;
}

function collect(socket: DatagramSocket): Received[] {
  const received: Received[] = [];
  socket.onMessage((data, from) => received.push({ data: data.slice(), from }));
  return received;
}

export function datagramSuite(name: string, factory: FixtureFactory): void {
  describe(`DatagramSocket conformance: ${name}`, () => {
    let fx: NetFixture;
    const open: DatagramSocket[] = [];

    async function bind(side: 'a' | 'b', host?: string, port = 0, dualStack?: boolean): Promise<DatagramSocket> {
      const stack = side === 'a' ? fx.a : fx.b;
      const socket = await stack.bindUdp({ host: host ?? (side === 'a' ? fx.hostA : fx.hostB), port, dualStack });
      open.push(socket);
      return socket;
    }

    /** The bind's error, or undefined (and the socket kept for cleanup) if it unexpectedly worked. */
    async function bindError(side: 'a' | 'b', host: string, port: number, dualStack?: boolean): Promise<unknown> {
      try {
        await bind(side, host, port, dualStack);
        return undefined;
      } catch (error) {
        return error;
      }
    }

    beforeEach(async () => {
      fx = await factory();
    });

    afterEach(async () => {
      await Promise.all(open.splice(0).map((s) => s.close()));
      await fx.teardown();
    });

    it('delivers a datagram with the sender address as its source, both ways', async () => {
      const [x, y] = [await bind('a'), await bind('b')];
      const atX = collect(x);
      const atY = collect(y);
      expect(x.send(y.local, Uint8Array.of(0x02, 1, 2, 3))).toBe(true);
      await fx.waitFor(() => atY.length === 1, 'datagram at y');
      expect(atY[0]!.data).toEqual(Uint8Array.of(0x02, 1, 2, 3));
      expect(ipPortEqual(atY[0]!.from, x.local)).toBe(true);
      expect(atY[0]!.from.family).toBe(x.local.family);
      expect(y.send(atY[0]!.from, Uint8Array.of(0x03))).toBe(true);
      await fx.waitFor(() => atX.length === 1, 'reply at x');
      expect(ipPortEqual(atX[0]!.from, y.local)).toBe(true);
    });

    it('gives port 0 a real port on the requested address', async () => {
      const x = await bind('a');
      expect(x.local.port).toBeGreaterThan(0);
      expect(x.local.port).toBeLessThanOrEqual(65535);
      expect(x.local).toEqual(ipPort(fx.hostA, x.local.port));
    });

    it('refuses a second bind of the same address and port with ADDRESS_IN_USE, and frees it on close', async () => {
      const x = await bind('a');
      expect(isNetError(await bindError('a', fx.hostA, x.local.port), 'ADDRESS_IN_USE')).toBe(true);
      expect(isNetError(await bindError('a', fx.wildcard, x.local.port, false), 'ADDRESS_IN_USE')).toBe(true);
      await x.close();
      const again = await bind('a', fx.hostA, x.local.port);
      expect(again.local.port).toBe(x.local.port);
    });

    it('refuses an address the stack does not have with ADDRESS_NOT_AVAILABLE', async () => {
      expect(isNetError(await bindError('a', fx.foreignHost, 0), 'ADDRESS_NOT_AVAILABLE')).toBe(true);
    });

    it('returns false from send after close without throwing; close is idempotent', async () => {
      const [x, y] = [await bind('a'), await bind('b')];
      const first = x.close();
      const second = x.close();
      await Promise.all([first, second]);
      await x.close();
      expect(x.send(y.local, Uint8Array.of(1))).toBe(false);
    });

    it('delivers nothing to a socket once it is closed', async () => {
      const [x, y] = [await bind('a'), await bind('b')];
      let calls = 0;
      y.onMessage(() => calls++);
      for (let i = 0; i < 5; i++) x.send(y.local, Uint8Array.of(i));
      await y.close();
      await fx.pass(100);
      expect(calls).toBe(0);
    });

    it(`sends up to MAX_UDP_PACKET_SIZE (${MAX_UDP_PACKET_SIZE}) bytes and refuses anything longer`, async () => {
      const [x, y] = [await bind('a'), await bind('b')];
      const atY = collect(y);
      const largest = pattern(MAX_UDP_PACKET_SIZE, 7);
      expect(x.send(y.local, largest)).toBe(true);
      expect(x.send(y.local, pattern(MAX_UDP_PACKET_SIZE + 1))).toBe(false);
      expect(x.send(y.local, pattern(60_000))).toBe(false);
      await fx.waitFor(() => atY.length === 1, 'largest datagram');
      await fx.pass(50);
      expect(atY.length).toBe(1);
      expect(bytesEqual(atY[0]!.data, largest)).toBe(true);
    });

    it('delivers an empty datagram', async () => {
      const [x, y] = [await bind('a'), await bind('b')];
      const atY = collect(y);
      expect(x.send(y.local, new Uint8Array(0))).toBe(true);
      await fx.waitFor(() => atY.length === 1, 'empty datagram');
      expect(atY[0]!.data.length).toBe(0);
    });

    it('returns false for destinations the socket cannot address', async () => {
      const x = await bind('a');
      const otherFamily = x.local.family === 4 ? ipPort('::1', 9) : ipPort('127.0.0.1', 9);
      expect(x.send(ipPort(fx.hostB, 0), Uint8Array.of(1))).toBe(false);
      expect(x.send(otherFamily, Uint8Array.of(1))).toBe(false);
    });

    it('copies the bytes at send time', async () => {
      const [x, y] = [await bind('a'), await bind('b')];
      const atY = collect(y);
      const data = Uint8Array.of(9, 9, 9);
      x.send(y.local, data);
      data.fill(0);
      await fx.waitFor(() => atY.length === 1, 'datagram');
      expect(atY[0]!.data).toEqual(Uint8Array.of(9, 9, 9));
    });

    it('delivers a burst of distinct datagrams intact (order not asserted)', async () => {
      const [x, y] = [await bind('a'), await bind('b')];
      const atY = collect(y);
      const count = 300;
      for (let i = 0; i < count; i++) expect(x.send(y.local, pattern(100 + i, i))).toBe(true);
      await fx.waitFor(() => atY.length === count, `${count} datagrams`);
      const bySize = new Map(atY.map((r) => [r.data.length, r.data]));
      for (let i = 0; i < count; i++) expect(bytesEqual(bySize.get(100 + i)!, pattern(100 + i, i))).toBe(true);
    });

    it('replaces the message handler', async () => {
      const [x, y] = [await bind('a'), await bind('b')];
      const first = collect(y);
      const second = collect(y);
      x.send(y.local, Uint8Array.of(1));
      await fx.waitFor(() => second.length === 1, 'datagram');
      expect(first.length).toBe(0);
    });

    it('on an IPv6 wildcard: dual stack by default (IPv4 peers appear as IPv4), IPv6 only with dualStack false', async () => {
      const v4 = fx.ipv4;
      if (!v4) return; // IPv4 fixtures: nothing to test
      const dual = await bind('b', '::');
      expect(dual.local).toEqual(ipPort('::', dual.local.port));
      const atDual = collect(dual);
      const x = await bind('a', v4.hostA);
      expect(x.send(ipPort(v4.hostB, dual.local.port), Uint8Array.of(4))).toBe(true);
      await fx.waitFor(() => atDual.length === 1, 'IPv4 datagram at ::');
      expect(atDual[0]!.from).toEqual(x.local);
      const atX = collect(x);
      expect(dual.send(atDual[0]!.from, Uint8Array.of(5))).toBe(true);
      await fx.waitFor(() => atX.length === 1, 'reply from ::');
      expect(atX[0]!.from).toEqual(ipPort(v4.hostB, dual.local.port));

      const only6 = await bind('b', '::', 0, false);
      const atOnly6 = collect(only6);
      expect(only6.send(x.local, Uint8Array.of(6))).toBe(false);
      expect(x.send(ipPort(v4.hostB, only6.local.port), Uint8Array.of(7))).toBe(true);
      await fx.pass(100);
      expect(atOnly6.length).toBe(0);
    });
  });
}
