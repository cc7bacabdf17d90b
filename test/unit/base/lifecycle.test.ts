/** Scope: disposers run newest-first, awaited one at a time; failures do not stop the rest. */
import { describe, expect, it } from 'vitest';
import { ManualScheduler, Scope } from '../../../src/base/index.js';

describe('Scope', () => {
  it('runs disposers in reverse order, awaiting each before the next', async () => {
    const scope = new Scope();
    const order: string[] = [];
    scope.add(() => void order.push('first added'));
    scope.add(async () => {
      await Promise.resolve();
      await Promise.resolve();
      order.push('async middle');
    });
    scope.add(() => void order.push('last added'));
    expect(scope.size).toBe(3);
    await scope.dispose();
    expect(order).toEqual(['last added', 'async middle', 'first added']);
    expect(scope.size).toBe(0);
  });

  it('runs every disposer even when some fail, then throws the first failure', async () => {
    const scope = new Scope();
    const ran: number[] = [];
    const early = new Error('disposer 1 failed');
    const late = new Error('disposer 3 failed');
    scope.add(() => void ran.push(0));
    scope.add(() => {
      ran.push(1);
      throw early;
    });
    scope.add(() => void ran.push(2));
    scope.add(async () => {
      ran.push(3);
      throw late;
    });
    await expect(scope.dispose()).rejects.toBe(late);
    expect(ran).toEqual([3, 2, 1, 0]);
  });

  it('disposes each resource once; later additions belong to the next dispose', async () => {
    const scope = new Scope();
    let count = 0;
    scope.add(() => void count++);
    await scope.dispose();
    await scope.dispose();
    expect(count).toBe(1);
    scope.add(() => void (count += 10));
    await scope.dispose();
    expect(count).toBe(11);
  });

  it('cancels scheduler timers it owns', async () => {
    const scheduler = new ManualScheduler();
    const scope = new Scope();
    const a = scheduler.every(10, () => undefined);
    const b = scheduler.after(50, () => undefined);
    scope.add(() => a.cancel());
    scope.add(() => b.cancel());
    expect(scheduler.pending()).toBe(2);
    await scope.dispose();
    expect(scheduler.pending()).toBe(0);
  });
});
