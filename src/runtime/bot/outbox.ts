/**
 * Outgoing messages of one bot: a FIFO queue per destination (friend or
 * conference) with a token-bucket rate limit and backpressure. Long text is
 * split at the destination's byte limit and the parts of one message are
 * never interleaved with another's. When the node reports `queue-full` the
 * queue waits (exponential backoff on the injected Scheduler) and retries;
 * other refusals reject that message only. `send` resolves once every part
 * has been accepted by the node (not when the friend confirms receipt: match
 * `messageIds` against `friend.receipt` events for that).
 */
import { InvalidArgumentError, type Logger, type Scheduler, type TimerHandle } from '../../base/index.js';
import type { ConferenceId, PublicKeyHex } from '../events.js';
import { SendError, describeError } from './errors.js';
import { TOX_LIMITS, type BotNodeApi, type MessageType, type SendResult } from './port.js';
import { splitMessage } from './text.js';

export interface RateLimit {
  /** Messages that may go out back to back after a quiet period. */
  burst: number;
  /** Sustained messages per second. */
  perSecond: number;
}

export interface OutboxOptions {
  friend?: Partial<RateLimit>;
  conference?: Partial<RateLimit>;
  /** Messages (not parts) that may wait per destination before `send` rejects with OUTBOX_FULL. */
  maxQueued?: number;
  /** First wait after the node said `queue-full`; doubles up to `retryMaxMs`. */
  retryInitialMs?: number;
  retryMaxMs?: number;
}

export const DEFAULT_OUTBOX_OPTIONS = Object.freeze({
  friend: Object.freeze({ burst: 5, perSecond: 2 }),
  conference: Object.freeze({ burst: 5, perSecond: 1 }),
  maxQueued: 100,
  retryInitialMs: 250,
  retryMaxMs: 8000,
} as const);

export type Destination =
  | { readonly type: 'friend'; readonly publicKey: PublicKeyHex }
  | { readonly type: 'conference'; readonly id: ConferenceId };

export interface SentMessage {
  /** How many Tox messages the text became. */
  readonly parts: number;
  /** Friend messages: the ids `friend.receipt` events will carry (empty for conferences). */
  readonly messageIds: readonly number[];
}

interface Item {
  readonly parts: readonly string[];
  readonly type: MessageType;
  next: number;
  readonly messageIds: number[];
  resolve(sent: SentMessage): void;
  reject(err: unknown): void;
}

interface Queue {
  readonly destination: Destination;
  readonly limit: RateLimit;
  readonly items: Item[];
  tokens: number;
  refilledAt: number;
  timer: TimerHandle | undefined;
  busy: boolean;
  retryDelay: number;
}

/** Idle queues kept before a sweep drops those whose bucket has refilled. */
const SWEEP_THRESHOLD = 256;

function positive(value: number, what: string): number {
  if (!Number.isFinite(value) || value <= 0) throw new InvalidArgumentError(`${what} must be a positive number, got ${value}`);
  return value;
}

function keyOf(d: Destination): string {
  return d.type === 'friend' ? `f:${d.publicKey}` : `c:${d.id}`;
}

export class Outbox {
  private readonly queues = new Map<string, Queue>();
  private readonly limits: { friend: RateLimit; conference: RateLimit };
  private readonly maxQueued: number;
  private readonly retryInitialMs: number;
  private readonly retryMaxMs: number;
  private closed = false;

  constructor(
    private readonly deps: { node: BotNodeApi; scheduler: Scheduler; log: Logger },
    options: OutboxOptions = {},
  ) {
    const d = DEFAULT_OUTBOX_OPTIONS;
    const limit = (o: Partial<RateLimit> | undefined, def: RateLimit, what: string): RateLimit => ({
      burst: Math.max(1, Math.floor(positive(o?.burst ?? def.burst, `${what}.burst`))),
      perSecond: positive(o?.perSecond ?? def.perSecond, `${what}.perSecond`),
    });
    this.limits = { friend: limit(options.friend, d.friend, 'friend'), conference: limit(options.conference, d.conference, 'conference') };
    this.maxQueued = Math.floor(positive(options.maxQueued ?? d.maxQueued, 'maxQueued'));
    this.retryInitialMs = positive(options.retryInitialMs ?? d.retryInitialMs, 'retryInitialMs');
    this.retryMaxMs = Math.max(this.retryInitialMs, options.retryMaxMs ?? d.retryMaxMs);
  }

  /**
   * Queues `text` for `destination`; rejects with a `SendError` when it cannot
   * go out. A rejection nobody awaits is logged (debug) instead of becoming an
   * unhandled rejection.
   */
  send(destination: Destination, text: string, options: { type?: MessageType } = {}): Promise<SentMessage> {
    const sent = this.enqueue(destination, text, options.type ?? 'normal');
    sent.catch((err: unknown) => this.deps.log.debug('message not sent', { destination, error: err }));
    return sent;
  }

  private enqueue(destination: Destination, text: string, type: MessageType): Promise<SentMessage> {
    if (typeof text !== 'string' || text.length === 0) {
      return Promise.reject(new InvalidArgumentError('cannot send an empty message'));
    }
    if (this.closed) return Promise.reject(new SendError('OUTBOX_CLOSED', 'the bot is stopping; message not sent'));
    const max = destination.type === 'friend' ? TOX_LIMITS.friendMessage : TOX_LIMITS.conferenceMessage;
    const queue = this.queueFor(destination);
    if (queue.items.length >= this.maxQueued) {
      return Promise.reject(new SendError('OUTBOX_FULL', `${this.maxQueued} messages are already waiting for this ${destination.type}`, { destination }));
    }
    return new Promise<SentMessage>((resolve, reject) => {
      queue.items.push({ parts: splitMessage(text, max), type, next: 0, messageIds: [], resolve, reject });
      this.pump(queue);
    });
  }

  /** Messages waiting or in flight, over all destinations. */
  pending(): number {
    let n = 0;
    for (const q of this.queues.values()) n += q.items.length;
    return n;
  }

  /** Cancels every wait and rejects every queued message with OUTBOX_CLOSED. Idempotent. */
  close(): void {
    this.closed = true;
    for (const q of this.queues.values()) {
      q.timer?.cancel();
      q.timer = undefined;
      for (const item of q.items.splice(0)) item.reject(new SendError('OUTBOX_CLOSED', 'the bot stopped before this message went out'));
    }
    this.queues.clear();
  }

  private queueFor(destination: Destination): Queue {
    const key = keyOf(destination);
    let q = this.queues.get(key);
    if (!q) {
      if (this.queues.size >= SWEEP_THRESHOLD) this.sweep();
      const limit = this.limits[destination.type];
      q = { destination, limit, items: [], tokens: limit.burst, refilledAt: this.deps.scheduler.now(), timer: undefined, busy: false, retryDelay: 0 };
      this.queues.set(key, q);
    }
    return q;
  }

  private refill(q: Queue): void {
    const now = this.deps.scheduler.now();
    q.tokens = Math.min(q.limit.burst, q.tokens + ((now - q.refilledAt) * q.limit.perSecond) / 1000);
    q.refilledAt = now;
  }

  private sweep(): void {
    for (const [key, q] of this.queues) {
      if (q.items.length > 0 || q.busy || q.timer) continue;
      this.refill(q);
      if (q.tokens >= q.limit.burst) this.queues.delete(key);
    }
  }

  private pump(q: Queue): void {
    if (q.busy || q.timer || this.closed) return;
    q.busy = true;
    this.drain(q).catch((err: unknown) => this.deps.log.error('outbox failure', { error: err }));
  }

  private wait(q: Queue, ms: number): void {
    q.timer = this.deps.scheduler.after(ms, () => {
      q.timer = undefined;
      this.pump(q);
    });
  }

  /** Sends from the head of `q` until it is empty or has to wait; `busy` is cleared in the same tick as the last check. */
  private async drain(q: Queue): Promise<void> {
    try {
      while (q.items.length > 0 && !this.closed) {
        this.refill(q);
        if (q.tokens < 1) {
          this.wait(q, Math.ceil(((1 - q.tokens) * 1000) / q.limit.perSecond));
          return;
        }
        const item = q.items[0]!;
        let result: SendResult;
        try {
          result = await this.sendPart(q.destination, item.parts[item.next]!, item.type);
        } catch (err) {
          if (this.closed) return;
          q.items.shift();
          item.reject(new SendError('SEND_FAILED', `the node refused the message: ${describeError(err)}`, { destination: q.destination }, { cause: err }));
          continue;
        }
        if (this.closed) return;
        if (result.ok) {
          q.tokens -= 1;
          q.retryDelay = 0;
          if (result.messageId !== undefined) item.messageIds.push(result.messageId);
          item.next++;
          if (item.next === item.parts.length) {
            q.items.shift();
            item.resolve({ parts: item.parts.length, messageIds: item.messageIds });
          }
        } else if (result.reason === 'queue-full') {
          q.retryDelay = q.retryDelay === 0 ? this.retryInitialMs : Math.min(this.retryMaxMs, q.retryDelay * 2);
          this.deps.log.debug('node send queue full, waiting', { destination: q.destination, retryMs: q.retryDelay });
          this.wait(q, q.retryDelay);
          return;
        } else {
          q.items.shift();
          const detail = result.detail ? ` (${result.detail})` : '';
          item.reject(new SendError('SEND_FAILED', `the node refused the message: ${result.reason}${detail}`, { destination: q.destination, reason: result.reason }));
        }
      }
    } finally {
      q.busy = false;
    }
  }

  private sendPart(d: Destination, text: string, type: MessageType): Promise<SendResult> {
    return d.type === 'friend' ? this.deps.node.sendFriendMessage(d.publicKey, text, type) : this.deps.node.sendConferenceMessage(d.id, text, type);
  }
}
