/**
 * `npm run bench`: runs every bench inside a private network namespace (they
 * start c-toxcore peers), prints each figure with its ratio against the
 * reference measured in the same run, and writes docs/benchmarks.md.
 * Usage: npm run bench [-- --runs N] [-- --only area,area] [-- --quick] (--quick: idle bench at 20 identities)
 */
import { writeFileSync } from 'node:fs';
import { cpus, totalmem } from 'node:os';
import { initCrypto } from '../src/crypto/index.js';
import { cryptoBench } from './bench/crypto.js';
import { profileBench } from './bench/profile.js';
import { dhtBench } from './bench/dht.js';
import { tcpBench } from './bench/tcp.js';
import { onionBench } from './bench/onion.js';
import { netcryptoBench } from './bench/netcrypto.js';
import { runtimeBench } from './bench/runtime.js';
import { friendsBench } from './bench/friends.js';
import { idleBench } from './bench/idle.js';
import { conferenceBench } from './bench/conference.js';
import { ratioOf, type BenchRow } from './bench/measure.js';
// @ts-expect-error -- plain ESM helper without type declarations
import { insideNetns, reexecInNetns } from './netns.mjs';

type Bench = (runs: number) => Promise<BenchRow[]>;

const BENCHES: Record<string, Bench> = {
  crypto: cryptoBench,
  profile: profileBench,
  dht: dhtBench,
  tcp: tcpBench,
  onion: onionBench,
  netcrypto: netcryptoBench,
  runtime: runtimeBench,
  friends: friendsBench,
  conference: conferenceBench,
  idle: idleBench,
};

function argValue(name: string): string | undefined {
  const i = process.argv.indexOf(name);
  return i >= 0 ? process.argv[i + 1] : undefined;
}

function fmt(n: number): string {
  if (!Number.isFinite(n)) return 'n/a';
  if (Math.abs(n) >= 1000) return Math.round(n).toLocaleString('en-US');
  return n.toPrecision(3);
}

function tableOf(rows: BenchRow[]): string {
  const lines = [
    '| area | metric | ours | reference | ratio (ours vs ref, >1 = ours better) | runs | note |',
    '|---|---|---|---|---|---|---|',
  ];
  for (const r of rows) {
    const ratio = ratioOf(r);
    lines.push(
      `| ${r.area} | ${r.metric} | ${fmt(r.ours)} ${r.unit} | ${r.reference === undefined ? '–' : `${fmt(r.reference)} ${r.unit} (${r.referenceName})`} | ${ratio === undefined ? '–' : ratio.toFixed(2)} | ${r.samples} | ${r.note ?? ''} |`,
    );
  }
  return lines.join('\n');
}

async function main(): Promise<void> {
  reexecInNetns();
  if (!insideNetns()) throw new Error('benches start Tox nodes and must run inside a private network namespace (unshare -n)');
  await initCrypto();
  const runs = Number(argValue('--runs') ?? 5);
  const only = argValue('--only')?.split(',');
  const rows: BenchRow[] = [];
  for (const [name, bench] of Object.entries(BENCHES)) {
    if (only && !only.includes(name)) continue;
    process.stdout.write(`bench ${name}...\n`);
    const got = await bench(runs);
    for (const r of got) {
      const ratio = ratioOf(r);
      process.stdout.write(`  ${r.metric}: ${fmt(r.ours)} ${r.unit}${r.reference === undefined ? '' : ` vs ${fmt(r.reference)} (${r.referenceName}), ratio ${ratio?.toFixed(2)}`}\n`);
    }
    rows.push(...got);
  }
  const doc = [
    '# Benchmarks',
    '',
    'Written by `npm run bench` (scripts/bench.ts). Every figure is the median of the given number of runs;',
    'each reference (c-toxcore 0.2.18 through koffi, or native libsodium) is measured in the same run on the',
    'same machine. The ratio is ours ÷ reference for rates and reference ÷ ours for durations, so above 1',
    'means ours is faster. Machines here are noisy: compare ratios, not absolute numbers.',
    '',
    `Run: ${new Date().toISOString()}, Node ${process.version}, ${cpus().length} × ${cpus()[0]?.model ?? 'cpu'}, ${Math.round(totalmem() / 2 ** 30)} GiB.`,
    '',
    tableOf(rows),
    '',
  ].join('\n');
  if (!only) writeFileSync(new URL('../docs/benchmarks.md', import.meta.url), doc);
  else process.stdout.write('\n(partial run with --only: docs/benchmarks.md left unchanged)\n');
}

main().catch((err: unknown) => {
  process.stderr.write(`bench failed: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`);
  process.exit(1);
});
