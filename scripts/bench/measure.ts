/**
 * Measurement helpers shared by the benches: repeated timing with medians,
 * throughput loops, and the result rows that end up in docs/benchmarks.md.
 */

export interface BenchRow {
  /** Issue area, e.g. "crypto", "profile", "dht". */
  area: string;
  metric: string;
  unit: string;
  /** Median of our implementation. */
  ours: number;
  /** Median of the reference (c-toxcore or native libsodium) in the same run, when there is one. */
  reference?: number;
  referenceName?: string;
  /** True when a bigger number is better (ops/s), false for durations. */
  higherIsBetter: boolean;
  samples: number;
  note?: string;
}

export function median(values: readonly number[]): number {
  if (values.length === 0) return Number.NaN;
  const s = [...values].sort((a, b) => a - b);
  const mid = s.length >> 1;
  return s.length % 2 ? s[mid]! : (s[mid - 1]! + s[mid]!) / 2;
}

/** Runs `op` repeatedly for about `ms` milliseconds; returns operations per second. */
export function opsPerSecond(op: () => void, ms = 300): number {
  // Warm-up so the JIT settles before timing.
  for (let i = 0; i < 200; i++) op();
  let count = 0;
  const start = performance.now();
  let elapsed = 0;
  while (elapsed < ms) {
    for (let i = 0; i < 100; i++) op();
    count += 100;
    elapsed = performance.now() - start;
  }
  return (count * 1000) / elapsed;
}

/** Median over `runs` samples of a synchronous or asynchronous measurement. */
export async function medianOf(runs: number, sample: () => number | Promise<number>): Promise<{ median: number; samples: number[] }> {
  const samples: number[] = [];
  for (let i = 0; i < runs; i++) samples.push(await sample());
  return { median: median(samples), samples };
}

/** Milliseconds taken by `fn`. */
export async function timeMs(fn: () => unknown): Promise<number> {
  const start = performance.now();
  await fn();
  return performance.now() - start;
}

/** How our figure compares with the reference, as "x times better/worse" text and a plain ratio. */
export function ratioOf(row: BenchRow): number | undefined {
  if (row.reference === undefined || row.reference === 0) return undefined;
  return row.higherIsBetter ? row.ours / row.reference : row.reference / row.ours;
}
