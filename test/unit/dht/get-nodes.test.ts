// Dht.getNodes (c-toxcore's dht_getnodes): the onion client asks the UDP nodes of a friend's
// DHT-PK announcement for the friend's DHT key; the answer finds the friend without any bootstrap.
import { describe, expect, it } from 'vitest';
import { keyId } from '../../../src/crypto/index.js';
import { NodesRequest, PACKET_ID } from '../../../src/dht/index.js';
import { FakeNet } from './fake-net.js';

describe('Dht.getNodes', () => {
  it('a nodes request for a friend key to a node that knows the friend finds the friend', async () => {
    const net = new FakeNet();
    const a = net.node('10.0.0.1', 33445);
    const friend = net.node('10.0.0.2', 33445);
    const c = net.node('10.0.0.3', 33445);
    for (const n of [a, friend, c]) n.dht.start();
    c.dht.bootstrap({ address: friend.address, publicKey: friend.dht.publicKey });
    await net.scheduler.runUntil(() => c.dht.isConnected() && friend.dht.isConnected(), { timeoutMs: 30_000, stepMs: 100 });
    a.dht.addFriend(friend.dht.publicKey);
    await net.scheduler.advance(5_000);
    expect(a.dht.getFriendIp(friend.dht.publicKey)).toBeUndefined(); // a knows nobody yet

    expect(a.dht.getNodes({ address: c.address, publicKey: c.dht.publicKey }, friend.dht.publicKey)).toBe(true);
    const sent = net.sentBy(a.address, PACKET_ID.nodesRequest).at(-1)!;
    expect(NodesRequest.decode(sent.data).senderPk).toEqual(a.dht.publicKey);
    await net.scheduler.runUntil(() => a.dht.getFriendIp(friend.dht.publicKey) !== undefined, { timeoutMs: 10_000, stepMs: 100 });
    expect(a.dht.getCloseList().map((n) => keyId(n.publicKey))).toContain(keyId(c.dht.publicKey));
    for (const n of [a, friend, c]) n.dht.stop();
  });

  it('refuses our own key and sends nothing when stopped', () => {
    const net = new FakeNet();
    const a = net.node('10.0.0.1', 33445);
    const b = net.node('10.0.0.2', 33445);
    a.dht.start();
    expect(a.dht.getNodes({ address: b.address, publicKey: a.dht.publicKey }, b.dht.publicKey)).toBe(false);
    a.dht.stop();
    expect(a.dht.getNodes({ address: b.address, publicKey: b.dht.publicKey }, b.dht.publicKey)).toBe(false);
    expect(net.sentBy(a.address, PACKET_ID.nodesRequest)).toHaveLength(0);
  });
});
