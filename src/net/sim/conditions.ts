/**
 * Link conditions of the simulated network: the knobs (latency, jitter, loss,
 * duplication, reordering, MTU, bandwidth), their validation, and the
 * per-direction `Link` state that caches the effective conditions and the
 * bandwidth queue of one from-host → to-host pair.
 */
import { InvalidArgumentError } from '../../base/index.js';

export interface LinkConditions {
  /** One-way base delay. */
  readonly latencyMs: number;
  /** Extra delay drawn uniformly from [0, jitterMs) per datagram or stream segment. */
  readonly jitterMs: number;
  /** Probability that a datagram is lost (streams are reliable and never lose data). */
  readonly loss: number;
  /** Probability that a datagram is delivered twice. */
  readonly duplicate: number;
  /** Probability that a datagram gets an extra delay from [0, reorderDelayMs), overtaking later ones. */
  readonly reorder: number;
  readonly reorderDelayMs: number;
  /** Largest datagram the link carries; longer ones are dropped in the network (fate 'mtu'), `send` still returns true. */
  readonly mtu: number;
  /** Link capacity; datagrams and segments queue (unboundedly, FIFO) behind each other. Infinity = unlimited. */
  readonly bandwidthBytesPerSec: number;
}

/** A loss-free, instant link: what a host has to itself unless configured otherwise. */
export const PERFECT_LINK: LinkConditions = {
  latencyMs: 0,
  jitterMs: 0,
  loss: 0,
  duplicate: 0,
  reorder: 0,
  reorderDelayMs: 0,
  mtu: Infinity,
  bandwidthBytesPerSec: Infinity,
};

/** Global defaults between distinct hosts: 10 ms one way, nothing else. */
export const DEFAULT_LINK: LinkConditions = { ...PERFECT_LINK, latencyMs: 10 };

function check(name: string, value: number, max: number): void {
  if (typeof value !== 'number' || Number.isNaN(value) || value < 0 || value > max) {
    throw new InvalidArgumentError(`link condition ${name} must be a number in 0..${max}, got ${value}`);
  }
}

/** Validates a partial set of conditions (throws InvalidArgumentError). */
export function checkConditions(c: Partial<LinkConditions>): void {
  for (const key of ['latencyMs', 'jitterMs', 'reorderDelayMs'] as const) if (c[key] !== undefined) check(key, c[key], Number.MAX_SAFE_INTEGER);
  for (const key of ['loss', 'duplicate', 'reorder'] as const) if (c[key] !== undefined) check(key, c[key], 1);
  if (c.mtu !== undefined) check('mtu', c.mtu, Infinity);
  if (c.bandwidthBytesPerSec !== undefined) {
    check('bandwidthBytesPerSec', c.bandwidthBytesPerSec, Infinity);
    if (c.bandwidthBytesPerSec === 0) throw new InvalidArgumentError('bandwidthBytesPerSec must be > 0 (use Infinity for unlimited)');
  }
}

/** One direction between two hosts: cached effective conditions plus the bandwidth queue. */
export class Link {
  conditions: LinkConditions;
  /** SimNetwork's configuration version the cached conditions belong to. */
  version: number;
  /** When the link finishes transmitting what is already queued (bandwidth model). */
  busyUntil = 0;

  constructor(conditions: LinkConditions, version: number) {
    this.conditions = conditions;
    this.version = version;
  }
}
