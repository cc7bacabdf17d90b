// Two of our net_crypto nodes on the simulated network (SimNetwork, virtual time): handshake and
// 10,000 lossless packets under 20 % loss with reordering and duplication (each exactly once, in
// order), lossy packets, and a connection that times out when the peer disappears and comes
// back when it returns. Every scenario prints its seed on failure.
import { describe, expect, it } from 'vitest';
import { ManualScheduler, SeededRandom } from '../../src/base/index.js';
import type { IpPort } from '../../src/net/index.js';
import { SimNetwork, type SimHost, type LinkConditions } from '../../src/net/sim/index.js';
import type { NetCryptoOptions } from '../../src/netcrypto/index.js';
import { bytesOf, makeNode, numberOf, type TestNode } from '../unit/netcrypto/helpers.js';

interface World {
  scheduler: ManualScheduler;
  net: SimNetwork;
  hosts: [SimHost, SimHost];
  a: TestNode;
  b: TestNode;
}

async function world(seed: number, conditions: Partial<LinkConditions>, options: NetCryptoOptions = {}): Promise<World> {
  const scheduler = new ManualScheduler();
  const random = new SeededRandom(seed);
  const net = new SimNetwork({ scheduler, random: random.fork(), conditions });
  const hosts: [SimHost, SimHost] = [net.host('10.0.0.1'), net.host('10.0.0.2')];
  const nodes: TestNode[] = [];
  for (const host of hosts) {
    const socket = await host.bindUdp({ host: host.ip, port: 33445 });
    const address: IpPort = socket.local;
    const node = makeNode({ scheduler, random: random.fork(), address, sendUdp: (to, data) => socket.send(to, data), options });
    socket.onMessage((data, from) => node.router.dispatch(data, from));
    nodes.push(node);
  }
  const [a, b] = nodes as [TestNode, TestNode];
  a.nc.start();
  b.nc.start();
  return { scheduler, net, hosts, a, b };
}

function connectBoth(w: World): void {
  w.a.nc.connect(w.b.keys.publicKey, w.b.dhtKeys.publicKey, w.b.address, { reconnect: true });
  w.b.nc.connect(w.a.keys.publicKey, w.a.dhtKeys.publicKey, w.a.address, { reconnect: true });
}

function bothConnected(w: World): boolean {
  return w.a.nc.isConnected(w.b.keys.publicKey) && w.b.nc.isConnected(w.a.keys.publicKey);
}

describe('net_crypto on the simulated network', () => {
  it('delivers 10,000 lossless packets exactly once and in order under 20 % loss, reordering and duplication', async () => {
    const seed = 4242;
    const w = await world(seed, { latencyMs: 20, jitterMs: 10, loss: 0.2, duplicate: 0.05, reorder: 0.1, reorderDelayMs: 40 });
    connectBoth(w);
    await w.scheduler.runUntil(() => bothConnected(w), { timeoutMs: 60_000, describe: () => ({ seed }) });
    const total = 10_000;
    let queued = 0;
    const lossy = new Set<number>();
    // The application sends as fast as the queue takes it; both directions carry traffic.
    const pump = (): void => {
      while (queued < total && w.a.nc.sendLossless(w.b.keys.publicKey, bytesOf(160, queued)).ok) queued++;
    };
    pump();
    for (let i = 0; i < 50; i++) w.a.nc.sendLossy(w.b.keys.publicKey, bytesOf(200, i, 20));
    for (let i = 0; i < 300; i++) w.b.nc.sendLossless(w.a.keys.publicKey, bytesOf(64, i, 40));
    w.b.nc.on('lossy', (_peer, _id, payload) => lossy.add(numberOf(payload)));
    await w.scheduler.runUntil(() => (pump(), w.b.lossless.length >= total && w.a.lossless.length >= 300), {
      timeoutMs: 600_000,
      stepMs: 50,
      describe: () => ({ seed, received: w.b.lossless.length, info: w.a.nc.connectionInfo(w.b.keys.publicKey) }),
    });
    await w.scheduler.advance(5000);
    expect(w.b.lossless.map((r) => numberOf(r.payload))).toEqual(Array.from({ length: total }, (_, i) => i));
    expect(w.a.lossless.map((r) => numberOf(r.payload))).toEqual(Array.from({ length: 300 }, (_, i) => i));
    expect(w.a.nc.isDelivered(w.b.keys.publicKey, total - 1)).toBe(true);
    expect(w.net.stats.datagramsLost).toBeGreaterThan(1000);
    expect(w.net.stats.datagramsDuplicated).toBeGreaterThan(100);
    expect(w.b.nc.counters.droppedFor('duplicate') + w.b.nc.counters.droppedFor('replayed')).toBeGreaterThan(100);
    expect(lossy.size).toBeGreaterThan(25);
    expect(lossy.size).toBeLessThanOrEqual(50);
    const a = w.a.nc.counters;
    // Retransmissions stay proportionate to the loss: 25 % is the ideal at 20 % loss (no storm of spurious ones).
    expect(a.losslessResent).toBeLessThan(total * 0.45);
    expect(w.a.router.stats.failed + w.b.router.stats.failed).toBe(0);
    w.a.nc.stop();
    w.b.nc.stop();
    w.net.close();
  }, 120_000);

  it('times out when the peer disappears and reconnects when it returns', async () => {
    const seed = 77;
    const w = await world(seed, { latencyMs: 15, jitterMs: 5 });
    connectBoth(w);
    await w.scheduler.runUntil(() => bothConnected(w), { timeoutMs: 10_000, describe: () => ({ seed }) });
    const heal = w.net.partition([w.hosts[0]], [w.hosts[1]]);
    await w.scheduler.runUntil(() => w.a.disconnected.length > 0 && w.b.disconnected.length > 0, { timeoutMs: 60_000, describe: () => ({ seed }) });
    expect(w.a.disconnected[0]).toEqual({ reason: 'idleTimeout', wasConnected: true });
    expect(w.b.disconnected[0]).toEqual({ reason: 'idleTimeout', wasConnected: true });
    expect(w.scheduler.now()).toBeGreaterThan(32_000);
    await w.scheduler.advance(60_000);
    expect(bothConnected(w)).toBe(false);
    heal();
    await w.scheduler.runUntil(() => bothConnected(w), { timeoutMs: 20_000, describe: () => ({ seed }) });
    for (let i = 0; i < 100; i++) w.a.nc.sendLossless(w.b.keys.publicKey, bytesOf(64, i));
    await w.scheduler.runUntil(() => w.b.lossless.length === 100, { timeoutMs: 10_000 });
    expect(w.b.lossless.map((r) => numberOf(r.payload))).toEqual(Array.from({ length: 100 }, (_, i) => i));
    w.a.nc.stop();
    w.b.nc.stop();
    w.net.close();
  });

  it('only net_crypto packets cross the wire, and a refused peer is never answered with data', async () => {
    const w = await world(5, { latencyMs: 5 });
    const ids = new Set<number>();
    w.net.observe((e) => ids.add(e.firstByte));
    w.b.nc.onNewConnection = () => false;
    w.a.nc.connect(w.b.keys.publicKey, w.b.dhtKeys.publicKey, w.b.address);
    await w.scheduler.runUntil(() => w.a.disconnected.length > 0, { timeoutMs: 20_000 });
    expect([...ids].sort()).toEqual([0x18, 0x19, 0x1a]);
    expect(w.b.nc.peers()).toEqual([]);
    w.a.nc.stop();
    w.b.nc.stop();
    w.net.close();
  });
});
