/**
 * Conformance runner for SimNetwork hosts (no loss; a little latency and
 * jitter so ordering and timing are exercised), IPv4 and IPv6, on virtual time.
 */
import { expect } from 'vitest';
import { ManualScheduler, SeededRandom } from '../../src/base/index.js';
import { SimNetwork } from '../../src/net/sim/index.js';
import { datagramSuite } from './datagram.suite.js';
import type { NetFixture } from './fixture.js';
import { streamSuite } from './stream.suite.js';

async function simFixture(family: 4 | 6, seed: number): Promise<NetFixture> {
  const scheduler = new ManualScheduler();
  const sim = new SimNetwork({ scheduler, random: new SeededRandom(seed), conditions: { latencyMs: 2, jitterMs: 3 } });
  const a = sim.host('10.0.0.1', 'fd00::1');
  const b = sim.host('10.0.0.2', 'fd00::2');
  return {
    a,
    b,
    hostA: family === 4 ? '10.0.0.1' : 'fd00::1',
    hostB: family === 4 ? '10.0.0.2' : 'fd00::2',
    wildcard: family === 4 ? '0.0.0.0' : '::',
    foreignHost: family === 4 ? '192.0.2.1' : '2001:db8::1',
    bulkBytes: 4 * 1024 * 1024,
    ipv4: family === 6 ? { hostA: '10.0.0.1', hostB: '10.0.0.2' } : undefined,
    waitFor: (pred, what, timeoutMs = 30_000) => scheduler.runUntil(pred, { timeoutMs, stepMs: 5, describe: () => what }),
    pass: (ms) => scheduler.advance(ms),
    async settle(promise, timeoutMs = 30_000) {
      let settled = false;
      promise.then(
        () => (settled = true),
        () => (settled = true),
      );
      await scheduler.runUntil(() => settled, { timeoutMs, stepMs: 1 });
      return promise;
    },
    async teardown() {
      await scheduler.advance(1000);
      expect(a.openCount + b.openCount).toBe(0);
      expect(sim.inFlightCount).toBe(0);
      expect(scheduler.pending()).toBe(0);
      sim.close();
    },
  };
}

datagramSuite('sim, IPv4', () => simFixture(4, 1));
streamSuite('sim, IPv4', () => simFixture(4, 2));
datagramSuite('sim, IPv6', () => simFixture(6, 3));
streamSuite('sim, IPv6', () => simFixture(6, 4));
