/** Real-time polling for interop tests (the only tests allowed to wait on the clock). */
import { setTimeout as sleep } from 'node:timers/promises';

/** Polls `predicate` every `pollMs` until it holds; returns the elapsed milliseconds, or throws naming `what`. */
export async function waitUntil(what: string, predicate: () => boolean, timeoutMs: number, pollMs = 5): Promise<number> {
  const start = performance.now();
  while (!predicate()) {
    if (performance.now() - start > timeoutMs) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await sleep(pollMs);
  }
  return performance.now() - start;
}
