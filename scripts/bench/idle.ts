/**
 * Idle bench: CPU and RSS of N idle, online identities — N of our ToxNodes in
 * one process (sharing one real-time env, as `tocsin run` runs several
 * identities) against N c-toxcore instances in one process (iterated on
 * `setTimeout(min tox_iteration_interval)`), in the same run. Every identity
 * bootstraps from one local tox-bootstrapd and from the identity started
 * before it; "online" = its self connection (onion announced, hence
 * DHT-connected) is up. Each side runs in a child
 * process of its own, one after the other, so RSS and CPU are separable: the
 * child records its RSS before starting any identity, waits until all are
 * online, lets them settle, then measures process CPU (`process.cpuUsage`)
 * over several consecutive one-minute windows (as many as the bench's runs,
 * at least 3; the rows give medians) and RSS at the end. Per identity: CPU % of
 * one core ÷ N, (RSS − the child's RSS before the identities) ÷ N.
 * `--quick` (or TOCSIN_BENCH_QUICK=1): 20 identities, 5 s windows.
 * Must run inside a private network namespace (scripts/bench.ts re-executes in one).
 */
import { spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { setTimeout as sleep } from 'node:timers/promises';
import { silentLogger, toHex } from '../../src/base/index.js';
import { initCrypto } from '../../src/crypto/index.js';
import type { NetworkConfig } from '../../src/runtime/config/index.js';
import { realEnv } from '../../src/runtime/env.js';
import { ToxNode } from '../../src/runtime/tox-node.js';
import { requireBootstrapd, startBootstrapd } from '../../test/support/bootstrapd.js';
import { Connection } from '../../test/support/toxcore/constants.js';
import { ToxcoreInstance } from '../../test/support/toxcore/instance.js';
import { requireToxcore } from '../../test/support/toxcore/lib.js';
import { median, type BenchRow } from './measure.js';

interface Scale {
  count: number;
  settleMs: number;
  windowMs: number;
  windows: number;
}

// A window spans a whole minute: the DHT's periodic work (nodes requests to each close node every 60 s)
// then weighs the same in every window on both sides, whatever phase the window starts in.
const FULL: Omit<Scale, 'windows'> = { count: 100, settleMs: 10_000, windowMs: 60_000 };
const QUICK: Omit<Scale, 'windows'> = { count: 20, settleMs: 3_000, windowMs: 5_000 };
const MIN_WINDOWS = 3;
const ONLINE_TIMEOUT_MS = 90_000;

interface Bootstrap {
  port: number;
  publicKey: string;
}

/** What a child reports on its last stdout line. */
interface IdleResult {
  side: 'ours' | 'toxcore';
  count: number;
  online: number;
  onlineMs: number;
  baselineRssMb: number;
  baselineHeapMb: number;
  rssMb: number;
  /** Process CPU over each window, % of one core. */
  cpuPercent: number[];
  /** V8 heap in use and ArrayBuffer memory at the end of the window. */
  heapMb: number;
  arrayBuffersMb: number;
  /** UDP datagrams sent per second over each window, in the whole namespace (the bootstrap daemon's included). */
  udpOutPerSec: number[];
}

function rssMb(): number {
  return process.memoryUsage().rss / 2 ** 20;
}

/** UDP datagrams sent so far in this network namespace, over IPv4 and IPv6 sockets (/proc/net/snmp, /proc/net/snmp6). */
function udpOutDatagrams(): number {
  const lines = readFileSync('/proc/net/snmp', 'utf8').split('\n').filter((l) => l.startsWith('Udp:'));
  const names = lines[0]!.split(/\s+/);
  const v4 = Number(lines[1]!.split(/\s+/)[names.indexOf('OutDatagrams')]);
  const v6 = /^Udp6OutDatagrams\s+(\d+)/m.exec(readFileSync('/proc/net/snmp6', 'utf8'))?.[1];
  return v4 + Number(v6 ?? 0);
}

/** Over consecutive steady windows: CPU % of one core used by this process and datagrams/s in each; memory at the end. */
async function measureWindows(scale: Scale): Promise<Pick<IdleResult, 'cpuPercent' | 'rssMb' | 'heapMb' | 'arrayBuffersMb' | 'udpOutPerSec'>> {
  const cpuPercent: number[] = [];
  const udpOutPerSec: number[] = [];
  for (let i = 0; i < scale.windows; i++) {
    const cpu0 = process.cpuUsage();
    const udp0 = udpOutDatagrams();
    const t0 = performance.now();
    await sleep(scale.windowMs);
    const cpu = process.cpuUsage(cpu0);
    const seconds = (performance.now() - t0) / 1000;
    cpuPercent.push(((cpu.user + cpu.system) / 1e6 / seconds) * 100);
    udpOutPerSec.push((udpOutDatagrams() - udp0) / seconds);
  }
  const mem = process.memoryUsage();
  return { cpuPercent, udpOutPerSec, rssMb: mem.rss / 2 ** 20, heapMb: mem.heapUsed / 2 ** 20, arrayBuffersMb: mem.arrayBuffers / 2 ** 20 };
}

async function waitOnline(isOnline: () => number, count: number): Promise<number> {
  const start = performance.now();
  while (isOnline() < count && performance.now() - start < ONLINE_TIMEOUT_MS) await sleep(100);
  return performance.now() - start;
}

async function oursChild(scale: Scale, boot: Bootstrap): Promise<IdleResult> {
  await initCrypto();
  const baselineRssMb = rssMb();
  const baselineHeapMb = process.memoryUsage().heapUsed / 2 ** 20;
  const dir = await mkdtemp(join(tmpdir(), 'tocsin-idle-bench-'));
  const env = realEnv(silentLogger());
  const network: NetworkConfig = {
    mode: 'local',
    udp: { enabled: true, host: '127.0.0.1', portRange: [0, 0] },
    ipv6: false,
    lanDiscovery: false,
    tcpRelayPort: 0,
    bootstrap: [{ host: '127.0.0.1', port: boot.port, publicKey: boot.publicKey, tcpPorts: [] }],
    relays: [],
  };
  const nodes: ToxNode[] = [];
  try {
    for (let i = 0; i < scale.count; i++) {
      const node = new ToxNode({ env, profilePath: join(dir, `idle-${i}.tox`), network, initial: { name: `idle ${i}` } });
      await node.start();
      const previous = nodes.at(-1);
      if (previous) node.dhtEngine.bootstrap(previous.bootstrapInfo());
      nodes.push(node);
    }
    const online = (): number => nodes.filter((n) => n.connectionStatus !== 'none').length;
    const onlineMs = await waitOnline(online, scale.count);
    await sleep(scale.settleMs);
    return { side: 'ours', count: scale.count, online: online(), onlineMs, baselineRssMb, baselineHeapMb, ...(await measureWindows(scale)) };
  } finally {
    for (const n of nodes) await n.stop();
    await env.close();
    await rm(dir, { recursive: true, force: true });
  }
}

async function toxcoreChild(scale: Scale, boot: Bootstrap): Promise<IdleResult> {
  const baselineRssMb = rssMb();
  const baselineHeapMb = process.memoryUsage().heapUsed / 2 ** 20;
  const instances: ToxcoreInstance[] = [];
  let timer: NodeJS.Timeout | undefined;
  try {
    for (let i = 0; i < scale.count; i++) {
      const tox = await ToxcoreInstance.create({ localDiscovery: false });
      tox.bootstrap('127.0.0.1', boot.port, boot.publicKey);
      const previous = instances.at(-1);
      if (previous) tox.bootstrap('127.0.0.1', previous.udpPort, previous.dhtId);
      instances.push(tox);
    }
    const loop = (): void => {
      let next = 1000;
      for (const tox of instances) {
        tox.iterate();
        next = Math.min(next, tox.iterationInterval());
      }
      timer = setTimeout(loop, next);
    };
    loop();
    const online = (): number => instances.filter((t) => t.connectionStatus !== Connection.NONE).length;
    const onlineMs = await waitOnline(online, scale.count);
    await sleep(scale.settleMs);
    return { side: 'toxcore', count: scale.count, online: online(), onlineMs, baselineRssMb, baselineHeapMb, ...(await measureWindows(scale)) };
  } finally {
    clearTimeout(timer);
    for (const tox of instances) tox.kill();
  }
}

/** Runs one side in a child process (this file with `--idle-child`) and returns its report. */
function runChild(side: IdleResult['side'], scale: Scale, boot: Bootstrap): Promise<IdleResult> {
  const args = [...process.execArgv, fileURLToPath(import.meta.url), '--idle-child', side, JSON.stringify({ scale, boot })];
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, args, { stdio: ['ignore', 'pipe', 'inherit'] });
    let out = '';
    child.stdout.setEncoding('utf8').on('data', (chunk: string) => (out += chunk));
    child.on('error', reject);
    child.on('exit', (code) => {
      const last = out.trim().split('\n').at(-1) ?? '';
      if (code !== 0) reject(new Error(`idle bench: the ${side} child exited with ${code}: ${out}`));
      else resolve(JSON.parse(last) as IdleResult);
    });
  });
}

export async function idleBench(runs: number): Promise<BenchRow[]> {
  const quick = process.argv.includes('--quick') || process.env.TOCSIN_BENCH_QUICK === '1';
  const scale: Scale = { ...(quick ? QUICK : FULL), windows: Math.max(MIN_WINDOWS, runs) };
  if (!requireBootstrapd()) throw new Error('idle bench: tox-bootstrapd is not on PATH');
  const daemon = await startBootstrapd({ tcpRelay: false });
  try {
    const boot: Bootstrap = { port: daemon.udpPort, publicKey: toHex(daemon.publicKey) };
    const ref = requireToxcore() !== null ? await runChild('toxcore', scale, boot) : undefined;
    const ours = await runChild('ours', scale, boot);
    const perCpu = (r: IdleResult): number => median(r.cpuPercent) / r.count;
    const perRss = (r: IdleResult): number => (r.rssMb - r.baselineRssMb) / r.count;
    const window = `median of ${scale.windows} consecutive ${scale.windowMs / 1000} s windows after ${scale.settleMs / 1000} s settling`;
    const spread = (r: IdleResult): string => r.cpuPercent.map((c) => (c / r.count).toFixed(3)).join(', ');
    process.stdout.write(`  (CPU % per identity in each window: ours ${spread(ours)}${ref ? `; c-toxcore ${spread(ref)}` : ''})\n`);
    const online = (r: IdleResult): string => `${r.online}/${r.count} online after ${(r.onlineMs / 1000).toFixed(1)} s`;
    const note = `ours ${online(ours)}${ref ? `, c-toxcore ${online(ref)}` : ''}; ${window}`;
    process.stdout.write(`  (${note}; ours: V8 heap +${((ours.heapMb - ours.baselineHeapMb) / ours.count).toFixed(2)} MB per identity, ArrayBuffers ${ours.arrayBuffersMb.toFixed(1)} MB in all)\n`);
    const reference = (value: number | undefined): Partial<BenchRow> =>
      value === undefined ? {} : { reference: value, referenceName: `${scale.count} c-toxcore in one process, same run` };
    return [
      { area: 'idle', metric: `CPU per idle online identity (${scale.count} in one process), target ratio ≥ 0.5`, unit: '% of a core', ours: perCpu(ours), ...reference(ref && perCpu(ref)), higherIsBetter: false, samples: scale.windows, note },
      { area: 'idle', metric: `RSS per idle online identity (${scale.count} in one process, above the empty process), target ratio ≥ 0.25`, unit: 'MB', ours: perRss(ours), ...reference(ref && perRss(ref)), higherIsBetter: false, samples: 1, note: `${note}; RSS at the end of the last window` },
      { area: 'idle', metric: 'UDP datagrams sent per identity per second (whole namespace, bootstrap daemon included)', unit: 'pkt/s', ours: median(ours.udpOutPerSec) / ours.count, ...reference(ref && median(ref.udpOutPerSec) / ref.count), higherIsBetter: false, samples: scale.windows },
      { area: 'idle', metric: `process CPU, ${scale.count} idle identities`, unit: '% of a core', ours: median(ours.cpuPercent), ...reference(ref && median(ref.cpuPercent)), higherIsBetter: false, samples: scale.windows },
      { area: 'idle', metric: `process RSS, ${scale.count} idle identities (empty process: ours ${ours.baselineRssMb.toFixed(0)} MB${ref ? `, c-toxcore ${ref.baselineRssMb.toFixed(0)} MB` : ''})`, unit: 'MB', ours: ours.rssMb, ...reference(ref?.rssMb), higherIsBetter: false, samples: 1 },
    ];
  } finally {
    await daemon.stop();
  }
}

const childAt = process.argv.indexOf('--idle-child');
if (childAt >= 0) {
  const side = process.argv[childAt + 1] as IdleResult['side'];
  const { scale, boot } = JSON.parse(process.argv[childAt + 2]!) as { scale: Scale; boot: Bootstrap };
  (side === 'ours' ? oursChild(scale, boot) : toxcoreChild(scale, boot)).then(
    (result) => {
      process.stdout.write(`${JSON.stringify(result)}\n`);
      process.exit(0);
    },
    (err: unknown) => {
      process.stderr.write(`idle bench child (${side}) failed: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`);
      process.exit(1);
    },
  );
}
