// TCP relay simulations (issue #8): two of our clients exchange many MB through our relay in both
// directions over streams re-chunked at random boundaries, and nothing is lost or reordered; then
// hostile input (a client that never reads, connection floods, bad handshakes, oversized frames)
// while a good pair keeps talking: the relay stays bounded and the good pair is unaffected.
import { afterEach, describe, expect, it } from 'vitest';
import type { SimHost } from '../../src/net/sim/index.js';
import { TcpRelayClient, type RelayInfo } from '../../src/tcp/index.js';
import { RawClient, simWorld, startServer, type SimWorld } from '../unit/tcp/harness.js';
import { duplex, echoRtts, medianOf, routePair, type Wait } from '../unit/tcp/relay-pair.js';

let world: SimWorld;
const cleanup: Array<() => unknown> = [];
afterEach(async () => {
  for (const fn of cleanup.splice(0).reverse()) await fn();
});

function relayClient(host: SimHost, relay: RelayInfo): TcpRelayClient {
  const client = new TcpRelayClient({ net: host, scheduler: world.scheduler, random: world.random.fork(), log: world.log }, { relay, keyPair: world.keyPair() });
  cleanup.push(() => client.close());
  return client;
}

const simWait: Wait = (predicate, timeoutMs) => world.scheduler.runUntil(predicate, { timeoutMs, stepMs: 1 });

/** Two clients routed to each other through `relay`. */
async function routedPair(relay: RelayInfo, hostA: SimHost, hostB: SimHost): Promise<[TcpRelayClient, TcpRelayClient]> {
  const a = relayClient(hostA, relay);
  const b = relayClient(hostB, relay);
  await routePair(a, b, simWait);
  return [a, b];
}

/** Median round trip of small echoes a → b → a, in virtual ms. */
async function echoRtt(a: TcpRelayClient, b: TcpRelayClient): Promise<number> {
  return medianOf(await echoRtts(a, b, 5, simWait, () => world.scheduler.now()));
}

describe('TCP relay simulation', () => {
  it('ours ⇄ ours through our relay, streams re-chunked at random boundaries: 2 × 4 MB, nothing lost', async () => {
    world = simWorld(31, { maxSegmentBytes: 1500 });
    world.network.configure({ latencyMs: 10, jitterMs: 5 });
    const server = await startServer(world, world.host('10.0.0.1'));
    cleanup.push(() => server.stop());
    const relay = { address: server.address, publicKey: server.publicKey };
    const [a, b] = await routedPair(relay, world.host('10.0.0.2'), world.host('10.0.0.3'));
    const bytes = 4 * 1024 * 1024;
    const start = world.scheduler.now();
    const [ab, ba] = await duplex(a, b, bytes, simWait, () => world.scheduler.now(), 600_000, 128 * 1024);
    for (const t of [ab, ba]) {
      expect(t.received).toBe(bytes);
      expect(t.corrupt).toBe(0);
      expect(t.expectSeq).toBe(t.nextSeq);
      expect(t.retransmits).toBe(0); // our relay dropped nothing
    }
    expect(server.stats.dropped.get('receiverCongested')).toBeUndefined();
    expect(server.stats.dataBytesForwarded).toBeGreaterThanOrEqual(2 * bytes);
    const seconds = (world.scheduler.now() - start) / 1000;
    console.log(`[tcp sim] 2 × 4 MiB through the relay in ${seconds.toFixed(1)} s virtual, ${server.stats.dataForwarded} packets forwarded`);
  }, 120_000);

  it('a client that never reads is bounded and dropped; another pair is unaffected', async () => {
    world = simWorld(32);
    const relayHost = world.host('10.0.0.1');
    const server = await startServer(world, relayHost, { softQueueLimit: 64 * 1024, hardQueueLimit: 256 * 1024 });
    cleanup.push(() => server.stop());
    const relay = { address: server.address, publicKey: server.publicKey };
    const victimHost = world.host('10.0.0.9');
    const [flooder, sink] = await routedPair(relay, world.host('10.0.0.2'), victimHost);
    const [a, b] = await routedPair(relay, world.host('10.0.0.3'), world.host('10.0.0.4'));
    const baseline = await echoRtt(a, b);

    // The sink stops reading: nothing moves from the relay towards it any more (1 byte/s).
    world.network.link(relayHost, victimHost, { bandwidthBytesPerSec: 1 });
    const flooderId = flooder.routeFor(sink.publicKey)!.connectionId;
    let maxQueued = 0;
    const flood = world.scheduler.every(10, () => {
      for (let i = 0; i < 20; i++) flooder.sendData(flooderId, new Uint8Array(2000));
      maxQueued = Math.max(maxQueued, server.clientInfo(sink.publicKey)?.queuedBytes ?? 0);
    });
    cleanup.push(() => flood.cancel());
    await world.scheduler.advance(5_000);
    const during = await echoRtt(a, b);
    const [ab, ba] = await duplex(a, b, 256 * 1024, simWait, () => world.scheduler.now(), 60_000);
    expect(ab.corrupt + ba.corrupt + ab.retransmits + ba.retransmits).toBe(0);
    expect(during).toBe(baseline);
    expect(maxQueued).toBeLessThanOrEqual(64 * 1024 + 2050);
    expect(server.stats.dropped.get('receiverCongested')).toBeGreaterThan(1000);

    // The relay's keepalive gives up on the sink (its pong cannot get through).
    await world.scheduler.advance(45_000);
    flood.cancel();
    expect(server.hasClient(sink.publicKey)).toBe(false);
    expect(server.stats.closed.get('pongTimeout')).toBe(1);
    expect(server.hasClient(a.publicKey) && server.hasClient(b.publicKey) && server.hasClient(flooder.publicKey)).toBe(true);
    console.log(`[tcp sim] never-reading client: relay queue peaked at ${maxQueued} B; good pair RTT ${baseline} → ${during} ms`);
  }, 60_000);

  it('connection floods, bad handshakes and oversized frames leave the relay bounded and a good pair working', async () => {
    world = simWorld(33);
    const server = await startServer(world, world.host('10.0.0.1'), { maxPending: 64 });
    cleanup.push(() => server.stop());
    const relay = { address: server.address, publicKey: server.publicKey };
    const [a, b] = await routedPair(relay, world.host('10.0.0.2'), world.host('10.0.0.3'));
    const baseline = await echoRtt(a, b);

    const attackers = [world.host('10.0.1.1'), world.host('10.0.1.2'), world.host('10.0.1.3')];
    const raws: RawClient[] = [];
    for (let i = 0; i < 600; i++) {
      const host = attackers[i % attackers.length]!;
      const raw = await RawClient.connectBare(world, host, server);
      raws.push(raw);
      if (i % 3 === 1) raw.socket.write(new Uint8Array(128).fill(i & 0xff)); // handshake that does not open
      if (i % 3 === 2) raw.socket.write(new Uint8Array(3000).fill(0xff)); // garbage far beyond a handshake + frame
      expect(server.pendingCount).toBeLessThanOrEqual(64);
    }
    for (let i = 0; i < 20; i++) {
      const evil = await RawClient.connect(world, attackers[0]!, server);
      evil.send({ kind: 'ping', pingId: 1n });
      evil.socket.write(Uint8Array.of(0x08, 0x01, ...new Uint8Array(2049)));
    }
    const during = await echoRtt(a, b);
    await world.scheduler.advance(11_000);
    expect(server.pendingCount).toBe(0);
    expect(server.clientCount).toBe(2);
    expect(server.stats.closed.get('badHandshake')).toBeGreaterThanOrEqual(190);
    expect(server.stats.closed.get('badFrame')).toBe(20);
    expect(raws.every((r) => r.closed)).toBe(true);
    expect(during).toBe(baseline);
    const [ab, ba] = await duplex(a, b, 128 * 1024, simWait, () => world.scheduler.now(), 60_000);
    expect(ab.corrupt + ba.corrupt + ab.retransmits + ba.retransmits).toBe(0);
    console.log(`[tcp sim] flood: closed ${JSON.stringify(Object.fromEntries(server.stats.closed))}`);
  }, 60_000);
});
