/**
 * SimNetwork behaviour beyond the shared conformance suites: the link knobs
 * (latency, loss, duplication, reordering, MTU, bandwidth), partitions,
 * filters, traces and counters, binding rules, stream stalls, seeded
 * repeatability and leaving no timer behind.
 */
import { describe, expect, it } from 'vitest';
import { ManualScheduler, SeededRandom, bytesEqual, concatBytes } from '../../../src/base/index.js';
import { ipPort, isNetError, type DatagramSocket, type IpPort, type StreamSocket } from '../../../src/net/index.js';
import { SimNetwork, type LinkConditions, type SimHost, type TraceEvent } from '../../../src/net/sim/index.js';

function setup(conditions: Partial<LinkConditions> = {}, seed = 7) {
  const scheduler = new ManualScheduler();
  const sim = new SimNetwork({ scheduler, random: new SeededRandom(seed), conditions });
  const a = sim.host('10.0.0.1', 'fd00::1');
  const b = sim.host('10.0.0.2', 'fd00::2');
  const trace: TraceEvent[] = [];
  sim.observe((e) => trace.push(e));
  return { scheduler, sim, a, b, trace };
}

async function pair(a: SimHost, b: SimHost): Promise<{ x: DatagramSocket; y: DatagramSocket; atY: Uint8Array[]; fromY: IpPort[] }> {
  const x = await a.bindUdp({ host: '0.0.0.0', port: 0 });
  const y = await b.bindUdp({ host: '0.0.0.0', port: 0 });
  const atY: Uint8Array[] = [];
  const fromY: IpPort[] = [];
  y.onMessage((data, from) => {
    atY.push(data);
    fromY.push(from);
  });
  return { x, y, atY, fromY };
}

const to = (host: SimHost, socket: DatagramSocket): IpPort => host.endpoint(socket.local.port, 4);

describe('SimNetwork datagrams', () => {
  it('delivers after the configured latency, and a host reaches itself instantly', async () => {
    const { scheduler, a, b, trace } = setup({ latencyMs: 30 });
    const { x, y, atY } = await pair(a, b);
    x.send(to(b, y), Uint8Array.of(7));
    await scheduler.advance(29);
    expect(atY.length).toBe(0);
    await scheduler.advance(1);
    expect(atY.length).toBe(1);
    expect(trace).toEqual([{ time: 30, transport: 'udp', from: a.endpoint(x.local.port, 4), to: to(b, y), size: 1, firstByte: 7, fate: 'delivered' }]);

    const self = await a.bindUdp({ host: '127.0.0.1', port: 0 });
    const atSelf: IpPort[] = [];
    self.onMessage((_, from) => atSelf.push(from));
    x.send(self.local, Uint8Array.of(1));
    await scheduler.advance(0);
    expect(atSelf).toEqual([ipPort('127.0.0.1', x.local.port)]);
  });

  it('loses and duplicates roughly at the configured rates, and counts it', async () => {
    const { scheduler, sim, a, b } = setup({ loss: 0.2, duplicate: 0.1 });
    const { x, y, atY } = await pair(a, b);
    const n = 10_000;
    for (let i = 0; i < n; i++) x.send(to(b, y), Uint8Array.of(1));
    await scheduler.advance(100);
    const { datagramsLost: lost, datagramsDuplicated: duplicated, datagramsDelivered: delivered } = sim.stats;
    // Binomial standard deviations: sqrt(n p (1-p)) = 40 for loss, ~28 for duplication.
    expect(Math.abs(lost - 2000)).toBeLessThan(200);
    expect(Math.abs(duplicated - 0.1 * (n - lost))).toBeLessThan(150);
    expect(delivered).toBe(n - lost + duplicated);
    expect(atY.length).toBe(delivered);
    expect(sim.stats.datagramsSent).toBe(n);
  });

  it('reorders with the reorder knob and keeps order without it', async () => {
    for (const reorder of [0, 0.3]) {
      const { scheduler, a, b } = setup({ reorder, reorderDelayMs: 40 });
      const { x, y, atY } = await pair(a, b);
      for (let i = 0; i < 200; i++) x.send(to(b, y), Uint8Array.of(i));
      await scheduler.advance(100);
      const order = atY.map((d) => d[0]!);
      expect([...order].sort((p, q) => p - q)).toEqual(Array.from({ length: 200 }, (_, i) => i));
      const inversions = order.filter((v, i) => i > 0 && v < order[i - 1]!).length;
      if (reorder === 0) expect(inversions).toBe(0);
      else expect(inversions).toBeGreaterThan(10);
    }
  });

  it('drops datagrams above the link MTU (send still returns true)', async () => {
    const { scheduler, sim, a, b, trace } = setup();
    sim.link(a, b, { mtu: 1000 });
    const { x, y, atY } = await pair(a, b);
    expect(x.send(to(b, y), new Uint8Array(1000))).toBe(true);
    expect(x.send(to(b, y), new Uint8Array(1001))).toBe(true);
    await scheduler.advance(50);
    expect(atY.map((d) => d.length)).toEqual([1000]);
    expect(sim.stats.datagramsOverMtu).toBe(1);
    expect(trace.map((e) => e.fate).sort()).toEqual(['delivered', 'mtu']);
    // Only that direction is limited.
    const atX: Uint8Array[] = [];
    x.onMessage((d) => atX.push(d));
    y.send(a.endpoint(x.local.port, 4), new Uint8Array(1500));
    await scheduler.advance(50);
    expect(atX.length).toBe(1);
  });

  it('queues behind the bandwidth limit', async () => {
    const { scheduler, sim, a, b, trace } = setup({ latencyMs: 10 });
    sim.link(a, b, { bandwidthBytesPerSec: 10_000 });
    const { x, y } = await pair(a, b);
    for (let i = 0; i < 10; i++) x.send(to(b, y), new Uint8Array(1000));
    await scheduler.advance(2000);
    expect(trace.map((e) => e.time)).toEqual([110, 210, 310, 410, 510, 610, 710, 810, 910, 1010]);
  });

  it('applies per-link conditions over the global ones, per direction', async () => {
    const { sim, a, b } = setup({ latencyMs: 10, loss: 0.5 });
    sim.link(a, b, { latencyMs: 100 });
    expect(sim.conditions(a, b)).toMatchObject({ latencyMs: 100, loss: 0.5 });
    expect(sim.conditions(b, a)).toMatchObject({ latencyMs: 10, loss: 0.5 });
    sim.configure({ loss: 0 });
    expect(sim.conditions(a, b)).toMatchObject({ latencyMs: 100, loss: 0 });
    expect(sim.conditions(a, a)).toMatchObject({ latencyMs: 0, loss: 0 });
    expect(() => sim.configure({ loss: 1.5 })).toThrow(/loss/);
  });

  it('partitions both directions until healed, and traces the drops', async () => {
    const { scheduler, sim, a, b, trace } = setup();
    const c = sim.host('10.0.0.3');
    const { x, y, atY } = await pair(a, b);
    const z = await c.bindUdp({ host: '0.0.0.0', port: 0 });
    const atZ: Uint8Array[] = [];
    z.onMessage((d) => atZ.push(d));
    const atX: Uint8Array[] = [];
    x.onMessage((d) => atX.push(d));
    sim.partition([a], [b]);
    x.send(to(b, y), Uint8Array.of(1));
    y.send(a.endpoint(x.local.port, 4), Uint8Array.of(2));
    x.send(c.endpoint(z.local.port), Uint8Array.of(3));
    await scheduler.advance(50);
    expect([atY.length, atX.length, atZ.length]).toEqual([0, 0, 1]);
    expect(sim.stats.datagramsPartitioned).toBe(2);
    expect(trace.filter((e) => e.fate === 'partitioned').map((e) => e.firstByte)).toEqual([1, 2]);
    sim.heal();
    x.send(to(b, y), Uint8Array.of(4));
    await scheduler.advance(50);
    expect(atY.map((d) => d[0])).toEqual([4]);
    const undo = sim.partition([b], [a, c]);
    sim.partition([c], [a]);
    undo();
    x.send(to(b, y), Uint8Array.of(5));
    x.send(c.endpoint(z.local.port), Uint8Array.of(6));
    await scheduler.advance(50);
    expect([atY.map((d) => d[0]), atZ.length]).toEqual([[4, 5], 1]);
    expect(() => sim.partition([a], [a, b])).toThrow();
  });

  it('filters can drop, delay and mutate specific datagrams, and be removed', async () => {
    const { scheduler, sim, a, b, trace } = setup({ latencyMs: 10 });
    const { x, y, atY } = await pair(a, b);
    let firstDataDropped = false;
    const removeDrop = sim.filter((d) => {
      if (d.data[0] === 0x1b && !firstDataDropped) {
        firstDataDropped = true;
        return 'drop';
      }
      return undefined;
    });
    sim.filter((d) => (d.data[0] === 0x02 ? { delayMs: 90 } : 'pass'));
    sim.filter((d) => (d.data[0] === 0x04 ? { data: Uint8Array.of(0x04, 0xff) } : undefined));
    x.send(to(b, y), Uint8Array.of(0x1b, 1));
    x.send(to(b, y), Uint8Array.of(0x1b, 2));
    x.send(to(b, y), Uint8Array.of(0x02));
    x.send(to(b, y), Uint8Array.of(0x04, 0x00));
    await scheduler.advance(200);
    expect(atY).toEqual([Uint8Array.of(0x1b, 2), Uint8Array.of(0x04, 0xff), Uint8Array.of(0x02)]);
    expect(trace.map((e) => [e.time, e.firstByte, e.fate])).toEqual([
      [0, 0x1b, 'filtered'],
      [10, 0x1b, 'delivered'],
      [10, 0x04, 'delivered'],
      [100, 0x02, 'delivered'],
    ]);
    expect(sim.stats.datagramsFiltered).toBe(1);
    removeDrop();
    firstDataDropped = false;
    x.send(to(b, y), Uint8Array.of(0x1b, 3));
    await scheduler.advance(20);
    expect(atY.length).toBe(4);
  });

  it('reports datagrams to a closed port or an unknown address as unreachable', async () => {
    const { scheduler, sim, a, b, trace } = setup();
    const { x, y } = await pair(a, b);
    await y.close();
    x.send(to(b, y), Uint8Array.of(1));
    x.send(ipPort('10.9.9.9', 5), Uint8Array.of(2));
    await scheduler.advance(50);
    expect(sim.stats.datagramsUnreachable).toBe(2);
    expect(trace.map((e) => [e.firstByte, e.fate])).toEqual([
      [2, 'unreachable'],
      [1, 'unreachable'],
    ]);
  });
});

describe('SimHost binding rules', () => {
  it('treats wildcards and dual stack like Linux', async () => {
    const { a } = setup();
    const dual = await a.bindUdp({ host: '::', port: 5000 });
    await expect(a.bindUdp({ host: '0.0.0.0', port: 5000 })).rejects.toMatchObject({ code: 'ADDRESS_IN_USE' });
    await expect(a.bindUdp({ host: '10.0.0.1', port: 5000 })).rejects.toMatchObject({ code: 'ADDRESS_IN_USE' });
    await dual.close();
    const only6 = await a.bindUdp({ host: '::', port: 5000, dualStack: false });
    const v4 = await a.bindUdp({ host: '0.0.0.0', port: 5000 });
    await expect(a.bindUdp({ host: 'fd00::1', port: 5000 })).rejects.toMatchObject({ code: 'ADDRESS_IN_USE' });
    await Promise.all([only6.close(), v4.close()]);
    const specific = await a.bindUdp({ host: '10.0.0.1', port: 5000 });
    const loop = await a.bindUdp({ host: '127.0.0.1', port: 5000 });
    await expect(a.bindUdp({ host: '::', port: 5000 })).rejects.toMatchObject({ code: 'ADDRESS_IN_USE' });
    await Promise.all([specific.close(), loop.close()]);
    await expect(a.bindUdp({ host: '10.0.0.2', port: 0 })).rejects.toMatchObject({ code: 'ADDRESS_NOT_AVAILABLE' });
    await expect(a.bindUdp({ host: 'localhost', port: 0 })).rejects.toMatchObject({ code: 'INVALID_ARGUMENT' });
  });

  it('gives distinct ephemeral ports and routes each datagram to the socket bound for its address', async () => {
    const { scheduler, a, b } = setup();
    const ports = new Set<number>();
    const sockets = [];
    for (let i = 0; i < 20; i++) sockets.push(await a.bindUdp({ host: '::', port: 0 }));
    for (const s of sockets) ports.add(s.local.port);
    expect(ports.size).toBe(20);
    for (const p of ports) expect(p).toBeGreaterThanOrEqual(49152);
    const only6 = await b.bindUdp({ host: '::', port: 7000, dualStack: false });
    const exact = await b.bindUdp({ host: '10.0.0.2', port: 7000 });
    const hits: string[] = [];
    only6.onMessage((_, from) => hits.push(`v6 socket from ${from.ip}`));
    exact.onMessage((_, from) => hits.push(`v4 socket from ${from.ip}`));
    sockets[0]!.send(ipPort('10.0.0.2', 7000), Uint8Array.of(1));
    sockets[0]!.send(ipPort('fd00::2', 7000), Uint8Array.of(1));
    sockets[0]!.send(ipPort('10.0.0.2', 7001), Uint8Array.of(1));
    await scheduler.advance(50);
    expect(hits).toEqual(['v4 socket from 10.0.0.1', 'v6 socket from fd00::1']);
  });

  it('validates host addresses', () => {
    const { sim } = setup();
    expect(() => sim.host('10.0.0.1')).toThrow(/already belongs/);
    expect(() => sim.host('127.0.0.1')).toThrow(/loopback/);
    expect(() => sim.host()).toThrow();
    expect(sim.host('::ffff:10.1.1.1').addresses).toEqual(['10.1.1.1']);
  });
});

async function openStream(scheduler: ManualScheduler, a: SimHost, b: SimHost): Promise<{ client: StreamSocket; server: StreamSocket; atServer: Uint8Array[]; close: () => Promise<void> }> {
  let server: StreamSocket | undefined;
  const atServer: Uint8Array[] = [];
  const listener = await b.listenTcp({ host: '0.0.0.0', port: 0 }, (s) => {
    server = s;
    s.onData((d) => atServer.push(d));
  });
  const connecting = a.connectTcp(b.endpoint(listener.local.port, 4));
  let client: StreamSocket | undefined;
  void connecting.then((c) => (client = c));
  await scheduler.runUntil(() => client !== undefined, { timeoutMs: 1000 });
  return { client: client!, server: server!, atServer, close: () => listener.close() };
}

describe('SimNetwork streams', () => {
  it('times out a connect to an address nobody has, exactly at the timeout', async () => {
    const { scheduler, a } = setup();
    let error: unknown;
    void a.connectTcp(ipPort('10.9.9.9', 80), { timeoutMs: 3000 }).catch((e: unknown) => (error = e));
    await scheduler.advance(2999);
    expect(error).toBeUndefined();
    await scheduler.advance(1);
    expect(isNetError(error, 'CONNECT_TIMEOUT')).toBe(true);
    expect(a.openCount).toBe(0);
    expect(scheduler.pending()).toBe(0);
  });

  it('re-chunks writes at seeded random boundaries', async () => {
    const { scheduler, sim, a, b, trace } = setup();
    sim.configureStreams({ maxSegmentBytes: 500 });
    const { client, atServer, close } = await openStream(scheduler, a, b);
    const payload = new Uint8Array(20_000).map((_, i) => i * 7);
    client.write(payload);
    await scheduler.runUntil(() => atServer.reduce((n, d) => n + d.length, 0) === payload.length, { timeoutMs: 5000 });
    expect(bytesEqual(concatBytes(...atServer), payload)).toBe(true);
    const sizes = trace.filter((e) => e.transport === 'tcp').map((e) => e.size);
    expect(sizes.length).toBeGreaterThan(40);
    expect(new Set(sizes).size).toBeGreaterThan(10);
    expect(Math.max(...sizes)).toBeLessThanOrEqual(500);
    client.destroy();
    await close();
  });

  it('stalls across a short partition and resumes intact after heal', async () => {
    const { scheduler, sim, a, b, trace } = setup();
    const { client, atServer, close } = await openStream(scheduler, a, b);
    let closed = false;
    client.onClose(() => (closed = true));
    sim.partition([a], [b]);
    const payload = new Uint8Array(200_000).map((_, i) => i);
    client.write(payload);
    await scheduler.advance(5000);
    expect(atServer.length).toBe(0);
    expect(trace.some((e) => e.transport === 'tcp' && e.fate === 'partitioned')).toBe(true);
    sim.heal();
    await scheduler.runUntil(() => atServer.reduce((n, d) => n + d.length, 0) === payload.length, { timeoutMs: 10_000 });
    expect(bytesEqual(concatBytes(...atServer), payload)).toBe(true);
    expect(closed).toBe(false);
    client.destroy();
    await close();
  });

  it('closes both ends with CONNECTION_TIMEOUT when a partition outlasts the stall timeout; idle streams survive', async () => {
    const { scheduler, sim, a, b } = setup();
    sim.configureStreams({ stallTimeoutMs: 8000 });
    const busy = await openStream(scheduler, a, b);
    const idle = await openStream(scheduler, a, b);
    const errors: Array<Error | undefined> = [];
    busy.client.onClose((e) => errors.push(e));
    busy.server.onClose((e) => errors.push(e));
    let idleClosed = false;
    idle.client.onClose(() => (idleClosed = true));
    sim.partition([a], [b]);
    busy.client.write(Uint8Array.of(1, 2, 3));
    await scheduler.advance(7000);
    expect(errors.length).toBe(0);
    await scheduler.advance(2000);
    expect(errors.length).toBe(2);
    expect(errors.every((e) => isNetError(e, 'CONNECTION_TIMEOUT'))).toBe(true);
    expect(sim.stats.streamsTimedOut).toBe(1);
    sim.heal();
    idle.client.write(Uint8Array.of(9));
    await scheduler.advance(100);
    expect(idle.atServer).toEqual([Uint8Array.of(9)]);
    expect(idleClosed).toBe(false);
    idle.client.destroy();
    await Promise.all([busy.close(), idle.close()]);
    await scheduler.advance(100);
    expect(a.openCount + b.openCount).toBe(0);
  });

  it('holds write() to the high-water mark and drains after deliveries', async () => {
    const { scheduler, sim, a, b } = setup({ latencyMs: 50 });
    sim.configureStreams({ highWaterMark: 1000, windowBytes: 4000 });
    const { client, atServer, close } = await openStream(scheduler, a, b);
    expect(client.write(new Uint8Array(999))).toBe(true);
    expect(client.write(new Uint8Array(1))).toBe(false);
    expect(client.write(new Uint8Array(9000))).toBe(false);
    let drainedAt = -1;
    client.onDrain(() => (drainedAt = scheduler.now()));
    const start = scheduler.now();
    await scheduler.runUntil(() => drainedAt >= 0, { timeoutMs: 1000, stepMs: 1 });
    // 10 000 bytes through a 4000-byte window: the last of them leaves after two round trips of deliveries.
    expect(drainedAt - start).toBeGreaterThanOrEqual(100);
    expect(client.bufferedAmount).toBe(0);
    await scheduler.runUntil(() => atServer.reduce((n, d) => n + d.length, 0) === 10_000, { timeoutMs: 1000 });
    client.destroy();
    await close();
  });
});

/** A small busy scenario: three hosts, lossy jittery links, datagrams and a stream. */
async function scenario(seed: number): Promise<{ trace: string; received: string }> {
  const scheduler = new ManualScheduler();
  const sim = new SimNetwork({ scheduler, random: new SeededRandom(seed), conditions: { latencyMs: 20, jitterMs: 15, loss: 0.1, duplicate: 0.05, reorder: 0.1, reorderDelayMs: 30 } });
  const hosts = [sim.host('10.0.0.1'), sim.host('10.0.0.2'), sim.host('10.0.0.3', 'fd00::3')];
  const trace: TraceEvent[] = [];
  sim.observe((e) => trace.push(e));
  const received: string[] = [];
  const sockets = await Promise.all(hosts.map((h) => h.bindUdp({ host: '::', port: 33445 })));
  sockets.forEach((s, i) =>
    s.onMessage((data, from) => {
      received.push(`${i}<${from.ip}:${data.join(',')}`);
      if (data[0]! < 3) s.send(from, Uint8Array.of(data[0]! + 1, i));
    }),
  );
  const chunks: number[] = [];
  const listener = await hosts[2]!.listenTcp({ host: '0.0.0.0', port: 443 }, (s) => s.onData((d) => chunks.push(d.length)));
  const stream = await (async () => {
    const p = hosts[0]!.connectTcp(ipPort('10.0.0.3', 443));
    await scheduler.advance(200);
    return p;
  })();
  for (let round = 0; round < 20; round++) {
    for (let i = 0; i < 3; i++) sockets[i]!.send(hosts[(i + 1) % 3]!.endpoint(33445), Uint8Array.of(0, round));
    stream.write(new Uint8Array(3000).fill(round));
    await scheduler.advance(37);
  }
  await scheduler.advance(2000);
  stream.end();
  await scheduler.advance(1000);
  await listener.close();
  await Promise.all(sockets.map((s) => s.close()));
  received.push(`chunks:${chunks.join(',')}`);
  return { trace: JSON.stringify(trace), received: received.join('\n') };
}

describe('SimNetwork determinism and cleanup', () => {
  it('replays exactly from a seed, and a different seed differs', async () => {
    const first = await scenario(42);
    const second = await scenario(42);
    const other = await scenario(43);
    expect(first.trace.length).toBeGreaterThan(1000);
    expect(second.trace).toBe(first.trace);
    expect(second.received).toBe(first.received);
    expect(other.trace).not.toBe(first.trace);
  });

  it('leaves scheduler.pending() as it found it once everything is closed', async () => {
    const { scheduler, sim, a, b } = setup({ latencyMs: 30 });
    const unrelated = scheduler.after(1_000_000, () => {});
    const baseline = scheduler.pending();
    const { x, y } = await pair(a, b);
    const { client, close } = await openStream(scheduler, a, b);
    client.write(new Uint8Array(100_000));
    for (let i = 0; i < 50; i++) x.send(to(b, y), Uint8Array.of(i));
    void a.connectTcp(ipPort('10.9.9.9', 1)).catch(() => {});
    await scheduler.advance(5);
    client.destroy(); // closed, but its in-flight segments are still draining
    expect(scheduler.pending()).toBeGreaterThan(baseline);
    sim.close();
    expect(scheduler.pending()).toBe(baseline);
    expect(a.openCount + b.openCount).toBe(0);
    await close();
    await x.close();
    await expect(a.bindUdp({ port: 0 })).rejects.toMatchObject({ code: 'SOCKET_CLOSED' });
    unrelated.cancel();
  });

  it('settles by itself when sockets and streams are closed one by one', async () => {
    const { scheduler, a, b } = setup({ latencyMs: 30 });
    const baseline = scheduler.pending();
    const { x, y } = await pair(a, b);
    const { client, server, close } = await openStream(scheduler, a, b);
    client.write(new Uint8Array(50_000));
    x.send(to(b, y), Uint8Array.of(1));
    client.end();
    await close();
    await Promise.all([x.close(), y.close()]);
    await scheduler.advance(1000);
    server.destroy();
    expect(a.openCount + b.openCount).toBe(0);
    expect(scheduler.pending()).toBe(baseline);
  });
});
