// Onion relay, node D and client under hostile input (issue #4): bad sizes, tampered return
// paths, forged ping ids and forged data are dropped; tables stay bounded under a flood;
// the relay rotates its return-path key; stop() leaves no timer.
import { describe, expect, it } from 'vitest';
import { SeededRandom } from '../../../src/base/index.js';
import { generateKeyPair, open, randomNonce, seal, precompute, type DhtPublicKey, type EphemeralKeyPair } from '../../../src/crypto/index.js';
import { ipPort } from '../../../src/net/index.js';
import {
  ANNOUNCE_MAX_ENTRIES,
  AnnounceRequest,
  AnnounceRequestPlain,
  OnionResponse1,
  OnionResponse3,
  RETURN_1,
} from '../../../src/onion/index.js';
import { PingIds } from '../../../src/onion/announce/ping-id.js';
import { createPath, wrapOnion } from '../../../src/onion/client/paths.js';
import { FakeNet } from '../dht/fake-net.js';
import { onionNodeOn, type OnionTestNode } from './onion-net.js';

function setup(count: number): { net: FakeNet; nodes: OnionTestNode[] } {
  const net = new FakeNet();
  const seed = new SeededRandom(99);
  const nodes = Array.from({ length: count }, (_, i) => {
    const address = ipPort(`10.9.0.${i + 1}`, 33445);
    return onionNodeOn({ ...net.endpoint(address), address }, net.scheduler, seed.fork());
  });
  for (const n of nodes) n.start();
  return { net, nodes };
}

/** A path A,B,C over `hops` and an announce for `d`, as our client would build it. */
function announceThrough(hops: OnionTestNode[], d: OnionTestNode, sender: OnionTestNode, keys: EphemeralKeyPair, pingId = new Uint8Array(32)) {
  const random = new SeededRandom(5);
  const path = createPath(hops.map((h) => ({ publicKey: h.dht.publicKey, address: h.address })) as never, 0, sender.dht.keyPair, random, 0)!;
  const nonce = randomNonce(random);
  const plain = AnnounceRequestPlain.encode({ pingId, searchedPk: keys.publicKey, dataPk: keys.publicKey, sendback: new Uint8Array(8) });
  const request = AnnounceRequest.encode({ nonce, senderPk: keys.publicKey, sealed: seal(precompute(d.dht.publicKey, keys.secretKey), nonce, plain) });
  return wrapOnion(path, sender.dht.publicKey, d.address, request, random);
}

describe('onion relay and node D', () => {
  it('relays an announce over A,B,C to D and the response back; a repeated node and D = sender work', async () => {
    const { net, nodes } = setup(3);
    const [s, x, y] = nodes as [OnionTestNode, OnionTestNode, OnionTestNode];
    const keys = generateKeyPair(new SeededRandom(1)) as EphemeralKeyPair;
    const out = announceThrough([x, x, y], s, s, keys);
    expect(out.kind).toBe('udp');
    if (out.kind === 'udp') net.inject(s.address, out.to, out.data);
    await net.scheduler.advance(50);
    expect(x.relay.forwarded.request0 + x.relay.forwarded.request1).toBe(2);
    expect(y.relay.forwarded.request2).toBe(1);
    expect(s.announce.counters.announceRequests).toBe(1);
    expect(x.relay.forwarded.response1).toBe(1);
    // The bare 0x84 reached s (its client drops it: no matching sendback).
    expect(s.client.drops.count('unknownSendback')).toBe(1);
    for (const n of nodes) n.stop();
    await net.scheduler.advance(10);
    expect(net.scheduler.pending()).toBe(0);
  });

  it('drops bad sizes, tampered return paths and responses after key rotation', async () => {
    const { net, nodes } = setup(2);
    const [a, b] = nodes as [OnionTestNode, OnionTestNode];
    for (const bad of [new Uint8Array([0x80]), new Uint8Array(226).fill(0x80), new Uint8Array(1401).fill(0x80), new Uint8Array(218).fill(0x81), new Uint8Array(210).fill(0x82)]) {
      net.inject(a.address, b.address, bad);
    }
    expect(b.relay.drops.total).toBe(5);
    expect(b.router.stats.failed).toBe(0);
    // Build a real return blob by relaying one request, then tamper with it.
    const keys = generateKeyPair(new SeededRandom(2)) as EphemeralKeyPair;
    const out = announceThrough([b, b, b], a, a, keys);
    if (out.kind === 'udp') net.inject(a.address, out.to, out.data);
    const seen: Uint8Array[] = [];
    net.filter = (p) => {
      if (p.data[0] === 0x8e) seen.push(p.data);
      return true;
    };
    await net.scheduler.advance(50);
    expect(seen.length).toBe(1);
    const response = OnionResponse1.decode(seen[0]!);
    const tampered = new Uint8Array(response.returnPath);
    tampered[RETURN_1 - 1]! ^= 1;
    net.inject(a.address, b.address, OnionResponse1.encode({ returnPath: tampered, payload: response.payload }));
    expect(b.relay.drops.count('response1ReturnPath')).toBe(1);
    net.inject(a.address, b.address, OnionResponse1.encode({ returnPath: response.returnPath, payload: new Uint8Array([0x99, 1, 2]) }));
    expect(b.relay.drops.count('response1PayloadId')).toBe(1);
    const before = b.relay.forwarded.response1;
    net.inject(a.address, b.address, seen[0]!);
    expect(b.relay.forwarded.response1).toBe(before + 1);
    b.relay.rotateKey();
    net.inject(a.address, b.address, seen[0]!);
    expect(b.relay.drops.count('response1ReturnPath')).toBe(2);
    for (const n of nodes) n.stop();
  });

  it('a forged ping id stores nothing; data for an unknown key is dropped; a flood stays bounded', async () => {
    const { net, nodes } = setup(2);
    const [a, d] = nodes as [OnionTestNode, OnionTestNode];
    const random = new SeededRandom(3);
    const returnPath = new Uint8Array(177);
    const announce = (keys: EphemeralKeyPair, pingId: Uint8Array) => {
      const nonce = randomNonce(random);
      const plain = AnnounceRequestPlain.encode({ pingId, searchedPk: keys.publicKey, dataPk: keys.publicKey, sendback: new Uint8Array(8) });
      const request = AnnounceRequest.encode({ nonce, senderPk: keys.publicKey, sealed: seal(precompute(d.dht.publicKey as DhtPublicKey, keys.secretKey), nonce, plain) });
      const full = new Uint8Array(354);
      full.set(request);
      full.set(returnPath, 177);
      net.inject(a.address, d.address, full);
    };
    const victim = generateKeyPair(random) as EphemeralKeyPair;
    announce(victim, random.bytes(32));
    expect(d.announce.counters.stored).toBe(0);
    const data = new Uint8Array(400);
    data[0] = 0x85;
    data.set(victim.publicKey, 1);
    net.inject(a.address, d.address, data);
    expect(d.announce.drops.count('dataUnknownDestination')).toBe(1);
    // Flood: 400 keys each announce with the ping id D handed out (captured from D's 0x8C replies).
    const replies: Uint8Array[] = [];
    net.filter = (p) => {
      if (p.data[0] === 0x8c) replies.push(p.data);
      return false;
    };
    const flooders = Array.from({ length: 400 }, () => generateKeyPair(random) as EphemeralKeyPair);
    for (const k of flooders) announce(k, new Uint8Array(32));
    for (const [i, k] of flooders.entries()) {
      const payload = OnionResponse3.decode(replies[i]!).payload;
      // 0x84: [8 sendback][24 nonce][sealed]; open with the flooder's key to read its ping id.
      const plain = open(precompute(d.dht.publicKey, k.secretKey), payload.subarray(9, 33) as never, payload.subarray(33))!;
      announce(k, plain.subarray(1, 33));
    }
    expect(d.announce.counters.stored).toBeGreaterThan(ANNOUNCE_MAX_ENTRIES);
    expect(d.announce.entries.size).toBeLessThanOrEqual(ANNOUNCE_MAX_ENTRIES);
    expect(a.router.stats.failed + d.router.stats.failed).toBe(0);
    for (const n of nodes) n.stop();
  });

  it('ping ids are bound to the key, node C\'s address and a 300 s window: replays elsewhere or later fail', () => {
    const ids = new PingIds(new SeededRandom(12));
    const key = new Uint8Array(32).fill(1);
    const other = new Uint8Array(32).fill(2);
    const c = ipPort('10.9.0.3', 33445);
    const t = 1_000_000;
    const id = ids.issue(key, c, t);
    expect(ids.verify(id, key, c, t)).toBe(true);
    expect(ids.verify(id, key, c, t + 299_000)).toBe(true);
    expect(ids.verify(id, other, c, t)).toBe(false);
    expect(ids.verify(id, key, ipPort('10.9.0.4', 33445), t)).toBe(false);
    expect(ids.verify(id, key, ipPort('10.9.0.3', 33446), t)).toBe(false);
    expect(ids.verify(id, key, c, t + 600_000)).toBe(false);
    expect(new PingIds(new SeededRandom(13)).verify(id, key, c, t)).toBe(false); // another node's secret
  });

  it('a ping id replayed by another key stores nothing; the genuine owner is stored', async () => {
    const { net, nodes } = setup(2);
    const [a, d] = nodes as [OnionTestNode, OnionTestNode];
    const random = new SeededRandom(14);
    const replies: Uint8Array[] = [];
    net.filter = (p) => {
      if (p.data[0] === 0x8c) replies.push(p.data);
      return false;
    };
    const announce = (keys: EphemeralKeyPair, pingId: Uint8Array) => {
      const nonce = randomNonce(random);
      const plain = AnnounceRequestPlain.encode({ pingId, searchedPk: keys.publicKey, dataPk: keys.publicKey, sendback: new Uint8Array(8) });
      const request = AnnounceRequest.encode({ nonce, senderPk: keys.publicKey, sealed: seal(precompute(d.dht.publicKey, keys.secretKey), nonce, plain) });
      const full = new Uint8Array(354);
      full.set(request);
      net.inject(a.address, d.address, full);
    };
    const owner = generateKeyPair(random) as EphemeralKeyPair;
    const thief = generateKeyPair(random) as EphemeralKeyPair;
    announce(owner, new Uint8Array(32));
    const payload = OnionResponse3.decode(replies[0]!).payload;
    const pingId = open(precompute(d.dht.publicKey, owner.secretKey), payload.subarray(9, 33) as never, payload.subarray(33))!.subarray(1, 33);
    announce(thief, pingId);
    expect(d.announce.counters.stored).toBe(0);
    announce(owner, pingId);
    expect(d.announce.counters.stored).toBe(1);
    expect(d.announce.entries.get(owner.publicKey, net.scheduler.now())).toBeDefined();
    expect(d.announce.entries.get(thief.publicKey, net.scheduler.now())).toBeUndefined();
    for (const n of nodes) n.stop();
  });

  it('drops onion layers and announces under low-order keys without throwing', () => {
    const { nodes } = setup(2);
    const [a, b] = nodes as [OnionTestNode, OnionTestNode];
    const request0 = new Uint8Array(300);
    request0[0] = 0x80; // [24 nonce][32 sender DHT pk = 0]...
    const request1 = new Uint8Array(300);
    request1[0] = 0x81;
    const announce = new Uint8Array(354);
    announce[0] = 0x83;
    for (const packet of [request0, request1, announce]) b.router.dispatch(packet, a.address);
    expect(b.relay.drops.count('request0Decrypt')).toBe(1);
    expect(b.relay.drops.count('request1Decrypt')).toBe(1);
    expect(b.announce.drops.count('announceDecrypt')).toBe(1);
    expect(b.router.stats.failed).toBe(0);
    for (const n of nodes) n.stop();
  });
});
