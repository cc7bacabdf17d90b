/**
 * DHT bench: a 6-node c-toxcore network on loopback; our node and a fresh
 * c-toxcore node join it through the same seed at the same instant. Measured:
 * start → "DHT connected" and start → close list complete (every other node of
 * the network known, the other newcomer included). c-toxcore has no public DHT API, so its figures are read
 * from its savedata, whose DHT section lists the nodes it has heard from.
 */
import { setTimeout as sleep } from 'node:timers/promises';
import { CryptoRandom, RealScheduler, silentLogger } from '../../src/base/index.js';
import { keyId } from '../../src/crypto/index.js';
import { Dht } from '../../src/dht/index.js';
import { PacketRouter, ipPort } from '../../src/net/index.js';
import { NodeNetStack } from '../../src/net/node/index.js';
import { decodeSavedata } from '../../src/storage/index.js';
import { ToxcoreInstance } from '../../test/support/toxcore/instance.js';
import { medianOf, type BenchRow } from './measure.js';

const NETWORK = 6;
const TIMEOUT_MS = 60_000;

function savedNodeIds(tox: ToxcoreInstance): Set<string> {
  return new Set(decodeSavedata(tox.savedata()).dhtNodes.map((n) => keyId(n.publicKey)));
}

interface Sample {
  oursConnected: number;
  oursComplete: number;
  toxConnected: number;
  toxComplete: number;
}

async function oneRun(): Promise<Sample> {
  const instances: ToxcoreInstance[] = [];
  const scheduler = new RealScheduler();
  const log = silentLogger();
  const stack = new NodeNetStack({ scheduler, log });
  let dht: Dht | undefined;
  try {
    const seed = await ToxcoreInstance.create({ localDiscovery: false });
    instances.push(seed);
    seed.startLoop(10);
    for (let i = 1; i < NETWORK - 1; i++) {
      const t = await ToxcoreInstance.create({ localDiscovery: false });
      t.bootstrap('127.0.0.1', seed.udpPort, seed.dhtId);
      t.startLoop(10);
      instances.push(t);
    }
    await sleep(3_000); // let the c-toxcore network form
    const router = new PacketRouter(log);
    const socket = await stack.bindUdp({ host: '127.0.0.1', port: 0 });
    socket.onMessage((data, from) => router.dispatch(data, from));
    const newcomer = await ToxcoreInstance.create({ localDiscovery: false });
    instances.push(newcomer);
    const network = instances.map((t) => keyId(t.dhtId)); // all 6, newcomer included
    const ours = new Dht({ scheduler, random: new CryptoRandom(), log, socket, router }, { lanDiscovery: { send: false } });
    dht = ours;

    const start = performance.now();
    const sample: Partial<Sample> = {};
    ours.once('connected', () => (sample.oursConnected = performance.now() - start));
    ours.start();
    ours.bootstrap({ address: ipPort('127.0.0.1', seed.udpPort), publicKey: seed.dhtId });
    newcomer.bootstrap('127.0.0.1', seed.udpPort, seed.dhtId);
    newcomer.startLoop(10);
    // Symmetric goal: each newcomer must know the 5 other c-toxcore nodes and the other newcomer.
    const newcomerTargets = [...network.filter((id) => id !== keyId(newcomer.dhtId)), keyId(ours.publicKey)];
    while (sample.oursComplete === undefined || sample.toxComplete === undefined) {
      const elapsed = performance.now() - start;
      if (elapsed > TIMEOUT_MS) throw new Error(`network not converged within ${TIMEOUT_MS} ms`);
      const ourIds = new Set(ours.getCloseList().map((n) => keyId(n.publicKey)));
      if (sample.oursComplete === undefined && network.every((id) => ourIds.has(id))) sample.oursComplete = elapsed;
      const toxIds = savedNodeIds(newcomer);
      if (sample.toxConnected === undefined && toxIds.size > 0) sample.toxConnected = elapsed;
      if (sample.toxComplete === undefined && newcomerTargets.every((id) => toxIds.has(id))) sample.toxComplete = elapsed;
      await sleep(5);
    }
    if (sample.oursConnected === undefined || sample.toxConnected === undefined) throw new Error('no connected time');
    return sample as Sample;
  } finally {
    dht?.stop();
    for (const t of instances) t.kill();
    await stack.close();
  }
}

export async function dhtBench(runs: number): Promise<BenchRow[]> {
  const samples: Sample[] = [];
  await medianOf(Math.min(runs, 3), async () => {
    samples.push(await oneRun());
    return 0;
  });
  const med = (pick: (s: Sample) => number) => [...samples.map(pick)].sort((a, b) => a - b)[samples.length >> 1]!;
  const note = 'c-toxcore read from its savedata DHT section (nodes it heard from), polled every 5 ms';
  return [
    { area: 'dht', metric: 'start → DHT connected (6-node loopback network)', unit: 'ms', ours: med((s) => s.oursConnected), reference: med((s) => s.toxConnected), referenceName: 'c-toxcore newcomer', higherIsBetter: false, samples: samples.length, note },
    { area: 'dht', metric: 'start → every node of the network known', unit: 'ms', ours: med((s) => s.oursComplete), reference: med((s) => s.toxComplete), referenceName: 'c-toxcore newcomer', higherIsBetter: false, samples: samples.length, note },
  ];
}
