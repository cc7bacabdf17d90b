// The onion client under hostile input (issue #4): forged, tampered, replayed and late announce
// responses, forged data responses and low-order keys (over UDP and over a TCP relay) are counted
// and dropped, never thrown; a routed DHT-PK must come from the DHT key it announces; a flood of
// responses naming endless new nodes leaves every table bounded.
import { describe, expect, it } from 'vitest';
import { SeededRandom, silentLogger } from '../../../src/base/index.js';
import { generateKeyPair, keysEqual, randomNonce, seal, precompute, type DhtPublicKey, type LongTermKeyPair } from '../../../src/crypto/index.js';
import { Dht } from '../../../src/dht/index.js';
import { formatIpPort, ipPort, PacketRouter, type PackedNode } from '../../../src/net/index.js';
import {
  ANNOUNCE_NODES,
  DhtPkPayload,
  DhtPkRouted,
  FRIEND_NODES,
  MAX_PATH_NODES,
  MAX_SENDBACKS,
  MAX_STORED_PINGED_NODES,
  OnionClient,
  PATHS_PER_SET,
  type OnionRelayPort,
} from '../../../src/onion/index.js';
import type { OnionRelayEvents } from '../../../src/tcp/index.js';
import { FakeNet } from '../dht/fake-net.js';
import { onionNodeOn, type OnionTestNode } from './onion-net.js';

function setup(count: number): { net: FakeNet; nodes: OnionTestNode[] } {
  const net = new FakeNet();
  const random = new SeededRandom(31);
  const nodes = Array.from({ length: count }, (_, i) => {
    const address = ipPort(`10.31.0.${i + 1}`, 33445);
    return onionNodeOn({ ...net.endpoint(address), address }, net.scheduler, random.fork());
  });
  for (const n of nodes) n.start();
  for (const n of nodes.slice(1)) n.dht.bootstrap({ address: nodes[0]!.address, publicKey: nodes[0]!.dht.publicKey });
  return { net, nodes };
}

const ZERO_KEY = new Uint8Array(32);

describe('onion client: hostile input', () => {
  it('drops tampered, replayed and late announce responses and forged data responses', async () => {
    const { net, nodes } = setup(3);
    const a = nodes[0]!;
    const held: Uint8Array[] = [];
    let hold = false;
    net.filter = (p) => {
      if (hold && formatIpPort(p.to) === formatIpPort(a.address) && p.data[0] === 0x84) {
        held.push(p.data);
        return false;
      }
      return true;
    };
    await net.scheduler.runUntil(() => a.client.isConnected(), { timeoutMs: 20_000, stepMs: 100 });
    hold = true;
    await net.scheduler.runUntil(() => held.length >= 3, { timeoutMs: 30_000, stepMs: 100 });
    hold = false;
    const [first, second, late] = held as [Uint8Array, Uint8Array, Uint8Array];
    const tampered = new Uint8Array(first);
    tampered[tampered.length - 1]! ^= 1;
    const drops = a.client.drops;
    net.inject(nodes[1]!.address, a.address, tampered);
    expect(drops.count('announceResponseDecrypt')).toBe(1);
    net.inject(nodes[1]!.address, a.address, first); // its sendback was spent by the forgery
    const responses = a.client.counters.announceResponses;
    net.inject(nodes[1]!.address, a.address, second);
    expect(a.client.counters.announceResponses).toBe(responses + 1);
    net.inject(nodes[1]!.address, a.address, second); // replayed
    expect(drops.count('unknownSendback')).toBe(2);
    await net.scheduler.advance(10_000);
    net.inject(nodes[1]!.address, a.address, late); // sendbacks live 10 s
    expect(drops.count('unknownSendback')).toBe(3);
    for (const bad of [Uint8Array.of(0x84, 1, 2), new Uint8Array(400).fill(0x84), Uint8Array.of(0x86), new Uint8Array(300).fill(0x86)]) net.inject(nodes[1]!.address, a.address, bad);
    // A data response whose temporary key is low-order.
    const lowOrder = new Uint8Array(1 + 24 + 32 + 100);
    lowOrder[0] = 0x86;
    net.inject(nodes[1]!.address, a.address, lowOrder);
    expect(drops.count('announceResponseMalformed')).toBe(2);
    expect(drops.count('dataResponseMalformed')).toBe(1);
    expect(drops.count('dataResponseDecrypt')).toBe(2);
    expect(a.router.stats.failed).toBe(0);
    for (const n of nodes) n.stop();
  });

  it('takes a routed DHT-PK only from the DHT key it announces, and never twice', async () => {
    const { net, nodes } = setup(3);
    const [a, b, c] = nodes as [OnionTestNode, OnionTestNode, OnionTestNode];
    a.client.addFriend(b.realKeys.publicKey);
    await net.scheduler.advance(5_000);
    const routed = (sender: OnionTestNode, announced: DhtPublicKey, noReplay: bigint) => {
      const nonce = randomNonce(new SeededRandom(Number(noReplay)));
      const plain = DhtPkPayload.encode({ noReplay, dhtPk: announced, nodes: [] });
      const payload = DhtPkRouted.encode({ senderPk: b.realKeys.publicKey, nonce, sealed: seal(precompute(a.realKeys.publicKey, b.realKeys.secretKey), nonce, plain) });
      net.inject(sender.address, a.address, sender.dht.createRoutedPacket(a.dht.publicKey, 0x9c, payload));
    };
    routed(c, b.dht.publicKey, 10n); // relayed by c but sent under c's DHT key
    expect(a.client.drops.count('dhtPkSenderMismatch')).toBe(1);
    expect(a.client.friendDhtKey(b.realKeys.publicKey)).toBeUndefined();
    routed(b, b.dht.publicKey, 10n);
    expect(keysEqual(a.client.friendDhtKey(b.realKeys.publicKey)!, b.dht.publicKey)).toBe(true);
    routed(b, b.dht.publicKey, 10n);
    routed(b, b.dht.publicKey, 9n);
    expect(a.client.drops.count('dhtPkReplay')).toBe(2);
    // From a stranger: not a friend.
    const nonce = randomNonce(new SeededRandom(1));
    const stranger = generateKeyPair(new SeededRandom(2)) as LongTermKeyPair;
    const payload = DhtPkRouted.encode({ senderPk: stranger.publicKey, nonce, sealed: new Uint8Array(16 + 41) });
    net.inject(c.address, a.address, c.dht.createRoutedPacket(a.dht.publicKey, 0x9c, payload));
    expect(a.client.drops.count('dhtPkNotFriend')).toBe(1);
    for (const n of nodes) n.stop();
  });

  it('keeps every table bounded when responses name endless new nodes', async () => {
    const { net, nodes } = setup(4);
    const a = nodes[0]!;
    a.client.addFriend(nodes[1]!.realKeys.publicKey);
    a.client.addFriend(generateKeyPair(new SeededRandom(3)).publicKey as never);
    // Every node D answers with 4 made-up nodes (unreachable addresses), fresh each time.
    const random = new SeededRandom(4);
    let made = 0;
    for (const d of nodes.slice(1)) {
      d.dht.closestNodes = () =>
        Array.from({ length: 4 }, (): PackedNode => ({ transport: 'udp', address: ipPort(`10.32.${(made >> 8) & 255}.${made++ & 255}`, 33445), publicKey: generateKeyPair(random).publicKey as DhtPublicKey }));
    }
    const peak: Record<string, number> = {};
    for (let t = 0; t < 60; t++) {
      await net.scheduler.advance(1_000);
      const now = a.client.memoryFootprint();
      for (const [k, v] of Object.entries(now)) peak[k] = Math.max(peak[k] ?? 0, v);
    }
    expect(made).toBeGreaterThan(300);
    expect(peak.sendbacks).toBeLessThanOrEqual(MAX_SENDBACKS);
    expect(peak.selfNodes).toBeLessThanOrEqual(ANNOUNCE_NODES);
    expect(peak.friendNodes).toBeLessThanOrEqual(2 * FRIEND_NODES);
    expect(peak.pathNodes).toBeLessThanOrEqual(MAX_PATH_NODES);
    expect(peak.recentlyAsked).toBeLessThanOrEqual(3 * MAX_STORED_PINGED_NODES);
    expect(peak.selfPaths! + peak.friendPaths!).toBeLessThanOrEqual(2 * PATHS_PER_SET);
    expect(a.router.stats.failed).toBe(0);
    for (const n of nodes) n.stop();
  });

  it('drops garbage and low-order keys arriving over a TCP relay without throwing', () => {
    const net = new FakeNet();
    const address = ipPort('10.33.0.1', 33445);
    const { router, socket } = net.endpoint(address);
    const log = silentLogger();
    const random = new SeededRandom(6);
    const dht = new Dht({ scheduler: net.scheduler, random: random.fork(), log, socket, router: new PacketRouter(log) }, { lanDiscovery: { send: false } });
    let listeners: Partial<OnionRelayEvents> = {};
    const tcp: OnionRelayPort = {
      setOnionEnabled: () => undefined,
      onionRelays: () => [],
      sendOnionRequest: () => false,
      subscribeOnion: (l) => {
        listeners = l;
        return () => (listeners = {});
      },
    };
    const client = new OnionClient({ scheduler: net.scheduler, random, log, socket, router, dht, realKeyPair: generateKeyPair(random) as LongTermKeyPair, tcp });
    dht.start();
    client.start();
    const relay = ZERO_KEY as DhtPublicKey;
    const lowOrder = new Uint8Array(1 + 24 + 32 + 100);
    lowOrder[0] = 0x86;
    for (const bad of [Uint8Array.of(0x84), Uint8Array.of(0x99, 1), new Uint8Array(0), lowOrder]) expect(() => listeners.onionResponse!(bad, relay)).not.toThrow();
    expect(client.drops.count('dataResponseDecrypt')).toBe(1);
    expect(client.drops.count('unexpectedResponse')).toBe(2);
    client.stop();
    dht.stop();
    expect(listeners).toEqual({});
  });
});
