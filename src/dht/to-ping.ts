/**
 * The "to ping" queue (ping.c): requesters that could fit our close list are
 * pinged in batches every 2 s instead of immediately, at most 32 at a time,
 * keeping the ones closest to our key. Their ping responses add them.
 */
import type { PackedNode } from '../net/index.js';
import { MAX_TO_PING } from './constants.js';
import { addClosest } from './dht-friend.js';

export class ToPingQueue {
  private queue: PackedNode[] = [];

  constructor(private readonly selfKey: Uint8Array) {}

  get size(): number {
    return this.queue.length;
  }

  add(node: PackedNode): void {
    addClosest(this.queue, MAX_TO_PING, node, this.selfKey);
  }

  drain(): PackedNode[] {
    const out = this.queue;
    this.queue = [];
    return out;
  }
}
