// AdaptiveTicker: fast while busy, slow while idle, woken at once, and nothing left after stop.
import { describe, expect, it } from 'vitest';
import { AdaptiveTicker, ManualScheduler } from '../../../src/base/index.js';

describe('AdaptiveTicker', () => {
  it('slows down when idle, speeds up when woken or busy again, and stops clean', async () => {
    const scheduler = new ManualScheduler();
    let work = 0;
    const ticks: number[] = [];
    const ticker = new AdaptiveTicker(scheduler, 50, 1_000, (now) => ticks.push(now), () => work > 0);
    ticker.start();
    await scheduler.advance(50);
    expect(ticks).toEqual([50]); // the first tick finds no work: slow from here
    await scheduler.advance(950);
    expect(ticks).toEqual([50]);
    await scheduler.advance(100);
    expect(ticks).toEqual([50, 1_050]);
    work = 1;
    ticker.wake();
    await scheduler.advance(200); // woken at 1,100
    expect(ticks).toEqual([50, 1_050, 1_150, 1_200, 1_250, 1_300]);
    work = 0;
    await scheduler.advance(2_000); // one more fast tick sees no work, then every second
    expect(ticks.slice(6)).toEqual([1_350, 2_350]);
    // Busy again without a wake: the next slow tick notices and goes fast.
    work = 1;
    await scheduler.advance(150);
    expect(ticks.slice(8)).toEqual([3_350, 3_400, 3_450]);
    ticker.stop();
    expect(ticker.running).toBe(false);
    expect(scheduler.pending()).toBe(0);
  });
});
