// Onion over TCP (issue #4, tox-protocol.md §4.9): a node with no UDP reachability at all reaches
// the others only through one of our TCP relay servers (TcpRelayServer with the OnionRelay as its
// onion forwarder, TcpConnections as the client). With the relay as bootstrap path node (as
// tox_bootstrap would add it), it builds [relay, B, C] paths, becomes onion connected, and it and
// its friend on UDP learn each other's DHT keys; its DHT-PK names the relay as a TCP node.
import { afterEach, describe, expect, it } from 'vitest';
import { ManualScheduler, SeededRandom, silentLogger } from '../../src/base/index.js';
import { keysEqual } from '../../src/crypto/index.js';
import type { PackedNode } from '../../src/net/index.js';
import { SimNetwork } from '../../src/net/sim/index.js';
import { TcpConnections, TcpRelayServer } from '../../src/tcp/index.js';
import { simOnionNode, type OnionTestNode } from '../unit/onion/onion-net.js';

const cleanup: Array<() => unknown> = [];
afterEach(async () => {
  for (const fn of cleanup.splice(0).reverse()) await fn();
});

const knows = (a: OnionTestNode, b: OnionTestNode): boolean => {
  const k = a.client.friendDhtKey(b.realKeys.publicKey);
  return k !== undefined && keysEqual(k, b.dht.publicKey);
};

describe('onion over TCP', () => {
  it('a node without UDP goes onion connected through our TCP relay and finds its friend', async () => {
    const scheduler = new ManualScheduler();
    const seed = new SeededRandom(4009);
    const log = silentLogger();
    const sim = new SimNetwork({ scheduler, random: seed.fork(), conditions: { latencyMs: 20 } });
    // Public (non-LAN) addresses: c-toxcore ignores LAN nodes named in responses that came over TCP.
    const udpNodes: Array<OnionTestNode & { host: ReturnType<SimNetwork['host']> }> = [];
    for (let i = 0; i < 8; i++) udpNodes.push(await simOnionNode(sim, scheduler, `198.51.100.${i + 1}`, seed));
    let tcp: TcpConnections | undefined;
    const hidden = await simOnionNode(sim, scheduler, '203.0.113.9', seed, (dht, host) => {
      tcp = new TcpConnections({ net: host, scheduler, random: seed.fork(), log }, { keyPair: dht.keyPair });
      return tcp;
    });
    // No datagram reaches or leaves the hidden node.
    sim.filter((d) => (d.from.ip === hidden.address.ip || d.to.ip === hidden.address.ip ? 'drop' : 'pass'));

    const relayNode = udpNodes[0]!;
    const server = new TcpRelayServer({ net: relayNode.host, scheduler, random: seed.fork(), log, onion: relayNode.relay }, { keyPair: relayNode.dht.keyPair, host: relayNode.address.ip, port: 33445 });
    relayNode.relay.setTcpResponseSink(server);
    for (const n of [...udpNodes, hidden]) {
      n.start();
      cleanup.push(() => n.stop());
    }
    await server.start();
    cleanup.push(() => server.stop());
    for (const n of udpNodes.slice(1)) n.dht.bootstrap({ address: relayNode.address, publicKey: relayNode.dht.publicKey });

    const relay = { address: server.address, publicKey: server.publicKey };
    tcp!.addRelay(relay);
    tcp!.start();
    cleanup.push(() => tcp!.stop());
    // What tox_bootstrap(relay host, relay key) does for a TCP-only client: the relay's UDP node as bootstrap path node.
    hidden.dht.bootstrap({ address: relayNode.address, publicKey: relayNode.dht.publicKey });
    hidden.client.addBootstrapPathNode({ address: relayNode.address, publicKey: relayNode.dht.publicKey });

    const friend = udpNodes[5]!;
    hidden.client.addFriend(friend.realKeys.publicKey);
    friend.client.addFriend(hidden.realKeys.publicKey);
    const announced: PackedNode[][] = [];
    friend.client.on('friendDhtKey', (pk, _dhtPk, nodes) => {
      if (keysEqual(pk, hidden.realKeys.publicKey)) announced.push([...nodes]);
    });

    await scheduler.runUntil(() => hidden.client.isConnected(), {
      timeoutMs: 60_000,
      stepMs: 500,
      describe: () => ({ footprint: hidden.client.memoryFootprint(), counters: hidden.client.counters, relays: tcp!.relaySummaries() }),
    });
    const connectedAt = scheduler.now();
    expect(hidden.dht.isConnected()).toBe(false);
    expect(hidden.client.connectionStatus()).toBe('tcp');
    expect(relayNode.relay.forwarded.tcpRequest).toBeGreaterThan(0);
    expect(relayNode.relay.forwarded.tcpResponse).toBeGreaterThan(0);

    await scheduler.runUntil(() => knows(hidden, friend) && knows(friend, hidden), {
      timeoutMs: 120_000,
      stepMs: 500,
      describe: () => ({ hidden: hidden.client.counters, friend: friend.client.counters }),
    });
    expect(announced.some((nodes) => nodes.some((n) => n.transport === 'tcp' && keysEqual(n.publicKey, server.publicKey)))).toBe(true);
    expect(udpNodes.every((n) => n.client.connectionStatus() === 'udp')).toBe(true);
    console.log(
      `[onion tcp sim] UDP-less node onion connected after ${connectedAt / 1000} s, DHT keys exchanged with its friend after ${scheduler.now() / 1000} s virtual; ` +
        `relay ran ${relayNode.relay.forwarded.tcpRequest} TCP onion requests and returned ${relayNode.relay.forwarded.tcpResponse} responses`,
    );
  }, 60_000);
});
