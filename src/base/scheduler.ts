/**
 * Time for the whole node: the `Scheduler` port, the real implementation over
 * Node's timers, and `ManualScheduler`, a virtual clock for tests and the
 * simulated network. This file and random.ts are the only places in src/ that
 * may touch real time.
 */
import { InvalidArgumentError, TimeoutError } from './errors.js';

export interface Clock {
  /** Monotonic milliseconds. */
  now(): number;
  /** Wall-clock seconds since the Unix epoch (only for protocol fields that need it). */
  unixSeconds(): number;
}

export interface TimerHandle {
  cancel(): void;
}

export interface Scheduler extends Clock {
  after(ms: number, fn: () => void): TimerHandle;
  /** Calls `fn` once per `ms`; the first call may come early (within one period), as real schedulers align timers. */
  every(ms: number, fn: (now: number) => void): TimerHandle;
  /** Number of live timers: used to prove that `stop()` leaves nothing behind. */
  pending(): number;
}

function checkDelay(ms: number): void {
  if (!Number.isFinite(ms) || ms < 0) throw new InvalidArgumentError(`timer delay must be a finite number >= 0, got ${ms}`);
}

/** Periodic callbacks that share one Node interval (see RealScheduler.every). */
interface Beat {
  readonly interval: NodeJS.Timeout;
  readonly members: Set<(now: number) => void>;
}

/**
 * Real time: setTimeout and performance.now(); periodic timers of equal
 * period share one Node interval (a "beat"). A process hosting a hundred
 * nodes has several 1 s ticks per node; with an interval each, the event loop
 * woke up hundreds of times a second (each wake-up costs more than the tick
 * it runs) where one wake-up per period does the same work.
 */
export class RealScheduler implements Scheduler {
  private readonly live = new Set<NodeJS.Timeout>();
  private readonly beats = new Map<number, Beat>();
  private readonly origin = performance.now();

  now(): number {
    return performance.now() - this.origin;
  }

  unixSeconds(): number {
    return Math.floor(Date.now() / 1000);
  }

  after(ms: number, fn: () => void): TimerHandle {
    checkDelay(ms);
    const t = setTimeout(() => {
      this.live.delete(t);
      fn();
    }, ms);
    this.live.add(t);
    return { cancel: () => { clearTimeout(t); this.live.delete(t); } };
  }

  /** Joins the beat of period `ms`: the first call comes at its next beat (up to one period, never later), then one per period. */
  every(ms: number, fn: (now: number) => void): TimerHandle {
    checkDelay(ms);
    const period = Math.max(1, ms);
    // A distinct function per timer: one callback registered twice stays two timers.
    const member = (now: number): void => fn(now);
    this.beatFor(period).members.add(member);
    return {
      cancel: () => {
        const beat = this.beats.get(period);
        if (!beat?.members.delete(member) || beat.members.size > 0) return;
        clearInterval(beat.interval);
        this.beats.delete(period);
      },
    };
  }

  pending(): number {
    let periodic = 0;
    for (const beat of this.beats.values()) periodic += beat.members.size;
    return this.live.size + periodic;
  }

  private beatFor(period: number): Beat {
    const existing = this.beats.get(period);
    if (existing) return existing;
    const members = new Set<(now: number) => void>();
    const interval = setInterval(() => this.runBeat(members), period);
    const beat = { interval, members };
    this.beats.set(period, beat);
    return beat;
  }

  /** Runs the members present when the beat fired (joined during it: next beat); a throw still reaches Node after the rest ran. */
  private runBeat(members: Set<(now: number) => void>): void {
    let failure: { error: unknown } | undefined;
    for (const member of [...members]) {
      if (!members.has(member)) continue; // cancelled by an earlier member
      try {
        member(this.now());
      } catch (error) {
        failure ??= { error };
      }
    }
    if (failure) throw failure.error;
  }
}

interface ManualTimer {
  due: number;
  seq: number;
  period: number | undefined;
  fn: (now: number) => void;
  cancelled: boolean;
}

/** Binary min-heap of timers ordered by (due, seq): deterministic for equal due times. */
class TimerHeap {
  private readonly items: ManualTimer[] = [];

  get size(): number {
    return this.items.length;
  }

  peek(): ManualTimer | undefined {
    return this.items[0];
  }

  push(t: ManualTimer): void {
    const a = this.items;
    a.push(t);
    let i = a.length - 1;
    while (i > 0) {
      const p = (i - 1) >> 1;
      if (!before(a[i]!, a[p]!)) break;
      [a[i], a[p]] = [a[p]!, a[i]!];
      i = p;
    }
  }

  pop(): ManualTimer | undefined {
    const a = this.items;
    const top = a[0];
    const last = a.pop();
    if (a.length > 0 && last) {
      a[0] = last;
      let i = 0;
      for (;;) {
        const l = 2 * i + 1;
        const r = l + 1;
        let m = i;
        if (l < a.length && before(a[l]!, a[m]!)) m = l;
        if (r < a.length && before(a[r]!, a[m]!)) m = r;
        if (m === i) break;
        [a[i], a[m]] = [a[m]!, a[i]!];
        i = m;
      }
    }
    return top;
  }
}

function before(x: ManualTimer, y: ManualTimer): boolean {
  return x.due < y.due || (x.due === y.due && x.seq < y.seq);
}

/** Lets every pending promise continuation run (a macrotask boundary drains the microtask queue). */
function drainMicrotasks(): Promise<void> {
  return new Promise((resolve) => setImmediate(resolve));
}

export interface RunUntilOptions {
  timeoutMs: number;
  /** Virtual time advanced between checks of the predicate (default 10 ms). */
  stepMs?: number;
  /** Included in the TimeoutError's details to explain what was being waited for. */
  describe?: () => unknown;
}

/**
 * Virtual time. Nothing moves until `advance`/`runUntil` is awaited; timers fire
 * in (due, creation order) order with `now()` equal to their due time, and promise
 * continuations they cause run before virtual time moves on.
 */
export class ManualScheduler implements Scheduler {
  private current: number;
  private readonly unixOrigin: number;
  private seq = 0;
  private live = 0;
  private readonly heap = new TimerHeap();

  constructor(options: { startMs?: number; unixSeconds?: number } = {}) {
    this.current = options.startMs ?? 0;
    this.unixOrigin = options.unixSeconds ?? 1_700_000_000;
  }

  now(): number {
    return this.current;
  }

  unixSeconds(): number {
    return this.unixOrigin + Math.floor(this.current / 1000);
  }

  after(ms: number, fn: () => void): TimerHandle {
    checkDelay(ms);
    return this.add(ms, undefined, () => fn());
  }

  every(ms: number, fn: (now: number) => void): TimerHandle {
    checkDelay(ms);
    return this.add(ms, Math.max(ms, 1e-3), fn);
  }

  pending(): number {
    return this.live;
  }

  /** Advances virtual time by `ms`, firing every timer that falls due on the way. */
  async advance(ms: number): Promise<void> {
    checkDelay(ms);
    await this.advanceTo(this.current + ms);
  }

  /** Fires timers until none is due at or before `target`, then sets now = target. */
  async advanceTo(target: number): Promise<void> {
    await drainMicrotasks();
    for (;;) {
      const next = this.heap.peek();
      if (!next || next.due > target) break;
      const instant = next.due;
      this.current = instant;
      // Everything due at this instant, including timers scheduled with delay 0 by these callbacks.
      for (let t = this.heap.peek(); t && t.due === instant; t = this.heap.peek()) {
        this.heap.pop();
        if (t.cancelled) continue;
        if (t.period === undefined) {
          t.cancelled = true;
          this.live--;
        } else {
          t.due += t.period;
          t.seq = this.seq++;
          this.heap.push(t);
        }
        t.fn(instant);
        await Promise.resolve();
      }
      await drainMicrotasks();
    }
    if (target > this.current) this.current = target;
  }

  /** Advances in steps until `pred()` holds; rejects with TimeoutError after `timeoutMs` of virtual time. */
  async runUntil(pred: () => boolean, options: RunUntilOptions): Promise<void> {
    const step = options.stepMs ?? 10;
    const deadline = this.current + options.timeoutMs;
    await drainMicrotasks();
    while (!pred()) {
      if (this.current >= deadline) {
        throw new TimeoutError(`condition not met within ${options.timeoutMs} ms of virtual time`, {
          state: options.describe?.(),
        });
      }
      await this.advanceTo(Math.min(deadline, this.current + step));
    }
  }

  private add(ms: number, period: number | undefined, fn: (now: number) => void): TimerHandle {
    const timer: ManualTimer = { due: this.current + ms, seq: this.seq++, period, fn, cancelled: false };
    this.heap.push(timer);
    this.live++;
    return {
      cancel: () => {
        if (timer.cancelled) return;
        timer.cancelled = true;
        this.live--;
      },
    };
  }
}
