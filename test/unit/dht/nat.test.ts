import { describe, expect, it } from 'vitest';
import { PACKET_ID } from '../../../src/dht/index.js';
import { FakeNet } from './fake-net.js';

describe('NAT ping and hole punching', () => {
  it('friends that cannot reach each other exchange NAT pings through routed packets and punch', async () => {
    const net = new FakeNet();
    const nodes = Array.from({ length: 14 }, (_, i) => net.node(`10.0.${i}.1`, 33445));
    const [a, b] = [nodes[0]!, nodes[1]!];
    // Everything between A and B directly is lost (a NAT that has not been punched yet).
    net.filter = (p) => !((p.from === a.address && p.to.ip === b.address.ip) || (p.from === b.address && p.to.ip === a.address.ip));
    for (const n of nodes) n.dht.start();
    a.dht.addFriend(b.dht.publicKey);
    b.dht.addFriend(a.dht.publicKey);
    for (const n of nodes.slice(1)) n.dht.bootstrap({ address: nodes[2]!.address, publicKey: nodes[2]!.dht.publicKey });
    a.dht.bootstrap({ address: nodes[3]!.address, publicKey: nodes[3]!.dht.publicKey });
    const punchedTo = () => net.log.filter((p) => p.from === a.address && p.to.ip === b.address.ip && p.data[0] === PACKET_ID.pingRequest);
    await net.scheduler.runUntil(() => punchedTo().length > 0, { timeoutMs: 300_000, stepMs: 500 });
    expect(a.dht.counters.received.natPing).toBeGreaterThan(0);
    expect(b.dht.counters.received.natPing).toBeGreaterThan(0);
    expect(nodes.some((n) => n.dht.counters.forwarded > 0)).toBe(true);
    expect(punchedTo()[0]!.to.port).toBe(b.address.port);
    expect(a.dht.getFriendIp(b.dht.publicKey)).toBeUndefined();
    for (const n of nodes) n.dht.stop();
  });
});
