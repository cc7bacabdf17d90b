// friend_connection on the simulated network: shared holders (reference counts), the ALIVE
// timeout taking a silent peer offline after 32 s, the connection coming back by itself when the
// path heals, and the admission of handshakes only from peers we hold.
import { describe, expect, it } from 'vitest';
import { ManualScheduler, SeededRandom } from '../../../src/base/index.js';
import { SimNetwork } from '../../../src/net/sim/index.js';
import { simStackNode } from '../messenger/stack.js';

async function world() {
  const scheduler = new ManualScheduler();
  const random = new SeededRandom(31);
  const net = new SimNetwork({ scheduler, random: random.fork(), conditions: { latencyMs: 5 } });
  const a = await simStackNode(net, scheduler, '10.3.0.1', random);
  const b = await simStackNode(net, scheduler, '10.3.0.2', random);
  a.start();
  b.start();
  b.dht.bootstrap({ address: a.address, publicKey: a.dht.publicKey });
  return { scheduler, net, a, b };
}

describe('FriendConnections', () => {
  it('comes up when both sides hold it, times out after 32 s of silence, and returns when the path heals', async () => {
    const { scheduler, net, a, b } = await world();
    const statusA: boolean[] = [];
    a.connections.on('status', (_peer, online) => statusA.push(online));
    expect(a.connections.acquire(b.keys.publicKey, b.dht.publicKey)).toBe(true);
    expect(a.connections.acquire(b.keys.publicKey)).toBe(false); // a second holder shares it
    b.connections.acquire(a.keys.publicKey, a.dht.publicKey);
    await scheduler.runUntil(() => a.connections.isOnline(b.keys.publicKey) && b.connections.isOnline(a.keys.publicKey), { timeoutMs: 30_000 });
    expect(a.connections.transportOf(b.keys.publicKey)).toBe('udp');

    const cut = net.partition([a.host], [b.host]);
    const cutAt = scheduler.now();
    await scheduler.runUntil(() => !a.connections.isOnline(b.keys.publicKey), { timeoutMs: 60_000 });
    const wentOffline = scheduler.now() - cutAt;
    expect(wentOffline).toBeGreaterThanOrEqual(32_000);
    expect(wentOffline).toBeLessThanOrEqual(34_000);
    cut();
    await scheduler.runUntil(() => a.connections.isOnline(b.keys.publicKey) && b.connections.isOnline(a.keys.publicKey), { timeoutMs: 60_000 });
    expect(statusA).toEqual([true, false, true]);

    // Two holders: the first release keeps it, the second ends it (and the peer sees it go).
    expect(a.connections.release(b.keys.publicKey)).toBe(false);
    expect(a.connections.isOnline(b.keys.publicKey)).toBe(true);
    expect(a.connections.release(b.keys.publicKey)).toBe(true);
    expect(a.connections.has(b.keys.publicKey)).toBe(false);
    await scheduler.runUntil(() => !b.connections.isOnline(a.keys.publicKey), { timeoutMs: 10_000 });
    a.stop();
    b.stop();
    await scheduler.advance(1_000);
    expect(scheduler.pending()).toBe(0);
  }, 60_000);

  it('refuses handshakes from peers nobody holds', async () => {
    const { scheduler, a, b } = await world();
    // Only B wants A: A's admission hook refuses, so no connection comes up.
    b.connections.acquire(a.keys.publicKey, a.dht.publicKey);
    await scheduler.advance(20_000);
    expect(b.connections.isOnline(a.keys.publicKey)).toBe(false);
    expect(a.nc.counters.droppedFor('notAdmitted')).toBeGreaterThan(0);
    a.stop();
    b.stop();
  });
  it('drops an offline peer’s DHT key 122 s after it went offline and stops connecting (c-toxcore FRIEND_DHT_TIMEOUT); a fresh DHT-PK brings it back', async () => {
    const { scheduler, net, a, b } = await world();
    a.connections.acquire(b.keys.publicKey, b.dht.publicKey);
    b.connections.acquire(a.keys.publicKey, a.dht.publicKey);
    await scheduler.runUntil(() => a.connections.isOnline(b.keys.publicKey) && b.connections.isOnline(a.keys.publicKey), { timeoutMs: 30_000 });
    const cut = net.partition([a.host], [b.host]);
    await scheduler.runUntil(() => !a.connections.isOnline(b.keys.publicKey), { timeoutMs: 60_000 });
    const offlineAt = scheduler.now();
    await scheduler.advance(120_000);
    // Still within 122 s: the key is kept and net_crypto keeps trying it.
    expect(a.connections.dhtPublicKeyOf(b.keys.publicKey)).toEqual(b.dht.publicKey);
    expect(a.nc.connectionInfo(b.keys.publicKey)).toBeDefined();
    await scheduler.advance(offlineAt + 123_000 - scheduler.now());
    expect(a.connections.dhtPublicKeyOf(b.keys.publicKey)).toBeUndefined();
    expect(a.nc.connectionInfo(b.keys.publicKey)).toBeUndefined();
    const cookiesSent = a.nc.counters.sent.cookieRequest;
    await scheduler.advance(10_000);
    expect(a.nc.counters.sent.cookieRequest).toBe(cookiesSent);
    // The path heals: the onion's DHT-PK (or b's handshake) brings the key, and the friendship, back.
    cut();
    await scheduler.runUntil(() => a.connections.isOnline(b.keys.publicKey) && b.connections.isOnline(a.keys.publicKey), { timeoutMs: 300_000 });
    expect(a.connections.dhtPublicKeyOf(b.keys.publicKey)).toEqual(b.dht.publicKey);
    a.stop();
    b.stop();
  }, 60_000);
});
