import { describe, expect, it } from 'vitest';
import { SeededRandom } from '../../../src/base/index.js';
import { generateKeyPair, precompute, randomNonce, seal, type DhtPublicKey, type DhtSecretKey } from '../../../src/crypto/index.js';
import { ipPort } from '../../../src/net/index.js';
import { MAX_PENDING_REQUESTS, MAX_TO_PING, PACKET_ID, PingRequest, PingRequestPayload, PingResponsePayload } from '../../../src/dht/index.js';
import { FakeNet } from './fake-net.js';

const random = new SeededRandom(99);

function pingRequestFrom(sender: { publicKey: DhtPublicKey; secretKey: DhtSecretKey }, receiver: DhtPublicKey, pingId = 5n): Uint8Array {
  const nonce = randomNonce(random);
  const sealed = seal(precompute(receiver, sender.secretKey), nonce, PingRequestPayload.encode({ pingId }));
  return PingRequest.encode({ senderPk: sender.publicKey, nonce, sealed });
}

describe('hostile DHT input', () => {
  it('drops and counts malformed, oversized, wrong-key, self-sent and replayed packets', async () => {
    const net = new FakeNet();
    const a = net.node('10.0.0.1', 1);
    const b = net.node('10.0.0.2', 1);
    a.dht.start();
    b.dht.start();
    const evil = ipPort('10.6.6.6', 6);
    const attacker = generateKeyPair<DhtPublicKey, DhtSecretKey>(random);
    const good = pingRequestFrom(attacker, a.dht.publicKey);
    net.inject(evil, a.address, good.subarray(0, 81)); // truncated
    net.inject(evil, a.address, new Uint8Array([...good, 0])); // one byte too many
    net.inject(evil, a.address, new Uint8Array(3000).fill(PACKET_ID.routed)); // oversized routed
    net.inject(evil, a.address, new Uint8Array(114).fill(PACKET_ID.nodesRequest));
    const wrongKey = pingRequestFrom(attacker, b.dht.publicKey); // sealed for somebody else
    net.inject(evil, a.address, wrongKey);
    const flipped = new Uint8Array(good);
    flipped[70]! ^= 1;
    net.inject(evil, a.address, flipped);
    const self = new Uint8Array(good);
    self.set(a.dht.publicKey, 1);
    net.inject(evil, a.address, self);
    // A ping request whose inner type says "response".
    const nonce = randomNonce(random);
    const inner = PingResponsePayload.encode({ pingId: 1n });
    net.inject(evil, a.address, PingRequest.encode({ senderPk: attacker.publicKey, nonce, sealed: seal(precompute(a.dht.publicKey, attacker.secretKey), nonce, inner) }));
    const c = a.dht.counters;
    expect(c.droppedFor('malformed')).toBe(4);
    expect(c.droppedFor('decryptFailed')).toBe(2);
    expect(c.droppedFor('fromSelf')).toBe(1);
    expect(c.droppedFor('wrongInnerType')).toBe(1);
    expect(net.sentBy(a.address, PACKET_ID.pingResponse)).toHaveLength(0);

    // Replay: a genuine ping response from B delivered twice.
    a.dht.bootstrap({ address: b.address, publicKey: b.dht.publicKey });
    await net.scheduler.advance(3_000);
    const responses = net.sentBy(b.address, PACKET_ID.pingResponse).filter((p) => p.to === a.address);
    expect(responses.length).toBeGreaterThan(0);
    net.inject(b.address, a.address, responses[0]!.data);
    expect(c.droppedFor('unknownRequest')).toBeGreaterThanOrEqual(1);
    // The same response from another address does not match the request either.
    expect(a.router.stats.failed).toBe(0);
  });

  it('rejects a response from an address the request did not go to', async () => {
    const net = new FakeNet();
    const a = net.node('10.0.0.1', 1);
    const b = net.node('10.0.0.2', 1);
    a.dht.start();
    b.dht.start();
    net.filter = (p) => !(p.from === b.address && p.data[0] === PACKET_ID.pingResponse);
    a.dht.bootstrap({ address: b.address, publicKey: b.dht.publicKey });
    await net.scheduler.advance(3_000);
    // B answered A's ping; the answer (withheld above) now arrives from another address.
    const response = net.log.filter((p) => p.from === b.address && p.data[0] === PACKET_ID.pingResponse && p.to === a.address).at(-1);
    expect(response).toBeDefined();
    net.inject(ipPort('10.0.0.77', 1), a.address, response!.data);
    expect(a.dht.counters.droppedFor('requestMismatch')).toBe(1);
  });

  it('a flooding peer cannot grow memory without bound or starve others', () => {
    const net = new FakeNet();
    const a = net.node('10.0.0.1', 1);
    a.dht.start();
    const flooder = generateKeyPair<DhtPublicKey, DhtSecretKey>(random);
    const from = ipPort('10.6.6.6', 6);
    for (let i = 0; i < 5_000; i++) net.inject(from, a.address, pingRequestFrom(flooder, a.dht.publicKey, BigInt(i + 1)));
    const answered = net.sentBy(a.address, PACKET_ID.pingResponse).length;
    expect(answered).toBeLessThanOrEqual(64);
    expect(a.dht.counters.droppedFor('rateLimited')).toBe(5_000 - answered);
    // Someone else is still answered in the same second.
    const honest = generateKeyPair<DhtPublicKey, DhtSecretKey>(random);
    const honestAddress = ipPort('10.0.0.2', 2);
    net.inject(honestAddress, a.address, pingRequestFrom(honest, a.dht.publicKey));
    expect(net.sentBy(a.address, PACKET_ID.pingResponse).filter((p) => p.to === honestAddress)).toHaveLength(1);

    // Many identities on many ports: every table stays bounded.
    for (let i = 0; i < 3_000; i++) {
      const k = generateKeyPair<DhtPublicKey, DhtSecretKey>(random);
      net.inject(ipPort('10.7.0.1', 1000 + i), a.address, pingRequestFrom(k, a.dht.publicKey));
    }
    const sizes = a.dht.memoryFootprint();
    expect(sizes.toPing).toBeLessThanOrEqual(MAX_TO_PING);
    expect(sizes.pendingPings).toBeLessThanOrEqual(MAX_PENDING_REQUESTS);
    expect(sizes.rateLimitedSources).toBeLessThanOrEqual(4_096);
    expect(sizes.closeList).toBe(0);

  });
});
