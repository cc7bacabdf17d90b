/**
 * Conformance runner for NodeNetStack on loopback (127.0.0.1, and ::1 when
 * the machine has it), plus behaviour only the real stack has (close()).
 * Waits on real time with short polling loops and deadlines.
 */
import { createSocket } from 'node:dgram';
import { describe, expect, it } from 'vitest';
import { RealScheduler, TimeoutError } from '../../src/base/index.js';
import { isNetError } from '../../src/net/index.js';
import { NodeNetStack } from '../../src/net/node/index.js';
import { datagramSuite } from './datagram.suite.js';
import type { NetFixture } from './fixture.js';
import { streamSuite } from './stream.suite.js';

const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

async function poll(pred: () => boolean, what: string, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!pred()) {
    if (Date.now() > deadline) throw new TimeoutError(`${what}: not within ${timeoutMs} ms`);
    await sleep(2);
  }
}

function ipv6LoopbackWorks(): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = createSocket('udp6');
    socket.once('error', () => {
      socket.close();
      resolve(false);
    });
    socket.bind(0, '::1', () => socket.close(() => resolve(true)));
  });
}

async function nodeFixture(family: 4 | 6): Promise<NetFixture> {
  const scheduler = new RealScheduler();
  const stack = new NodeNetStack({ scheduler });
  const host = family === 4 ? '127.0.0.1' : '::1';
  return {
    a: stack,
    b: stack,
    hostA: host,
    hostB: host,
    wildcard: family === 4 ? '0.0.0.0' : '::',
    foreignHost: family === 4 ? '192.0.2.1' : '2001:db8::1',
    bulkBytes: 32 * 1024 * 1024,
    ipv4: family === 6 ? { hostA: '127.0.0.1', hostB: '127.0.0.1' } : undefined,
    waitFor: (pred, what, timeoutMs = 10_000) => poll(pred, what, timeoutMs),
    pass: sleep,
    settle: (promise) => promise,
    async teardown() {
      await poll(() => stack.openCount === 0, 'every socket closed', 5000);
      expect(scheduler.pending()).toBe(0);
      await stack.close();
    },
  };
}

datagramSuite('node, IPv4 loopback', () => nodeFixture(4));
streamSuite('node, IPv4 loopback', () => nodeFixture(4));

if (await ipv6LoopbackWorks()) {
  datagramSuite('node, IPv6 loopback', () => nodeFixture(6));
  streamSuite('node, IPv6 loopback', () => nodeFixture(6));
}

describe('NodeNetStack.close', () => {
  it('closes sockets, listeners and streams, and refuses new ones with SOCKET_CLOSED', async () => {
    const scheduler = new RealScheduler();
    const stack = new NodeNetStack({ scheduler });
    await stack.bindUdp({ port: 0 });
    let serverClosed = false;
    const listener = await stack.listenTcp({ port: 0 }, (socket) => socket.onClose(() => (serverClosed = true)));
    const client = await stack.connectTcp(listener.local);
    let clientError: Error | undefined;
    client.onClose((error) => (clientError = error));
    await poll(() => stack.openCount === 4, 'udp, listener and both stream ends open', 5000);
    await stack.close();
    await poll(() => clientError !== undefined && serverClosed, 'streams closed', 5000);
    expect(isNetError(clientError, 'SOCKET_CLOSED')).toBe(true);
    expect(stack.openCount).toBe(0);
    expect(scheduler.pending()).toBe(0);
    const error = await stack.bindUdp({ port: 0 }).catch((e: unknown) => e);
    expect(isNetError(error, 'SOCKET_CLOSED')).toBe(true);
  });
});
