/**
 * The environment a node runs in: time, randomness, network and logging. The
 * same node code runs on `realEnv` (real sockets, real clock, OS randomness)
 * and on a simulated one built from SimNetwork + ManualScheduler + SeededRandom.
 */
import type { Logger, Random, Scheduler } from '../base/index.js';
import { CryptoRandom, RealScheduler } from '../base/index.js';
import type { NetStack } from '../net/index.js';
import { NodeNetStack } from '../net/node/index.js';

export interface NodeEnv {
  scheduler: Scheduler;
  random: Random;
  net: NetStack;
  log: Logger;
}

/** Real time, OS randomness and real sockets; `close()` releases the sockets it opened. */
export function realEnv(log: Logger): NodeEnv & { close(): Promise<void> } {
  const scheduler = new RealScheduler();
  const net = new NodeNetStack({ scheduler, log: log.child({ layer: 'net' }) });
  return { scheduler, random: new CryptoRandom(), net, log, close: () => net.close() };
}
