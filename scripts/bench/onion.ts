/**
 * Onion bench: our node (DHT + relay + node D + onion client) and a c-toxcore
 * node bootstrapped only to it start at the same instant and befriend each other
 * (no request). Measured per run: start → "onion connected" (c-toxcore: self
 * connection status), and friend added → friend's DHT key known (c-toxcore has no
 * API for that: its first cookie request toward our DHT key is the signal).
 * Loopback only: run inside a private network namespace.
 */
import { setTimeout as sleep } from 'node:timers/promises';
import { CryptoRandom, RealScheduler, silentLogger } from '../../src/base/index.js';
import { generateKeyPair, keyId, type LongTermKeyPair, type LongTermPublicKey } from '../../src/crypto/index.js';
import { Dht } from '../../src/dht/index.js';
import { PacketRouter } from '../../src/net/index.js';
import { NodeNetStack } from '../../src/net/node/index.js';
import { AnnounceNode, OnionClient, OnionRelay } from '../../src/onion/index.js';
import { Connection } from '../../test/support/toxcore/constants.js';
import { ToxcoreInstance } from '../../test/support/toxcore/instance.js';
import { median, type BenchRow } from './measure.js';

const COOKIE_REQUEST = 0x18;

async function until(pred: () => boolean, timeoutMs: number): Promise<void> {
  const start = performance.now();
  while (!pred()) {
    if (performance.now() - start > timeoutMs) throw new Error('onion bench: timed out');
    await sleep(10);
  }
}

async function oneRun(): Promise<{ oursConnected: number; theirsConnected: number; oursKnown: number; theirsKnown: number }> {
  const scheduler = new RealScheduler();
  const random = new CryptoRandom();
  const log = silentLogger();
  const router = new PacketRouter(log);
  const socket = await new NodeNetStack({ scheduler, log }).bindUdp({ host: '127.0.0.1', port: 0 });
  socket.onMessage((data, from) => router.dispatch(data, from));
  const dht = new Dht({ scheduler, random, log, socket, router }, { lanDiscovery: { send: false } });
  const realKeys = generateKeyPair(random) as LongTermKeyPair;
  const relay = new OnionRelay({ scheduler, random, log, socket, router, dhtKeyPair: () => dht.keyPair });
  const announce = new AnnounceNode({ scheduler, random, log, socket, router, dht });
  const client = new OnionClient({ scheduler, random, log, socket, router, dht, realKeyPair: realKeys });
  const tox = await ToxcoreInstance.create({ localDiscovery: false });
  try {
    const start = performance.now();
    const t: Partial<Record<'oursConnected' | 'theirsConnected' | 'oursKnown' | 'theirsKnown', number>> = {};
    dht.start();
    relay.start();
    announce.start();
    client.start();
    client.once('connected', () => (t.oursConnected = performance.now() - start));
    tox.on('self_connection_status', (s) => {
      if (s !== Connection.NONE) t.theirsConnected ??= performance.now() - start;
    });
    tox.bootstrap('127.0.0.1', socket.local.port, dht.publicKey);
    tox.friendAddNoRequest(realKeys.publicKey);
    client.addFriend(tox.publicKey as LongTermPublicKey);
    tox.startLoop(10);
    const theirDht = keyId(tox.dhtId);
    await until(() => {
      const known = client.friendDhtKey(tox.publicKey as LongTermPublicKey);
      if (known && keyId(known) === theirDht) t.oursKnown ??= performance.now() - start;
      if ((router.droppedById.get(COOKIE_REQUEST) ?? 0) > 0) t.theirsKnown ??= performance.now() - start;
      return Object.keys(t).length === 4;
    }, 120_000);
    return t as Required<typeof t>;
  } finally {
    tox.kill();
    client.stop();
    announce.stop();
    relay.stop();
    dht.stop();
    await socket.close();
  }
}

export async function onionBench(runs: number): Promise<BenchRow[]> {
  const samples = [];
  for (let i = 0; i < runs; i++) samples.push(await oneRun());
  const row = (metric: string, ours: number[], theirs: number[], note: string): BenchRow => ({
    area: 'onion',
    metric,
    unit: 'ms',
    ours: median(ours),
    reference: median(theirs),
    referenceName: 'c-toxcore 0.2.18',
    higherIsBetter: false,
    samples: runs,
    note,
  });
  return [
    row('start → onion connected', samples.map((s) => s.oursConnected), samples.map((s) => s.theirsConnected), 'c-toxcore: self connection status ≠ NONE'),
    row(
      'friend added (at start) → friend DHT key known',
      samples.map((s) => s.oursKnown),
      samples.map((s) => s.theirsKnown),
      'c-toxcore: first cookie request toward our DHT key',
    ),
  ];
}
