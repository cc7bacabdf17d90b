/**
 * TCP relay bench: echo RTT and one-way throughput between two of our relay
 * clients through OUR relay server, against the same two clients through
 * tox-bootstrapd's relay and through a c-toxcore instance with `tcp_port` set
 * iterated every 1 ms, same process and run, medians over `runs` samples. All
 * relays get the same transfer window (32 KiB in flight): c-toxcore relays stall
 * with more than 64 KiB waiting in one socket. Every client and our relay share
 * this process's event loop; tox-bootstrapd is its own process.
 */
import { CryptoRandom, RealScheduler, silentLogger } from '../../src/base/index.js';
import { generateKeyPair, type DhtKeyPair, type DhtPublicKey } from '../../src/crypto/index.js';
import { ipPort } from '../../src/net/index.js';
import { NodeNetStack } from '../../src/net/node/index.js';
import { TcpRelayClient, TcpRelayServer, type RelayInfo } from '../../src/tcp/index.js';
import { requireBootstrapd, startBootstrapd } from '../../test/support/bootstrapd.js';
import { freeTcpPort } from '../../test/support/ports.js';
import { ToxcoreInstance } from '../../test/support/toxcore/instance.js';
import { echoRtts, oneWay, realWait, routePair } from '../../test/unit/tcp/relay-pair.js';
import { median, type BenchRow } from './measure.js';

const ECHOES = 41;
const TRANSFER_BYTES = 4 * 1024 * 1024;

interface Sample {
  readonly rttMs: number;
  readonly mbPerSecond: number;
}

interface Env {
  readonly scheduler: RealScheduler;
  readonly random: CryptoRandom;
  readonly net: NodeNetStack;
}

/** One sample through `relay`: a fresh client pair, the median echo RTT and a one-way transfer. */
async function sample(env: Env, relay: RelayInfo): Promise<Sample> {
  const make = (): TcpRelayClient =>
    new TcpRelayClient({ net: env.net, scheduler: env.scheduler, random: env.random, log: silentLogger() }, { relay, keyPair: generateKeyPair(env.random) as DhtKeyPair });
  const a = make();
  const b = make();
  try {
    await routePair(a, b, realWait);
    const now = (): number => env.scheduler.now();
    const rttMs = median((await echoRtts(a, b, ECHOES, realWait, now)).slice(1));
    const start = now();
    const transfer = await oneWay(a, b, TRANSFER_BYTES, realWait, now, 120_000);
    if (transfer.corrupt !== 0 || transfer.received !== TRANSFER_BYTES) throw new Error('relay transfer lost data');
    const mbPerSecond = TRANSFER_BYTES / 1e6 / ((now() - start) / 1000);
    return { rttMs, mbPerSecond };
  } finally {
    a.close();
    b.close();
  }
}

async function measure(env: Env, runs: number, relay: RelayInfo): Promise<{ rtt: number; throughput: number }> {
  const samples: Sample[] = [];
  for (let i = 0; i < runs; i++) samples.push(await sample(env, relay));
  return { rtt: median(samples.map((s) => s.rttMs)), throughput: median(samples.map((s) => s.mbPerSecond)) };
}

function rows(ours: { rtt: number; throughput: number }, reference: { rtt: number; throughput: number }, referenceName: string, runs: number): BenchRow[] {
  return [
    { area: 'tcp', metric: `relay echo RTT, ours vs ${referenceName}`, unit: 'ms', ours: ours.rtt, reference: reference.rtt, referenceName, higherIsBetter: false, samples: runs, note: `median of ${ECHOES - 1} echoes per run` },
    {
      area: 'tcp',
      metric: `relay throughput, ours vs ${referenceName}`,
      unit: 'MB/s',
      ours: ours.throughput,
      reference: reference.throughput,
      referenceName,
      higherIsBetter: true,
      samples: runs,
      note: `${TRANSFER_BYTES / 2 ** 20} MiB one way, 32 KiB window`,
    },
  ];
}

export async function tcpBench(runs: number): Promise<BenchRow[]> {
  const scheduler = new RealScheduler();
  const env: Env = { scheduler, random: new CryptoRandom(), net: new NodeNetStack({ scheduler }) };
  const server = new TcpRelayServer(
    { net: env.net, scheduler, random: env.random, log: silentLogger() },
    { keyPair: generateKeyPair(env.random) as DhtKeyPair, host: '127.0.0.1', port: 0 },
  );
  await server.start();
  const toxcoreRelay = await ToxcoreInstance.create({ tcpPort: await freeTcpPort() });
  toxcoreRelay.startLoop(1);
  const daemon = requireBootstrapd() ? await startBootstrapd({ tcpRelay: true }) : undefined;
  try {
    const ours = await measure(env, runs, { address: server.address, publicKey: server.publicKey });
    const viaToxcore = await measure(env, runs, { address: ipPort('127.0.0.1', toxcoreRelay.tcpPort), publicKey: toxcoreRelay.dhtId as DhtPublicKey });
    const out = rows(ours, viaToxcore, 'c-toxcore tcp_port relay (1 ms iterate)', runs);
    if (daemon) {
      const viaDaemon = await measure(env, runs, { address: ipPort('127.0.0.1', daemon.tcpPort!), publicKey: daemon.publicKey as DhtPublicKey });
      out.push(...rows(ours, viaDaemon, 'tox-bootstrapd relay', runs));
    }
    return out;
  } finally {
    await daemon?.stop();
    toxcoreRelay.kill();
    await server.stop();
    await env.net.close();
  }
}
