/**
 * A periodic tick that runs at a fast interval while its owner has work and
 * at a slow one while it is idle, so hundreds of idle nodes in one process do
 * not each wake up twenty times a second for nothing. The owner says when work
 * appears (`wake`); a missed wake only delays work to the next slow tick, after
 * which the `busy` check brings the fast interval back by itself.
 */
import type { Scheduler, TimerHandle } from './scheduler.js';

export class AdaptiveTicker {
  private handle: TimerHandle | undefined;
  private fast = true;

  constructor(
    private readonly scheduler: Scheduler,
    private readonly fastMs: number,
    private readonly slowMs: number,
    private readonly tick: (now: number) => void,
    private readonly busy: () => boolean,
  ) {}

  get running(): boolean {
    return this.handle !== undefined;
  }

  /** Starts at the fast interval (the first tick settles the rate). */
  start(): void {
    if (!this.handle) this.arm(true);
  }

  stop(): void {
    this.handle?.cancel();
    this.handle = undefined;
  }

  /** Work appeared: back to the fast interval at once. */
  wake(): void {
    if (this.handle && !this.fast) this.arm(true);
  }

  private arm(fast: boolean): void {
    this.handle?.cancel();
    this.fast = fast;
    this.handle = this.scheduler.every(fast ? this.fastMs : Math.max(this.fastMs, this.slowMs), (now) => this.run(now));
  }

  private run(now: number): void {
    this.tick(now);
    if (!this.handle) return; // stopped by the tick
    const busy = this.busy();
    if (this.fast !== busy) this.arm(busy);
  }
}
