// The net_crypto engine on a fake socket pair with virtual time: handshake, lossless and lossy
// delivery, acknowledgements, kill, timeouts, reconnection, DHT key changes, the TCP path, API
// misuse, and start/stop leaving no timer behind.
import { describe, expect, it } from 'vitest';
import { ManualScheduler, SeededRandom, isToxError } from '../../../src/base/index.js';
import { generateKeyPair, type DhtPublicKey, type DhtSecretKey } from '../../../src/crypto/index.js';
import { ipPort } from '../../../src/net/index.js';
import { ACK_DELAY_MS } from '../../../src/netcrypto/index.js';
import { FakeLink, FakeTcp, bytesOf, establish, makeNode, makePair, numberOf, type IncomingForTest } from './helpers.js';

describe('handshake', () => {
  it('A connects to B: cookie, handshakes, both established; B is asked first', async () => {
    const p = makePair(1);
    const asked: IncomingForTest[] = [];
    p.b.nc.onNewConnection = (incoming) => {
      asked.push(incoming);
      return true;
    };
    await establish(p);
    expect(asked).toHaveLength(1);
    expect(asked[0]!.peer).toEqual(p.a.keys.publicKey);
    expect(asked[0]!.dhtPk).toEqual(p.a.dhtKeys.publicKey);
    expect(asked[0]!.source).toEqual({ kind: 'udp', address: p.a.address });
    expect(p.a.connected).toEqual([p.b.keys.publicKey]);
    expect(p.b.connected).toEqual([p.a.keys.publicKey]);
    expect(p.a.nc.connectionInfo(p.b.keys.publicKey)).toMatchObject({ state: 'established', directUdp: true, endpoint: p.b.address });
    expect(p.b.nc.connectionInfo(p.a.keys.publicKey)).toMatchObject({ state: 'established', directUdp: true, endpoint: p.a.address });
    // one cookie round trip, one handshake each way, request packets: well under a second
    expect(p.scheduler.now()).toBeLessThan(100);
    expect(p.a.nc.counters.sent.cookieRequest).toBe(1);
    expect(p.b.nc.counters.sent.cookieResponse).toBe(1);
    expect(p.a.nc.counters.totalDropped() + p.b.nc.counters.totalDropped()).toBe(0);
  });

  it('both sides connecting at once end up with one connection each', async () => {
    const p = makePair(2);
    p.a.nc.connect(p.b.keys.publicKey, p.b.dhtKeys.publicKey, p.b.address, { reconnect: true });
    p.b.nc.connect(p.a.keys.publicKey, p.a.dhtKeys.publicKey, p.a.address, { reconnect: true });
    await p.scheduler.runUntil(() => p.a.nc.isConnected(p.b.keys.publicKey) && p.b.nc.isConnected(p.a.keys.publicKey), { timeoutMs: 5000 });
    await p.scheduler.advance(3000);
    expect(p.a.connected).toHaveLength(1);
    expect(p.b.connected).toHaveLength(1);
    expect(p.a.disconnected).toEqual([]);
    p.a.nc.sendLossless(p.b.keys.publicKey, bytesOf(160, 1));
    await p.scheduler.advance(100);
    expect(p.b.lossless.map((r) => r.id)).toEqual([160]);
  });

  it('an unknown peer is refused when no hook admits it, and the initiator gives up after 8 handshakes', async () => {
    const p = makePair(3);
    p.b.nc.onNewConnection = undefined;
    p.a.nc.connect(p.b.keys.publicKey, p.b.dhtKeys.publicKey, p.b.address);
    await p.scheduler.runUntil(() => p.a.disconnected.length > 0, { timeoutMs: 20_000 });
    expect(p.a.disconnected).toEqual([{ reason: 'handshakeTimeout', wasConnected: false }]);
    expect(p.a.nc.counters.sent.handshake).toBe(8);
    expect(p.b.nc.counters.droppedFor('notAdmitted')).toBe(8);
    expect(p.scheduler.now()).toBeGreaterThanOrEqual(7000);
    expect(p.scheduler.now()).toBeLessThan(9000);
  });

  it('cookie requests to a silent peer stop after 8 tries', async () => {
    const p = makePair(4);
    p.link.to(p.b.address).down = true;
    p.a.nc.connect(p.b.keys.publicKey, p.b.dhtKeys.publicKey, p.b.address);
    await p.scheduler.runUntil(() => p.a.disconnected.length > 0, { timeoutMs: 20_000 });
    expect(p.a.disconnected).toEqual([{ reason: 'handshakeTimeout', wasConnected: false }]);
    expect(p.a.nc.counters.sent.cookieRequest).toBe(8);
  });
});

describe('data', () => {
  it('delivers lossless packets in order and lossy ones as they come; the sender learns what was delivered', async () => {
    const p = makePair(5);
    await establish(p);
    const numbers: number[] = [];
    const delivered: number[] = [];
    p.a.nc.on('delivered', (_peer, below) => delivered.push(below));
    for (let i = 0; i < 300; i++) {
      const r = p.a.nc.sendLossless(p.b.keys.publicKey, bytesOf(64, i));
      expect(r.ok).toBe(true);
      if (r.ok) numbers.push(r.packetNumber);
    }
    expect(p.a.nc.sendLossy(p.b.keys.publicKey, Uint8Array.of(200, 1, 2))).toBe(true);
    expect(numbers).toEqual(Array.from({ length: 300 }, (_, i) => i));
    await p.scheduler.runUntil(() => p.a.nc.isDelivered(p.b.keys.publicKey, 299), { timeoutMs: 5000 });
    expect(p.b.lossless.map((r) => numberOf(r.payload))).toEqual(Array.from({ length: 300 }, (_, i) => i));
    expect(p.b.lossless.every((r) => r.id === 64 && r.payload.length === 99)).toBe(true);
    expect(p.b.lossy).toEqual([{ id: 200, payload: Uint8Array.of(1, 2) }]);
    expect(delivered.at(-1)).toBe(300);
    expect(p.a.nc.isDelivered(p.b.keys.publicKey, 300)).toBe(false);
    // acknowledgements are prompt: no waiting for the 1 s request cadence
    expect(p.scheduler.now()).toBeLessThan(500);
  });

  it('acknowledges ACK_DELAY_MS after new data, and at once when the data reveals a hole', async () => {
    const p = makePair(11);
    await establish(p);
    await p.scheduler.advance(100);
    const requests = (): number => p.b.nc.counters.requestsSent;
    const before = requests();
    for (let i = 0; i < 10; i++) p.a.nc.sendLossless(p.b.keys.publicKey, bytesOf(64, i));
    await p.scheduler.advance(5); // the link's latency
    expect(p.b.lossless).toHaveLength(10);
    expect(requests()).toBe(before);
    await p.scheduler.advance(ACK_DELAY_MS - 1);
    expect(requests()).toBe(before);
    await p.scheduler.advance(1);
    expect(requests()).toBe(before + 1);
    // The next packet is lost: the two after it open a hole, asked for without waiting.
    let dropped = false;
    p.link.to(p.b.address).tamper = (data) => (data[0] === 0x1b && !dropped ? ((dropped = true), null) : data);
    for (let i = 10; i < 13; i++) p.a.nc.sendLossless(p.b.keys.publicKey, bytesOf(64, i));
    await p.scheduler.advance(5);
    expect(p.b.lossless).toHaveLength(10);
    expect(requests()).toBe(before + 2);
    await p.scheduler.runUntil(() => p.b.lossless.length === 13, { timeoutMs: 1000 });
    expect(p.b.lossless.map((r) => numberOf(r.payload))).toEqual(Array.from({ length: 13 }, (_, i) => i));
  });

  it('retransmits what the link drops (every third data packet A→B)', async () => {
    const p = makePair(6);
    await establish(p);
    let n = 0;
    p.link.to(p.b.address).tamper = (data) => (data[0] === 0x1b && ++n % 3 === 0 ? null : data);
    for (let i = 0; i < 1000; i++) p.a.nc.sendLossless(p.b.keys.publicKey, bytesOf(160, i));
    await p.scheduler.runUntil(() => p.b.lossless.length === 1000, { timeoutMs: 60_000 });
    expect(p.b.lossless.map((r) => numberOf(r.payload))).toEqual(Array.from({ length: 1000 }, (_, i) => i));
    expect(p.a.nc.counters.losslessResent).toBeGreaterThan(0);
    await p.scheduler.runUntil(() => p.a.nc.isDelivered(p.b.keys.publicKey, 999), { timeoutMs: 10_000 });
  });

  it('paces a burst by the congestion window instead of sending it all at once', async () => {
    const p = makePair(7);
    await establish(p);
    const before = p.a.sent.length;
    for (let i = 0; i < 5000; i++) p.a.nc.sendLossless(p.b.keys.publicKey, bytesOf(64, i));
    expect(p.a.sent.length - before).toBe(64);
    expect(p.a.nc.connectionInfo(p.b.keys.publicKey)).toMatchObject({ inFlight: 64, queued: 5000, unsent: 4936 });
    await p.scheduler.runUntil(() => p.b.lossless.length === 5000, { timeoutMs: 10_000 });
    expect(p.a.nc.counters.losslessResent).toBe(0);
    expect(p.a.nc.connectionInfo(p.b.keys.publicKey)!.window).toBeGreaterThan(1000);
  });

  it('holds 32768 packets, then reports a full queue', async () => {
    const p = makePair(8);
    await establish(p);
    p.link.to(p.b.address).down = true;
    for (let i = 0; i < 32768; i++) expect(p.a.nc.sendLossless(p.b.keys.publicKey, Uint8Array.of(16)).ok).toBe(true);
    expect(p.a.nc.sendLossless(p.b.keys.publicKey, Uint8Array.of(16))).toEqual({ ok: false, reason: 'QUEUE_FULL' });
    expect(p.a.nc.sendQueueRoom(p.b.keys.publicKey)).toBe(0);
  });

  it('refuses misuse with typed errors and reports NOT_CONNECTED', () => {
    const p = makePair(9);
    const stranger = generateKeyPair(p.random).publicKey as never;
    expect(p.a.nc.sendLossless(stranger, Uint8Array.of(64))).toEqual({ ok: false, reason: 'NOT_CONNECTED' });
    for (const bad of [new Uint8Array(0), Uint8Array.of(5), Uint8Array.of(200), new Uint8Array(1374).fill(64)]) {
      let caught: unknown;
      try {
        p.a.nc.sendLossless(stranger, bad);
      } catch (err) {
        caught = err;
      }
      expect(isToxError(caught, 'INVALID_ARGUMENT')).toBe(true);
    }
    expect(() => p.a.nc.sendLossy(stranger, Uint8Array.of(64))).toThrow(/lossy packet id/);
    expect(() => p.a.nc.connect(p.a.keys.publicKey, p.a.dhtKeys.publicKey)).toThrow(/own key/);
  });
});

describe('connection end', () => {
  it('a kill packet closes the other side', async () => {
    const p = makePair(10);
    await establish(p);
    expect(p.a.nc.killConnection(p.b.keys.publicKey)).toBe(true);
    expect(p.a.disconnected).toEqual([{ reason: 'local', wasConnected: true }]);
    await p.scheduler.advance(50);
    expect(p.b.disconnected).toEqual([{ reason: 'killedByPeer', wasConnected: true }]);
    expect(p.b.nc.peers()).toEqual([]);
  });

  it('an established connection times out when the peer vanishes, and a wanted peer is reconnected when it returns', async () => {
    const p = makePair(11, { establishedTimeoutMs: 10_000 });
    p.a.nc.connect(p.b.keys.publicKey, p.b.dhtKeys.publicKey, p.b.address, { reconnect: true });
    await p.scheduler.runUntil(() => p.a.nc.isConnected(p.b.keys.publicKey) && p.b.nc.isConnected(p.a.keys.publicKey), { timeoutMs: 5000 });
    p.link.to(p.b.address).down = true;
    p.link.to(p.a.address).down = true;
    await p.scheduler.runUntil(() => p.a.disconnected.length > 0 && p.b.disconnected.length > 0, { timeoutMs: 20_000 });
    expect(p.a.disconnected[0]).toEqual({ reason: 'idleTimeout', wasConnected: true });
    expect(p.b.disconnected[0]).toEqual({ reason: 'idleTimeout', wasConnected: true });
    await p.scheduler.advance(30_000); // several failed attempts meanwhile
    expect(p.a.disconnected.slice(1).every((d) => d.reason === 'handshakeTimeout')).toBe(true);
    p.link.to(p.b.address).down = false;
    p.link.to(p.a.address).down = false;
    await p.scheduler.runUntil(() => p.a.nc.isConnected(p.b.keys.publicKey) && p.b.nc.isConnected(p.a.keys.publicKey), { timeoutMs: 15_000 });
    expect(p.a.connected).toHaveLength(2);
    p.a.nc.sendLossless(p.b.keys.publicKey, bytesOf(64, 7));
    await p.scheduler.advance(100);
    expect(p.b.lossless.map((r) => numberOf(r.payload))).toEqual([7]);
  });

  it('a wanted peer that restarts with a new DHT key is followed to it', async () => {
    const p = makePair(12);
    p.a.nc.connect(p.b.keys.publicKey, p.b.dhtKeys.publicKey, p.b.address, { reconnect: true });
    await p.scheduler.runUntil(() => p.a.nc.isConnected(p.b.keys.publicKey) && p.b.nc.isConnected(p.a.keys.publicKey), { timeoutMs: 5000 });
    p.b.nc.stop();
    const newDht = generateKeyPair<DhtPublicKey, DhtSecretKey>(p.random);
    const b2 = makeNode({ scheduler: p.scheduler, random: p.random.fork(), address: p.b.address, sendUdp: p.link.sender(p.b.address), keys: p.b.keys, dhtKeys: newDht });
    p.link.attach(p.b.address, b2.router);
    b2.nc.start();
    const keyChanges: DhtPublicKey[] = [];
    p.a.nc.on('dhtKeyChanged', (_peer, dhtPk) => keyChanges.push(dhtPk));
    b2.nc.connect(p.a.keys.publicKey, p.a.dhtKeys.publicKey, p.a.address, { reconnect: true });
    await p.scheduler.runUntil(() => p.a.nc.isConnected(p.b.keys.publicKey) && b2.nc.isConnected(p.a.keys.publicKey), { timeoutMs: 20_000 });
    expect(keyChanges).toEqual([newDht.publicKey]);
    expect(p.a.nc.connectionInfo(p.b.keys.publicKey)!.dhtPk).toEqual(newDht.publicKey);
    expect(p.a.disconnected[0]).toEqual({ reason: 'killedByPeer', wasConnected: true });
  });

  it('stop kills connections and leaves no timer; start again works', async () => {
    const p = makePair(13);
    const baseline = p.scheduler.pending() - 2; // the two engines' tick timers
    await establish(p);
    p.a.nc.sendLossless(p.b.keys.publicKey, bytesOf(64, 1));
    p.a.nc.stop();
    p.b.nc.stop();
    expect(p.a.disconnected).toEqual([{ reason: 'stopped', wasConnected: true }]);
    await p.scheduler.advance(1000); // in-flight datagrams land on stopped engines
    expect(p.scheduler.pending()).toBe(baseline);
    expect(p.b.router.stats.unknown).toBeGreaterThan(0);
    p.a.nc.start();
    p.b.nc.start();
    await establish(p);
  });
});

describe('TCP relays', () => {
  it('connects and carries data through the relay transport when UDP does not work', async () => {
    const scheduler = new ManualScheduler();
    const random = new SeededRandom(14);
    const link = new FakeLink(scheduler);
    const addrA = ipPort('10.0.0.1', 1);
    const addrB = ipPort('10.0.0.2', 1);
    const dhtA = generateKeyPair<DhtPublicKey, DhtSecretKey>(random);
    const dhtB = generateKeyPair<DhtPublicKey, DhtSecretKey>(random);
    const relay = generateKeyPair<DhtPublicKey, DhtSecretKey>(random).publicKey;
    const tcpA = new FakeTcp(dhtA.publicKey, scheduler, relay);
    const tcpB = new FakeTcp(dhtB.publicKey, scheduler, relay);
    tcpA.connectTo(tcpB);
    tcpB.connectTo(tcpA);
    const a = makeNode({ scheduler, random: random.fork(), address: addrA, sendUdp: link.sender(addrA), tcp: tcpA, dhtKeys: dhtA });
    const b = makeNode({ scheduler, random: random.fork(), address: addrB, sendUdp: link.sender(addrB), tcp: tcpB, dhtKeys: dhtB });
    link.attach(addrA, a.router);
    link.attach(addrB, b.router);
    link.to(addrA).down = true;
    link.to(addrB).down = true;
    const sources: unknown[] = [];
    b.nc.onNewConnection = (incoming) => {
      sources.push(incoming.source);
      return true;
    };
    a.nc.start();
    b.nc.start();
    a.nc.connect(b.keys.publicKey, dhtB.publicKey, addrB);
    await scheduler.runUntil(() => a.nc.isConnected(b.keys.publicKey) && b.nc.isConnected(a.keys.publicKey), { timeoutMs: 5000 });
    expect(sources).toEqual([{ kind: 'tcp', relay }]);
    for (let i = 0; i < 200; i++) a.nc.sendLossless(b.keys.publicKey, bytesOf(64, i));
    await scheduler.runUntil(() => b.lossless.length === 200, { timeoutMs: 10_000 });
    expect(b.lossless.map((r) => numberOf(r.payload))).toEqual(Array.from({ length: 200 }, (_, i) => i));
    expect(a.nc.connectionInfo(b.keys.publicKey)!.directUdp).toBe(false);
    expect(tcpB.sentOob).toBeGreaterThan(0); // the cookie response went back out of band
    // UDP comes back: the connection switches to it (small packets probe every 4 s)
    link.to(addrA).down = false;
    link.to(addrB).down = false;
    b.nc.setDirectEndpoint(a.keys.publicKey, addrA); // what friend_connection learns from the DHT
    await scheduler.runUntil(() => a.nc.connectionInfo(b.keys.publicKey)!.directUdp && b.nc.connectionInfo(a.keys.publicKey)!.directUdp, { timeoutMs: 15_000 });
    const viaTcp = tcpA.sentToPeer;
    a.nc.sendLossless(b.keys.publicKey, bytesOf(64, 1000));
    await scheduler.advance(100);
    expect(tcpA.sentToPeer).toBe(viaTcp);
    expect(b.lossless).toHaveLength(201);
  });
});
