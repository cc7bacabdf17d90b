/** RealScheduler over Node's timers, with short real delays (well under 200 ms in total). */
import { describe, expect, it } from 'vitest';
import { InvalidArgumentError, RealScheduler } from '../../../src/base/index.js';

function waitFor(pred: () => boolean, limitMs = 150): Promise<void> {
  const s = new RealScheduler();
  return new Promise((resolve, reject) => {
    const poll = s.every(1, () => {
      if (pred()) {
        poll.cancel();
        resolve();
      } else if (s.now() > limitMs) {
        poll.cancel();
        reject(new Error('condition not met in real time'));
      }
    });
  });
}

describe('RealScheduler', () => {
  it('fires `after` once, no earlier than asked, and forgets the timer', async () => {
    const s = new RealScheduler();
    let firedAt = -1;
    s.after(10, () => (firedAt = s.now()));
    expect(s.pending()).toBe(1);
    await waitFor(() => firedAt >= 0);
    expect(firedAt).toBeGreaterThanOrEqual(9);
    expect(s.pending()).toBe(0);
  });

  it('repeats `every` until cancelled, passing monotonic times', async () => {
    const s = new RealScheduler();
    const ticks: number[] = [];
    const h = s.every(5, (now) => ticks.push(now));
    await waitFor(() => ticks.length >= 3);
    h.cancel();
    expect(s.pending()).toBe(0);
    const count = ticks.length;
    for (let i = 1; i < ticks.length; i++) expect(ticks[i]!).toBeGreaterThanOrEqual(ticks[i - 1]!);
    await new Promise<void>((resolve) => s.after(20, resolve));
    expect(ticks.length).toBe(count);
  });

  it('cancels a one-shot timer before it fires', async () => {
    const s = new RealScheduler();
    let fired = false;
    s.after(5, () => (fired = true)).cancel();
    expect(s.pending()).toBe(0);
    await new Promise<void>((resolve) => s.after(20, resolve));
    expect(fired).toBe(false);
  });

  it('reports wall-clock seconds and rejects bad delays', () => {
    const s = new RealScheduler();
    expect(Math.abs(s.unixSeconds() - Math.floor(Date.now() / 1000))).toBeLessThanOrEqual(1);
    expect(() => s.after(-5, () => undefined)).toThrow(InvalidArgumentError);
    expect(() => s.every(Number.POSITIVE_INFINITY, () => undefined)).toThrow(InvalidArgumentError);
  });
});

describe('RealScheduler beats', () => {
  it('runs periodic timers of one period on one beat, each until cancelled', async () => {
    const s = new RealScheduler();
    const calls: string[] = [];
    const a = s.every(5, () => calls.push('a'));
    const b = s.every(5, () => calls.push('b'));
    const c = s.every(7, () => calls.push('c'));
    expect(s.pending()).toBe(3);
    await waitFor(() => calls.filter((x) => x === 'b').length >= 2 && calls.includes('c'));
    // a and b share a beat: they always fire together, a first.
    const ab = calls.filter((x) => x !== 'c');
    for (let i = 0; i + 1 < ab.length; i += 2) expect(ab.slice(i, i + 2)).toEqual(['a', 'b']);
    a.cancel();
    a.cancel();
    expect(s.pending()).toBe(2);
    const before = calls.length;
    await waitFor(() => calls.length >= before + 2 && calls.slice(before).includes('b'));
    expect(calls.slice(before)).not.toContain('a');
    b.cancel();
    c.cancel();
    expect(s.pending()).toBe(0);
    const count = calls.length;
    await new Promise<void>((resolve) => s.after(20, resolve));
    expect(calls.length).toBe(count);
  });

  it('does not run a timer joined or cancelled during a beat in that beat, and a throwing timer does not stop the others', async () => {
    const s = new RealScheduler();
    const calls: string[] = [];
    let late: ReturnType<RealScheduler['every']> | undefined;
    let victim: ReturnType<RealScheduler['every']> | undefined = undefined;
    const uncaught: unknown[] = [];
    const onUncaught = (err: unknown): void => void uncaught.push(err);
    process.prependListener('uncaughtException', onUncaught);
    const first = s.every(5, () => {
      calls.push('first');
      victim?.cancel();
      late ??= s.every(5, () => calls.push('late'));
      if (calls.filter((x) => x === 'first').length === 1) throw new Error('plugin bug');
    });
    victim = s.every(5, () => calls.push('victim'));
    const after = s.every(5, () => calls.push('after'));
    try {
      await waitFor(() => calls.filter((x) => x === 'first').length >= 2);
    } finally {
      process.removeListener('uncaughtException', onUncaught);
      for (const h of [first, after, late]) h?.cancel();
    }
    expect(calls.slice(0, 2)).toEqual(['first', 'after']);
    expect(calls).not.toContain('victim');
    expect(calls.slice(2, 5)).toEqual(['first', 'after', 'late']);
    expect(uncaught).toHaveLength(1);
    expect(s.pending()).toBe(0);
  });
});
