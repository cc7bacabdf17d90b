/**
 * Incoming friend requests (tox-protocol.md §7.2): from the onion (data kind
 * 0x20) and over an existing friend connection (0x12). A request passes when
 * it is well formed, carries our current nospam, is not a resend from one of
 * the last 32 senders, does not come from a friend, fits the rate limit (a
 * token bucket: bounded memory whatever the flood) and the runtime's
 * admission hook allows it. Everything else is counted and dropped.
 */
import { EventEmitter } from 'eventemitter3';
import { bytesEqual, type Logger, type Scheduler } from '../base/index.js';
import { keyId, type LongTermPublicKey } from '../crypto/index.js';
import type { OnionClient } from '../onion/index.js';
import type { FriendConnections } from './connections.js';
import { DEFAULT_REQUEST_BURST, DEFAULT_REQUESTS_PER_MINUTE, ONION_FRIEND_REQUEST_KIND, RECENT_REQUESTS } from './constants.js';
import { FriendRequestBody } from './wire.js';

/** The runtime's say on a request that passed every protocol check. */
export type FriendRequestAdmission = (sender: LongTermPublicKey, message: Uint8Array) => boolean;

export interface FriendRequestsDeps {
  scheduler: Scheduler;
  log: Logger;
  onion: OnionClient;
  connections: FriendConnections;
  /** Our current nospam (4 bytes). */
  nospam: () => Uint8Array;
  /** Whether `sender` is already a friend of ours (any state). */
  isFriend: (sender: LongTermPublicKey) => boolean;
}

export interface FriendRequestsOptions {
  /** Requests admitted in a burst... */
  burst?: number;
  /** ...and per minute after it. */
  perMinute?: number;
  admission?: FriendRequestAdmission;
}

export interface FriendRequestsEvents {
  request: (sender: LongTermPublicKey, message: Uint8Array) => void;
}

export type FriendRequestDropReason = 'malformed' | 'wrongNospam' | 'duplicate' | 'alreadyFriend' | 'rateLimited' | 'denied';

export class FriendRequests extends EventEmitter<FriendRequestsEvents> {
  readonly drops = new Map<FriendRequestDropReason, number>();
  /** Runtime admission (allow/deny), consulted last; may be replaced at any time. */
  admission: FriendRequestAdmission | undefined;
  private readonly log: Logger;
  private readonly recent: string[] = [];
  private readonly burst: number;
  private readonly perMs: number;
  private tokens: number;
  private refilledAt: number;
  private readonly detach: Array<() => void> = [];

  constructor(
    private readonly deps: FriendRequestsDeps,
    options: FriendRequestsOptions = {},
  ) {
    super();
    this.log = deps.log.child({ layer: 'friend-requests' });
    this.burst = options.burst ?? DEFAULT_REQUEST_BURST;
    this.perMs = (options.perMinute ?? DEFAULT_REQUESTS_PER_MINUTE) / 60_000;
    this.tokens = this.burst;
    this.refilledAt = deps.scheduler.now();
    this.admission = options.admission;
  }

  start(): void {
    if (this.detach.length > 0) return;
    const onData = (kind: number, sender: LongTermPublicKey, data: Uint8Array): void => {
      if (kind !== ONION_FRIEND_REQUEST_KIND) return;
      const body = FriendRequestBody.tryDecode(data);
      if (!body.ok) return this.drop('malformed');
      this.receive(sender, body.value.nospam, body.value.message);
    };
    const onDirect = (sender: LongTermPublicKey, nospam: Uint8Array, message: Uint8Array): void => this.receive(sender, nospam, message);
    this.deps.onion.on('onionData', onData);
    this.deps.connections.on('friendRequest', onDirect);
    this.detach.push(
      () => this.deps.onion.off('onionData', onData),
      () => this.deps.connections.off('friendRequest', onDirect),
    );
  }

  stop(): void {
    for (const fn of this.detach.splice(0)) fn();
  }

  /** Forgets a sender, so that a new request from it is heard again (after deleting the friend). */
  forget(sender: LongTermPublicKey): void {
    const i = this.recent.indexOf(keyId(sender));
    if (i >= 0) this.recent.splice(i, 1);
  }

  /** Sends a request through the friend connection when it is up, else through the onion; false when nothing went out. */
  send(peer: LongTermPublicKey, nospam: Uint8Array, message: Uint8Array): boolean {
    if (this.deps.connections.isOnline(peer)) return this.deps.connections.sendFriendRequest(peer, nospam, message);
    return this.deps.onion.sendFriendRequest(peer, nospam, message) > 0;
  }

  private receive(sender: LongTermPublicKey, nospam: Uint8Array, message: Uint8Array): void {
    if (!bytesEqual(nospam, this.deps.nospam())) return this.drop('wrongNospam');
    const id = keyId(sender);
    if (this.recent.includes(id)) return this.drop('duplicate');
    if (this.deps.isFriend(sender)) return this.drop('alreadyFriend');
    if (!this.takeToken()) return this.drop('rateLimited');
    this.recent.push(id);
    if (this.recent.length > RECENT_REQUESTS) this.recent.shift();
    let allowed = true;
    try {
      allowed = this.admission?.(sender, message) ?? true;
    } catch (err) {
      this.log.warn('friend request admission hook threw', { error: err instanceof Error ? err.message : String(err) });
      allowed = false;
    }
    if (!allowed) return this.drop('denied');
    this.emit('request', sender, message);
  }

  private takeToken(): boolean {
    const now = this.deps.scheduler.now();
    this.tokens = Math.min(this.burst, this.tokens + (now - this.refilledAt) * this.perMs);
    this.refilledAt = now;
    if (this.tokens < 1) return false;
    this.tokens -= 1;
    return true;
  }

  private drop(reason: FriendRequestDropReason): void {
    this.drops.set(reason, (this.drops.get(reason) ?? 0) + 1);
    if (this.log.enabled('debug')) this.log.debug('dropped friend request', { reason });
  }
}
