// The onion relay's return-blob key, when derived from a seed (our long-term secret key), survives
// a restart with a new DHT key: a response coming back along a path built through our previous
// session is still relayed. Another seed, or the next 2 h epoch, cannot open the old blob; without
// a seed the key is random per relay, as in c-toxcore.
import { describe, expect, it } from 'vitest';
import { SeededRandom, silentLogger } from '../../../src/base/index.js';
import { generateKeyPair, type DhtKeyPair } from '../../../src/crypto/index.js';
import { formatIpPort, ipPort } from '../../../src/net/index.js';
import { ANNOUNCE_RESPONSE_MIN_SIZE, OnionRelay, OnionResponse1, RELAY_KEY_ROTATION_MS, RETURN_1 } from '../../../src/onion/index.js';
import { createPath, wrapOnion } from '../../../src/onion/client/paths.js';
import { FakeNet } from '../dht/fake-net.js';

const SENDER = ipPort('10.7.0.1', 33445);
const RELAY = ipPort('10.7.0.2', 33445);
const NEXT = ipPort('10.7.0.3', 33445);

function setup() {
  const net = new FakeNet();
  const random = new SeededRandom(21);
  const end = net.endpoint(RELAY);
  net.endpoint(SENDER);
  const dhtKeys = new Map<OnionRelay, DhtKeyPair>();
  const relayOn = (seed: Uint8Array | undefined): OnionRelay => {
    const keys = generateKeyPair(random) as DhtKeyPair;
    const relay = new OnionRelay({ scheduler: net.scheduler, random, log: silentLogger(), socket: end.socket, router: end.router, dhtKeyPair: () => keys, ...(seed ? { returnKeySeed: seed } : {}) });
    dhtKeys.set(relay, keys);
    relay.start();
    return relay;
  };
  /** Sends a 0x80 through `relay` as node A and returns the response packet (0x8E) node B would send back. */
  const responseThrough = async (relay: OnionRelay): Promise<Uint8Array> => {
    const relayPk = dhtKeys.get(relay)!.publicKey;
    const sender = generateKeyPair(random) as DhtKeyPair;
    const other = generateKeyPair(random) as DhtKeyPair;
    const hops = [{ publicKey: relayPk, address: RELAY }, { publicKey: other.publicKey, address: NEXT }, { publicKey: other.publicKey, address: NEXT }] as never;
    const out = wrapOnion(createPath(hops, 0, sender, random, 0)!, sender.publicKey, NEXT, Uint8Array.of(0x83, 1, 2, 3), random);
    if (out.kind !== 'udp') throw new Error('expected a UDP onion packet');
    const before = net.log.length;
    net.inject(SENDER, RELAY, out.data);
    await net.scheduler.advance(5);
    expect(relay.forwarded.request0).toBe(1);
    const toNext = net.log.slice(before).find((p) => formatIpPort(p.to) === formatIpPort(NEXT))!;
    const returnPath = toNext.data.subarray(toNext.data.length - RETURN_1);
    const payload = new Uint8Array(ANNOUNCE_RESPONSE_MIN_SIZE);
    payload[0] = 0x84;
    return OnionResponse1.encode({ returnPath, payload });
  };
  return { net, relayOn, responseThrough };
}

describe('onion relay return-blob key across restarts', () => {
  it('a restarted relay with the same seed and a new DHT key relays responses for paths of its previous session', async () => {
    const { net, relayOn, responseThrough } = setup();
    const seed = new Uint8Array(32).fill(7);
    const first = relayOn(seed);
    const response = await responseThrough(first);
    first.stop();

    const again = relayOn(seed);
    net.inject(NEXT, RELAY, response);
    expect(again.forwarded.response1).toBe(1);
    expect(net.log.at(-1)?.to).toEqual(SENDER);
    again.stop();

    const stranger = relayOn(new Uint8Array(32).fill(8));
    net.inject(NEXT, RELAY, response);
    expect(stranger.forwarded.response1).toBe(0);
    expect(stranger.drops.count('response1ReturnPath')).toBe(1);
    stranger.stop();

    const later = relayOn(seed);
    await net.scheduler.advance(RELAY_KEY_ROTATION_MS);
    net.inject(NEXT, RELAY, response);
    expect(later.drops.count('response1ReturnPath')).toBe(1);
    later.stop();
  });

  it('without a seed a new relay cannot open the previous one’s blobs', async () => {
    const { net, relayOn, responseThrough } = setup();
    const first = relayOn(undefined);
    const response = await responseThrough(first);
    net.inject(NEXT, RELAY, response);
    expect(first.forwarded.response1).toBe(1);
    first.stop();
    const again = relayOn(undefined);
    net.inject(NEXT, RELAY, response);
    expect(again.drops.count('response1ReturnPath')).toBe(1);
    again.stop();
  });
});
