/**
 * Per-source and global admission of requests that cost us work or replies
 * (pings, nodes requests, LAN discovery, forwarded routed packets), counted in
 * one-second windows. A flooding peer is cut off for the rest of the second
 * without affecting others; state is bounded by the number of tracked sources.
 */
import { formatIpPort, type IpPort } from '../net/index.js';
import { MAX_TRACKED_SOURCES } from './constants.js';

export class RequestRateLimiter {
  private window = Number.NEGATIVE_INFINITY;
  private total = 0;
  private readonly perSource = new Map<string, number>();

  constructor(
    private readonly perSourceLimit: number,
    private readonly globalLimit: number,
  ) {}

  get trackedSources(): number {
    return this.perSource.size;
  }

  /** True if a request from `from` may be served now. */
  admit(from: IpPort, now: number): boolean {
    const window = Math.floor(now / 1000);
    if (window !== this.window) {
      this.window = window;
      this.total = 0;
      this.perSource.clear();
    }
    if (this.total >= this.globalLimit) return false;
    const key = formatIpPort(from);
    const used = this.perSource.get(key);
    if (used === undefined && this.perSource.size >= MAX_TRACKED_SOURCES) return false;
    if ((used ?? 0) >= this.perSourceLimit) return false;
    this.perSource.set(key, (used ?? 0) + 1);
    this.total++;
    return true;
  }
}
