/** The start/stop contract every long-lived object follows, and a scope that undoes resources in reverse order. */

export interface Service {
  start(): void | Promise<void>;
  stop(): void | Promise<void>;
}

type Disposer = () => void | Promise<void>;

/** Records disposers (timers, sockets, subscriptions) and runs them newest-first on `dispose()`. */
export class Scope {
  private disposers: Disposer[] = [];

  add(disposer: Disposer): void {
    this.disposers.push(disposer);
  }

  get size(): number {
    return this.disposers.length;
  }

  async dispose(): Promise<void> {
    const list = this.disposers;
    this.disposers = [];
    let firstError: unknown;
    for (let i = list.length - 1; i >= 0; i--) {
      try {
        await list[i]!();
      } catch (err) {
        firstError ??= err;
      }
    }
    if (firstError !== undefined) throw firstError;
  }
}
