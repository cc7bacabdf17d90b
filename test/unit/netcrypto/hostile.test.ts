// Hostile input against the net_crypto engine: forged and stale handshakes, replayed and
// out-of-window data packets, malformed and oversized packets, unknown sources and random
// bytes. Everything is counted and dropped; nothing throws past the router, and a real
// connection keeps working.
import { describe, expect, it } from 'vitest';
import { SeededRandom } from '../../../src/base/index.js';
import { generateKeyPair, precompute, type DhtPublicKey, type DhtSecretKey, type LongTermPublicKey, type LongTermSecretKey } from '../../../src/crypto/index.js';
import { ipPort, type IpPort } from '../../../src/net/index.js';
import { CookieJar } from '../../../src/netcrypto/cookie-jar.js';
import { createCookieRequest, createHandshake, openCookieResponse } from '../../../src/netcrypto/handshake-packets.js';
import { bytesOf, establish, makePair, numberOf, type Pair } from './helpers.js';

const MALLORY = ipPort('10.0.0.66', 4444);

/** Mallory asks B for a cookie naming `claimedRealPk`, from Mallory's DHT key. */
function cookieFromB(p: Pair, claimedRealPk: LongTermPublicKey, random: SeededRandom): { cookie: Uint8Array; dht: ReturnType<typeof generateKeyPair<DhtPublicKey, DhtSecretKey>> } {
  const dht = generateKeyPair<DhtPublicKey, DhtSecretKey>(random);
  const key = precompute(p.b.dhtKeys.publicKey, dht.secretKey);
  const echo = random.bytes(8);
  const before = p.b.sent.length;
  p.b.router.dispatch(createCookieRequest(random, dht.publicKey, key, claimedRealPk, echo), MALLORY);
  const response = p.b.sent.slice(before).find((s) => s.data[0] === 0x19)!;
  const cookie = openCookieResponse(response.data, key, echo);
  if (typeof cookie === 'string') throw new Error(cookie);
  return { cookie, dht };
}

function handshakeWith(
  p: Pair,
  random: SeededRandom,
  cookie: Uint8Array,
  signer: { secretKey: LongTermSecretKey },
  claimed: LongTermPublicKey,
  dhtPk: DhtPublicKey,
  sessionPk: Uint8Array = generateKeyPair(random).publicKey,
): Uint8Array {
  const jar = new CookieJar(p.scheduler, random);
  return createHandshake(random, jar, {
    peerCookie: cookie,
    baseNonce: random.bytes(24),
    sessionPk: sessionPk as never,
    peerRealPk: claimed,
    peerDhtPk: dhtPk,
    realSharedKey: precompute(p.b.keys.publicKey, signer.secretKey),
  });
}

describe('handshakes', () => {
  it('refuses a handshake claiming a key it cannot seal for (cookie names A, body sealed by Mallory)', async () => {
    const p = makePair(21);
    const random = new SeededRandom(99);
    let asked = 0;
    p.b.nc.onNewConnection = () => (asked++, true);
    const mallory = generateKeyPair<LongTermPublicKey, LongTermSecretKey>(random);
    const { cookie, dht } = cookieFromB(p, p.a.keys.publicKey, random);
    p.b.router.dispatch(handshakeWith(p, random, cookie, mallory, p.a.keys.publicKey, dht.publicKey), MALLORY);
    expect(p.b.nc.counters.droppedFor('decryptFailed')).toBe(1);
    expect(asked).toBe(0);
    expect(p.b.nc.peers()).toEqual([]);
  });

  it('refuses a stale cookie (older than 15 s) and accepts the same handshake with a fresh one', async () => {
    const p = makePair(22);
    const random = new SeededRandom(98);
    const mallory = generateKeyPair<LongTermPublicKey, LongTermSecretKey>(random);
    const stale = cookieFromB(p, mallory.publicKey, random);
    await p.scheduler.advance(16_500);
    p.b.router.dispatch(handshakeWith(p, random, stale.cookie, mallory, mallory.publicKey, stale.dht.publicKey), MALLORY);
    expect(p.b.nc.counters.droppedFor('staleCookie')).toBe(1);
    expect(p.b.nc.peers()).toEqual([]);
    const fresh = cookieFromB(p, mallory.publicKey, random);
    p.b.router.dispatch(handshakeWith(p, random, fresh.cookie, mallory, mallory.publicKey, fresh.dht.publicKey), MALLORY);
    expect(p.b.nc.connectionInfo(mallory.publicKey)?.state).toBe('notConfirmed');
  });

  it('refuses cookies minted by someone else and tampered ones', async () => {
    const p = makePair(23);
    const random = new SeededRandom(97);
    const mallory = generateKeyPair<LongTermPublicKey, LongTermSecretKey>(random);
    const foreign = new CookieJar(p.scheduler, random).mint(mallory.publicKey, random.bytes(32));
    p.b.router.dispatch(handshakeWith(p, random, foreign, mallory, mallory.publicKey, random.bytes(32) as DhtPublicKey), MALLORY);
    const { cookie, dht } = cookieFromB(p, mallory.publicKey, random);
    const packet = handshakeWith(p, random, cookie, mallory, mallory.publicKey, dht.publicKey);
    packet[1 + 112 + 24 + 100]! ^= 1; // inside the sealed body
    p.b.router.dispatch(packet, MALLORY);
    const hashed = handshakeWith(p, random, cookie, mallory, mallory.publicKey, dht.publicKey);
    hashed[30]! ^= 1; // inside the outer cookie
    p.b.router.dispatch(hashed, MALLORY);
    expect(p.b.nc.counters.droppedFor('badCookie')).toBe(2);
    expect(p.b.nc.counters.droppedFor('decryptFailed')).toBe(1);
    expect(p.b.nc.peers()).toEqual([]);
  });

  it('refuses low-order keys: a cookie request from one, a handshake with one as session key', async () => {
    const p = makePair(27);
    const random = new SeededRandom(96);
    const lowOrder = new Uint8Array(32); // the all-zero point
    p.b.router.dispatch(createCookieRequest(random, lowOrder as DhtPublicKey, random.bytes(32) as never, p.a.keys.publicKey, random.bytes(8)), MALLORY);
    const mallory = generateKeyPair<LongTermPublicKey, LongTermSecretKey>(random);
    const { cookie, dht } = cookieFromB(p, mallory.publicKey, random);
    p.b.router.dispatch(handshakeWith(p, random, cookie, mallory, mallory.publicKey, dht.publicKey, lowOrder), MALLORY);
    expect(p.b.nc.counters.droppedFor('weakKey')).toBe(2);
    expect(p.b.router.stats.failed).toBe(0);
    expect(p.b.nc.peers()).toEqual([]);
    expect(() => p.a.nc.connect(p.b.keys.publicKey, lowOrder as DhtPublicKey)).toThrow(/low-order/);
  });
});

describe('data packets', () => {
  it('refuses replayed and out-of-window packets without delivering twice', async () => {
    const p = makePair(24);
    await establish(p);
    const captured: Uint8Array[] = [];
    p.link.to(p.b.address).tamper = (data) => {
      if (data[0] === 0x1b) captured.push(new Uint8Array(data));
      return data;
    };
    for (let i = 0; i < 20; i++) p.a.nc.sendLossless(p.b.keys.publicKey, bytesOf(64, i));
    await p.scheduler.advance(200);
    expect(p.b.lossless).toHaveLength(20);
    for (const packet of captured) p.b.router.dispatch(packet, p.a.address);
    expect(p.b.nc.counters.droppedFor('replayed')).toBe(captured.length);
    const shifted = new Uint8Array(captured[0]!);
    shifted[1]! ^= 0x80; // names a nonce 32768 away
    p.b.router.dispatch(shifted, p.a.address);
    expect(p.b.nc.counters.droppedFor('decryptFailed')).toBe(1);
    expect(p.b.lossless.map((r) => numberOf(r.payload))).toEqual(Array.from({ length: 20 }, (_, i) => i));
    expect(p.b.nc.isConnected(p.a.keys.publicKey)).toBe(true);
  });

  it('counts malformed, oversized and unknown-source packets; random bytes never throw', async () => {
    const p = makePair(25);
    await establish(p);
    const random = new SeededRandom(5);
    const b = p.b;
    const dispatch = (data: Uint8Array, from: IpPort = p.a.address): void => b.router.dispatch(data, from);
    dispatch(new Uint8Array(1401).fill(0x1b));
    dispatch(Uint8Array.of(0x1b, 1, 2));
    dispatch(new Uint8Array(144).fill(0x18));
    dispatch(new Uint8Array(200).fill(0x1b), MALLORY);
    dispatch(new Uint8Array(161).fill(0x19), MALLORY);
    expect(b.nc.counters.droppedFor('malformed')).toBe(3);
    expect(b.nc.counters.droppedFor('unknownSource')).toBe(2);
    for (let i = 0; i < 2000; i++) {
      const data = random.bytes(1 + random.int(500));
      data[0] = 0x18 + random.int(4);
      dispatch(data, random.int(2) === 0 ? p.a.address : MALLORY);
    }
    expect(b.router.stats.failed).toBe(0);
    expect(p.a.router.stats.failed).toBe(0);
    p.a.nc.sendLossless(b.keys.publicKey, bytesOf(64, 42));
    await p.scheduler.advance(100);
    expect(b.lossless.map((r) => numberOf(r.payload))).toEqual([42]);
    expect(b.nc.isConnected(p.a.keys.publicKey)).toBe(true);
  });

  it('a cookie response nobody asked for, or a handshake once established, changes nothing', async () => {
    const p = makePair(26);
    await establish(p);
    const handshakes = p.a.sent.filter((s) => s.data[0] === 0x1a).map((s) => s.data);
    const responses = p.b.sent.filter((s) => s.data[0] === 0x19).map((s) => s.data);
    for (const h of handshakes) p.b.router.dispatch(h, p.a.address);
    for (const r of responses) p.a.router.dispatch(r, p.b.address);
    expect(p.b.nc.counters.droppedFor('wrongState')).toBe(handshakes.length);
    expect(p.a.nc.counters.droppedFor('wrongState')).toBe(responses.length);
    expect(p.a.nc.isConnected(p.b.keys.publicKey) && p.b.nc.isConnected(p.a.keys.publicKey)).toBe(true);
  });
});
