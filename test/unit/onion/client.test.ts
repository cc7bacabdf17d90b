// The onion client on a small in-memory network (issue #4): the 3 s warm-up (skipped once two path nodes are known), connecting and
// stopping without leftovers, setFriendOnline (no searching while online; offline resets the
// no-replay counter), DHT-PK nodes asked through the DHT, and PATH_NODE load/save.
import { describe, expect, it, vi } from 'vitest';
import { SeededRandom } from '../../../src/base/index.js';
import { keysEqual, type DhtPublicKey } from '../../../src/crypto/index.js';
import { formatIpPort, ipPort, type PackedNode } from '../../../src/net/index.js';
import { FakeNet } from '../dht/fake-net.js';
import { onionNodeOn, type OnionTestNode } from './onion-net.js';

function setup(count: number, seed = 7): { net: FakeNet; nodes: OnionTestNode[] } {
  const net = new FakeNet();
  const random = new SeededRandom(seed);
  const nodes = Array.from({ length: count }, (_, i) => {
    const address = ipPort(`10.7.0.${i + 1}`, 33445);
    return onionNodeOn({ ...net.endpoint(address), address }, net.scheduler, random.fork());
  });
  for (const n of nodes) n.start();
  for (const n of nodes.slice(1)) n.dht.bootstrap({ address: nodes[0]!.address, publicKey: nodes[0]!.dht.publicKey });
  return { net, nodes };
}

const befriend = (a: OnionTestNode, b: OnionTestNode) => {
  a.client.addFriend(b.realKeys.publicKey);
  b.client.addFriend(a.realKeys.publicKey);
};
const knows = (a: OnionTestNode, b: OnionTestNode) => {
  const k = a.client.friendDhtKey(b.realKeys.publicKey);
  return k !== undefined && keysEqual(k, b.dht.publicKey);
};
const ONION_IDS = new Set([0x80, 0x81, 0x82, 0x83, 0x84, 0x85, 0x86, 0x8c, 0x8d, 0x8e]);

describe('OnionClient', () => {
  it('with one DHT node sends nothing for 3 s; connects within seconds, and stops without timers or traffic', async () => {
    const lonely = setup(2);
    await lonely.net.scheduler.advance(2_900);
    expect(lonely.net.log.filter((p) => ONION_IDS.has(p.data[0]!))).toHaveLength(0);
    await lonely.net.scheduler.runUntil(() => lonely.nodes.every((n) => n.client.isConnected()), { timeoutMs: 20_000, stepMs: 100 });
    for (const n of lonely.nodes) n.stop();

    // With two path nodes known the startup does not wait for the warm-up (beyond c-toxcore, timing only).
    const { net, nodes } = setup(3);
    await net.scheduler.advance(2_000);
    expect(nodes[0]!.client.counters.announcesSent).toBeGreaterThan(0);
    await net.scheduler.runUntil(() => nodes.every((n) => n.client.isConnected()), { timeoutMs: 20_000, stepMs: 100 });
    expect(net.scheduler.now()).toBeLessThan(10_000);
    expect(nodes[0]!.client.connectionStatus()).toBe('tcp'); // loopback-like LAN: c-toxcore reports TCP
    const events: string[] = [];
    nodes[0]!.client.on('disconnected', () => events.push('disconnected'));
    for (const n of nodes) n.stop();
    expect(events).toEqual(['disconnected']);
    await net.scheduler.advance(100);
    const sent = net.log.length;
    expect(net.scheduler.pending()).toBe(0);
    await net.scheduler.advance(60_000);
    expect(net.log.length).toBe(sent);
  });

  it('does not search for an online friend; offline again, it searches and accepts a DHT-PK replayed from before', async () => {
    const { net, nodes } = setup(3);
    const [a, b] = nodes as [OnionTestNode, OnionTestNode];
    befriend(a, b);
    const toA: Uint8Array[] = [];
    net.filter = (p) => {
      if (formatIpPort(p.to) === formatIpPort(a.address) && p.data[0] === 0x86) toA.push(p.data);
      return true;
    };
    await net.scheduler.runUntil(() => knows(a, b) && knows(b, a) && toA.length > 0, { timeoutMs: 60_000, stepMs: 100 });
    const accepted = a.client.counters.dhtPkReceived;
    net.inject(b.address, a.address, toA[0]!);
    expect(a.client.counters.dhtPkReceived).toBe(accepted);
    expect(a.client.drops.count('dhtPkReplay')).toBeGreaterThan(0);

    a.client.setFriendOnline(b.realKeys.publicKey, true);
    await net.scheduler.advance(2_000);
    const searches = a.client.counters.searchesSent;
    const dhtPks = a.client.counters.dhtPkOnionSent + a.client.counters.dhtPkDhtSent;
    await net.scheduler.advance(60_000);
    expect(a.client.counters.searchesSent).toBe(searches);
    expect(a.client.counters.dhtPkOnionSent + a.client.counters.dhtPkDhtSent).toBe(dhtPks);

    a.client.setFriendOnline(b.realKeys.publicKey, false);
    const before = a.client.counters.dhtPkReceived;
    net.inject(b.address, a.address, toA[0]!); // no-replay counter reset: the old copy counts again
    expect(a.client.counters.dhtPkReceived).toBe(before + 1);
    await net.scheduler.advance(10_000);
    expect(a.client.counters.searchesSent).toBeGreaterThan(searches);
    for (const n of nodes) n.stop();
  });

  it('sends DHT-PK as a routed packet straight to a friend the DHT reaches directly (beyond c-toxcore, which it accepts)', async () => {
    const { net, nodes } = setup(3);
    const [a, b] = nodes as [OnionTestNode, OnionTestNode];
    befriend(a, b);
    await net.scheduler.runUntil(() => knows(a, b) && a.dht.getFriendIp(b.dht.publicKey) !== undefined && a.client.counters.dhtPkDhtSent > 0, { timeoutMs: 60_000, stepMs: 100 });
    const direct = net.sentBy(a.address, 0x20).filter((p) => formatIpPort(p.to) === formatIpPort(b.address));
    expect(direct.length).toBeGreaterThan(0);
    expect(direct.every((p) => keysEqual(p.data.subarray(1, 33), b.dht.publicKey))).toBe(true);
    // b's DHT took them as addressed to itself and its onion client opened them.
    await net.scheduler.advance(10);
    expect(b.dht.counters.received.routed).toBeGreaterThanOrEqual(direct.length);
    expect(b.client.drops.count('routedDhtPkDecrypt') + b.client.drops.count('dhtPkSenderMismatch') + b.client.drops.count('routedDhtPkMalformed')).toBe(0);
    for (const n of nodes) n.stop();
  });

  it('asks the UDP nodes of a received DHT-PK, except itself, for the friend (c-toxcore dht_getnodes)', async () => {
    const { net, nodes } = setup(4);
    const [a, b] = nodes as [OnionTestNode, OnionTestNode];
    befriend(a, b);
    const getNodes = vi.spyOn(a.dht, 'getNodes');
    const announced: PackedNode[][] = [];
    a.client.on('friendDhtKey', (pk, dhtPk, list) => {
      if (keysEqual(pk, b.realKeys.publicKey) && keysEqual(dhtPk, b.dht.publicKey)) announced.push([...list]);
    });
    await net.scheduler.runUntil(() => announced.length > 0, { timeoutMs: 60_000, stepMs: 100 });
    const udp = announced[0]!.filter((n) => n.transport === 'udp');
    expect(udp.length).toBeGreaterThan(0);
    for (const node of udp) {
      // Never ourselves (a node b lists may be us).
      if (keysEqual(node.publicKey, a.dht.publicKey)) expect(getNodes).not.toHaveBeenCalledWith(node, b.dht.publicKey as DhtPublicKey);
      else expect(getNodes).toHaveBeenCalledWith(node, b.dht.publicKey as DhtPublicKey);
    }
    for (const n of nodes) n.stop();
  });

  it('saves path nodes newest first, then bootstrap ones, and loads the PATH_NODE section as bootstrap nodes', async () => {
    const { net, nodes } = setup(3);
    const a = nodes[0]!;
    const saved: PackedNode[] = [9, 8].map((i) => ({ transport: 'udp', address: ipPort(`10.9.9.${i}`, 1), publicKey: new Uint8Array(32).fill(i) as DhtPublicKey }));
    a.client.loadPathNodes([...saved, { transport: 'tcp', address: ipPort('10.9.9.7', 1), publicKey: new Uint8Array(32).fill(7) as DhtPublicKey }]);
    expect(a.client.memoryFootprint().bootstrapPathNodes).toBe(2);
    expect(a.client.pathNodesToSave()).toEqual(saved); // no path node learned yet
    expect(a.client.addBootstrapPathNode({ address: a.address, publicKey: a.dht.publicKey })).toBe(false); // our own key
    await net.scheduler.runUntil(() => a.client.isConnected(), { timeoutMs: 20_000, stepMs: 100 });
    const out = a.client.pathNodesToSave();
    expect(out).toHaveLength(4); // 2 peers (path nodes), then the 2 bootstrap nodes
    expect(out.slice(0, 2).map((n) => formatIpPort(n.address)).sort()).toEqual([nodes[1]!, nodes[2]!].map((n) => formatIpPort(n.address)).sort());
    expect(out.slice(2)).toEqual(saved);
    expect(a.client.pathNodesToSave(3)).toHaveLength(3);
    for (const n of nodes) n.stop();
  });
  it('lists itself first in its DHT-PK when bound to a concrete address, so a friend in a 2-node network finds it (beyond c-toxcore)', async () => {
    const net = new FakeNet();
    const random = new SeededRandom(11);
    const nodes = ['10.7.1.1', '10.7.1.2'].map((ip, i) => {
      const address = ipPort(ip, 33445);
      const end = net.endpoint(address);
      // The second node's socket is bound to a wildcard address: it cannot name itself.
      const local = i === 0 ? address : ipPort('0.0.0.0', 33445);
      return onionNodeOn({ router: end.router, socket: { send: (to, data) => end.socket.send(to, data), local }, address }, net.scheduler, random.fork());
    }) as [OnionTestNode, OnionTestNode];
    const [a, b] = nodes;
    for (const n of nodes) n.start();
    b.dht.bootstrap({ address: a.address, publicKey: a.dht.publicKey });
    befriend(a, b);
    const heard = new Map<OnionTestNode, readonly PackedNode[]>();
    a.client.on('friendDhtKey', (_pk, _dht, list) => heard.set(a, list));
    b.client.on('friendDhtKey', (_pk, _dht, list) => heard.set(b, list));
    await net.scheduler.runUntil(() => heard.size === 2, { timeoutMs: 60_000, stepMs: 100 });
    const fromA = heard.get(b)!;
    expect(fromA[0]).toMatchObject({ transport: 'udp', address: a.address });
    expect(keysEqual(fromA[0]!.publicKey, a.dht.publicKey)).toBe(true);
    expect(heard.get(a)!.some((n) => keysEqual(n.publicKey, b.dht.publicKey))).toBe(false);
    for (const n of nodes) n.stop();
  });
});
