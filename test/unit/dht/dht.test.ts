import { describe, expect, it } from 'vitest';
import { keyId } from '../../../src/crypto/index.js';

import { Dht, NodesResponse, PACKET_ID } from '../../../src/dht/index.js';
import { FakeNet } from './fake-net.js';

const ids = (dht: Dht): string[] => dht.getCloseList().map((n) => keyId(n.publicKey)).sort();

describe('Dht engine', () => {
  it('two nodes learn each other through ping-back after a one-way bootstrap', async () => {
    const net = new FakeNet();
    const a = net.node('10.0.0.1', 33445);
    const b = net.node('10.0.0.2', 33445);
    const events: string[] = [];
    a.dht.on('connected', () => events.push('a connected'));
    b.dht.on('connected', () => events.push('b connected'));
    a.dht.start();
    b.dht.start();
    expect(a.dht.bootstrap({ address: b.address, publicKey: b.dht.publicKey })).toBe(true);
    await net.scheduler.runUntil(() => a.dht.isConnected() && b.dht.isConnected(), { timeoutMs: 30_000, stepMs: 100 });
    expect(ids(a.dht)).toEqual([keyId(b.dht.publicKey)]);
    expect(ids(b.dht)).toEqual([keyId(a.dht.publicKey)]);
    expect(events.sort()).toEqual(['a connected', 'b connected']);
    // B's first (empty) nodes response was dropped by A, as c-toxcore does.
    expect(a.dht.counters.droppedFor('emptyNodesResponse')).toBeGreaterThan(0);
    a.dht.stop();
    b.dht.stop();
  });

  it('leaves no timer behind and sends nothing after stop', async () => {
    const net = new FakeNet();
    const before = net.scheduler.pending();
    const a = net.node('10.0.0.1', 1, { lanDiscovery: { send: true } });
    const b = net.node('10.0.0.2', 1);
    a.dht.start();
    b.dht.start();
    a.dht.bootstrap({ address: b.address, publicKey: b.dht.publicKey });
    await net.scheduler.advance(10_000);
    a.dht.stop();
    b.dht.stop();
    await net.scheduler.advance(10);
    const sent = net.log.length;
    expect(net.scheduler.pending()).toBe(before);
    await net.scheduler.advance(100_000);
    expect(net.log.length).toBe(sent);
    expect(a.dht.bootstrap({ address: b.address, publicKey: b.dht.publicKey })).toBe(false);
  });

  it('uses a fresh DHT key on every start and keeps real friends', async () => {
    const net = new FakeNet();
    const a = net.node('10.0.0.1', 1);
    const friend = net.node('10.0.0.9', 1).dht.publicKey;
    a.dht.addFriend(friend);
    a.dht.start();
    const first = keyId(a.dht.publicKey);
    a.dht.stop();
    a.dht.start();
    expect(keyId(a.dht.publicKey)).not.toBe(first);
    expect(a.dht.memoryFootprint().friends).toBe(3);
    a.dht.stop();
  });

  it('accepts several outstanding nodes requests to one node, answered in any order', async () => {
    const net = new FakeNet();
    const a = net.node('10.0.0.1', 1);
    const b = net.node('10.0.0.2', 1);
    const c = net.node('10.0.0.3', 1);
    for (const n of [a, b, c]) n.dht.start();
    c.dht.bootstrap({ address: b.address, publicKey: b.dht.publicKey });
    await net.scheduler.runUntil(() => ids(b.dht).includes(keyId(c.dht.publicKey)), { timeoutMs: 30_000, stepMs: 100 });
    // Reverse delivery order of B's responses to A.
    const held: Array<() => void> = [];
    net.filter = (p) => {
      if (p.from === b.address && p.data[0] === PACKET_ID.nodesResponse && p.to === a.address) {
        held.push(() => net.inject(b.address, a.address, p.data));
        return false;
      }
      return true;
    };
    for (let i = 0; i < 3; i++) a.dht.bootstrap({ address: b.address, publicKey: b.dht.publicKey });
    await net.scheduler.advance(5);
    expect(held).toHaveLength(3);
    net.filter = () => true;
    held.reverse().forEach((deliver) => deliver());
    expect(a.dht.counters.received.nodesResponse).toBe(3);
    expect(a.dht.counters.droppedFor('unknownRequest') + a.dht.counters.droppedFor('requestMismatch')).toBe(0);
    expect(ids(a.dht)).toContain(keyId(b.dht.publicKey));
  });

  it('answers and routes 0x20 packets by inner kind', async () => {
    const net = new FakeNet();
    const a = net.node('10.0.0.1', 1);
    const b = net.node('10.0.0.2', 1);
    const c = net.node('10.0.0.3', 1);
    for (const n of [a, b, c]) n.dht.start();
    a.dht.bootstrap({ address: b.address, publicKey: b.dht.publicKey });
    await net.scheduler.runUntil(() => ids(b.dht).includes(keyId(a.dht.publicKey)), { timeoutMs: 30_000, stepMs: 100 });
    const got: Array<[string, number[]]> = [];
    a.dht.registerCryptoHandler(0x9c, (sender, payload) => got.push([keyId(sender), [...payload]]));
    expect(() => a.dht.registerCryptoHandler(0x9c, () => {})).toThrow();
    // C hands B a packet for A; B forwards it unchanged.
    net.inject(c.address, b.address, c.dht.createRoutedPacket(a.dht.publicKey, 0x9c, new Uint8Array([1, 2, 3])));
    await net.scheduler.advance(5);
    expect(got).toEqual([[keyId(c.dht.publicKey), [1, 2, 3]]]);
    expect(b.dht.counters.forwarded).toBe(1);
    // Unknown receiver: dropped; unknown kind: dropped.
    net.inject(c.address, b.address, c.dht.createRoutedPacket(c.dht.publicKey, 0x9c, new Uint8Array([1])));
    net.inject(c.address, a.address, c.dht.createRoutedPacket(a.dht.publicKey, 0x42, new Uint8Array([1])));
    expect(b.dht.counters.droppedFor('noRoute')).toBe(1);
    expect(a.dht.counters.droppedFor('noCryptoHandler')).toBe(1);
  });

  it('answers LAN discovery from LAN sources only and ignores NGC announcement packets', () => {
    const net = new FakeNet();
    const a = net.node('10.0.0.1', 1);
    const b = net.node('10.0.0.2', 1);
    const far = net.node('198.51.100.1', 1);
    a.dht.start();
    const lan = (dht: Dht) => new Uint8Array([PACKET_ID.lanDiscovery, ...dht.publicKey]);
    net.inject(b.address, a.address, lan(b.dht));
    net.inject(far.address, a.address, lan(far.dht));
    net.inject(b.address, a.address, new Uint8Array([PACKET_ID.lanDiscovery, 1, 2]));
    net.inject(b.address, a.address, new Uint8Array([0x93, ...new Uint8Array(100)]));
    const requests = net.sentBy(a.address, PACKET_ID.nodesRequest);
    expect(requests.map((p) => p.to)).toEqual([b.address]);
    expect(a.dht.counters.droppedFor('notLan')).toBe(1);
    expect(a.dht.counters.droppedFor('malformed')).toBe(1);
    expect(a.dht.counters.received.ignoredAnnouncement).toBe(1);
    expect(a.router.stats.failed).toBe(0);
  });

  it('sends LAN discovery to loopback ports only unless broadcast is opted in', async () => {
    const net = new FakeNet();
    const a = net.node('10.0.0.1', 1, { lanDiscovery: { send: true, portRange: [40000, 40100] }, ipv6: true });
    a.dht.start();
    await net.scheduler.advance(25_000);
    const sent = net.sentBy(a.address, PACKET_ID.lanDiscovery);
    expect(sent.length).toBe(3 * 2 * 11);
    expect(new Set(sent.map((p) => p.to.ip))).toEqual(new Set(['127.0.0.1', '::1']));
    expect(sent.every((p) => p.to.port >= 40000 && p.to.port <= 40100)).toBe(true);
    a.dht.stop();
  });

  it('saves its nodes and reconnects from them', async () => {
    const net = new FakeNet();
    const a = net.node('10.0.0.1', 1);
    const b = net.node('10.0.0.2', 1);
    a.dht.start();
    b.dht.start();
    a.dht.bootstrap({ address: b.address, publicKey: b.dht.publicKey });
    await net.scheduler.runUntil(() => a.dht.isConnected(), { timeoutMs: 30_000, stepMs: 100 });
    const saved = a.dht.nodesToSave();
    expect(saved.map((n) => keyId(n.publicKey))).toContain(keyId(b.dht.publicKey));
    const c = net.node('10.0.0.3', 1);
    c.dht.loadSavedNodes(saved);
    c.dht.start();
    await net.scheduler.runUntil(() => c.dht.isConnected(), { timeoutMs: 30_000, stepMs: 100 });
    expect(ids(c.dht)).toContain(keyId(b.dht.publicKey));
  });

  it('never sends nodes responses with LAN addresses to non-LAN requesters', async () => {
    const net = new FakeNet();
    const a = net.node('198.51.100.1', 1);
    const lanPeer = net.node('10.0.0.2', 1);
    const far = net.node('203.0.113.5', 1);
    for (const n of [a, lanPeer, far]) n.dht.start();
    lanPeer.dht.bootstrap({ address: a.address, publicKey: a.dht.publicKey });
    await net.scheduler.runUntil(() => ids(a.dht).includes(keyId(lanPeer.dht.publicKey)), { timeoutMs: 30_000, stepMs: 100 });
    const sent: number[] = [];
    a.dht.on('nodesSent', (to, nodes) => {
      if (to.address.ip === far.address.ip) sent.push(nodes.length);
    });
    far.dht.bootstrap({ address: a.address, publicKey: a.dht.publicKey });
    await net.scheduler.advance(5);
    expect(sent).toEqual([0]);
    expect(NodesResponse.id).toBe(4);

  });
});
