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
