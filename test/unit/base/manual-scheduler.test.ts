/** ManualScheduler: virtual time, timer order, periodic timers, cancellation and promise draining. */
import { describe, expect, it } from 'vitest';
import { InvalidArgumentError, ManualScheduler, TimeoutError, isToxError } from '../../../src/base/index.js';

describe('ManualScheduler', () => {
  it('fires timers in (due, creation) order with now() equal to their due time', async () => {
    const s = new ManualScheduler();
    const fired: string[] = [];
    const log = (name: string) => () => fired.push(`${name}@${s.now()}`);
    s.after(30, log('c'));
    s.after(10, log('a1'));
    s.after(20, log('b'));
    s.after(10, log('a2'));
    s.after(0, log('zero'));
    await s.advance(25);
    expect(fired).toEqual(['zero@0', 'a1@10', 'a2@10', 'b@20']);
    expect(s.now()).toBe(25);
    await s.advance(5);
    expect(fired.at(-1)).toBe('c@30');
  });

  it('runs zero-delay timers scheduled by a callback at the same instant, after those already due', async () => {
    const s = new ManualScheduler();
    const fired: string[] = [];
    s.after(5, () => {
      fired.push('first');
      s.after(0, () => fired.push(`nested@${s.now()}`));
    });
    s.after(5, () => fired.push('second'));
    await s.advance(5);
    expect(fired).toEqual(['first', 'second', 'nested@5']);
  });

  it('repeats `every` timers at their period, passing the firing time', async () => {
    const s = new ManualScheduler({ startMs: 100 });
    const ticks: number[] = [];
    const h = s.every(40, (now) => ticks.push(now));
    await s.advance(130);
    expect(ticks).toEqual([140, 180, 220]);
    h.cancel();
    await s.advance(200);
    expect(ticks).toEqual([140, 180, 220]);
  });

  it('cancels timers, including one due at the same instant as the cancelling callback', async () => {
    const s = new ManualScheduler();
    const fired: string[] = [];
    const early = s.after(5, () => fired.push('early'));
    early.cancel();
    early.cancel();
    s.after(10, () => victim.cancel());
    const victim = s.after(10, () => fired.push('victim'));
    s.after(10, () => fired.push('survivor'));
    await s.advance(10);
    expect(fired).toEqual(['survivor']);
  });

  it('counts live timers in pending()', async () => {
    const s = new ManualScheduler();
    expect(s.pending()).toBe(0);
    const a = s.after(10, () => undefined);
    const p = s.every(10, () => undefined);
    s.after(20, () => undefined);
    expect(s.pending()).toBe(3);
    a.cancel();
    expect(s.pending()).toBe(2);
    await s.advance(20);
    expect(s.pending()).toBe(1);
    p.cancel();
    p.cancel();
    expect(s.pending()).toBe(0);
  });

  it('runs promise continuations caused by a timer before virtual time moves on', async () => {
    const s = new ManualScheduler();
    const seen: number[] = [];
    const sleep = (ms: number) => new Promise<void>((resolve) => s.after(ms, resolve));
    const task = (async () => {
      await sleep(10);
      seen.push(s.now());
      await Promise.resolve();
      await sleep(10);
      seen.push(s.now());
    })();
    s.after(15, () => seen.push(-15));
    await s.advance(100);
    expect(seen).toEqual([10, -15, 20]);
    await task;
  });

  it('runUntil advances until the predicate holds', async () => {
    const s = new ManualScheduler();
    let done = false;
    s.after(95, () => (done = true));
    await s.runUntil(() => done, { timeoutMs: 1000, stepMs: 10 });
    expect(s.now()).toBe(100);
  });

  it('runUntil rejects with a TIMEOUT error carrying the described state', async () => {
    const s = new ManualScheduler();
    const err = await s.runUntil(() => false, { timeoutMs: 50, describe: () => ({ waitingFor: 'peer' }) }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(TimeoutError);
    expect(isToxError(err, 'TIMEOUT')).toBe(true);
    expect((err as TimeoutError).details).toEqual({ state: { waitingFor: 'peer' } });
    expect(s.now()).toBe(50);
  });

  it('derives unixSeconds from its origin and virtual time', async () => {
    const s = new ManualScheduler({ unixSeconds: 1000 });
    await s.advance(2500);
    expect(s.unixSeconds()).toBe(1002);
  });

  it('rejects negative or non-finite delays', async () => {
    const s = new ManualScheduler();
    expect(() => s.after(-1, () => undefined)).toThrow(InvalidArgumentError);
    expect(() => s.every(Number.NaN, () => undefined)).toThrow(InvalidArgumentError);
    await expect(s.advance(Number.POSITIVE_INFINITY)).rejects.toThrow(InvalidArgumentError);
  });
});
