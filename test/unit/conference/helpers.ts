/**
 * A scripted ConferencePort for engine unit tests: it records every packet the
 * engine sends, counts friend connection references, and lets the test play
 * the network (status changes, incoming packets) by hand.
 */
import { ManualScheduler, SeededRandom, toHex } from '../../../src/base/index.js';
import { Conferences, type ConferencePort, type ConferencePortListeners, type ConferencesOptions } from '../../../src/conference/index.js';
import type { DhtPublicKey, LongTermPublicKey } from '../../../src/crypto/index.js';
import { recordEvents, type RecordedEvents } from '../../support/conference-net.js';

export interface SentPacket {
  readonly to: string;
  readonly kind: 'lossless' | 'lossy' | 'invite';
  readonly packet: Uint8Array;
}

/** A key whose ring position is its first byte (the rest is `tag`). */
export function key(first: number, tag = 0): LongTermPublicKey {
  const k = new Uint8Array(32);
  k[0] = first;
  k[31] = tag;
  return k as LongTermPublicKey;
}

export function dhtOf(publicKey: Uint8Array): DhtPublicKey {
  const k = publicKey.slice();
  k[30] = 0xdd;
  return k as DhtPublicKey;
}

export class FakePort implements ConferencePort {
  readonly sent: SentPacket[] = [];
  readonly holds = new Map<string, number>();
  readonly online = new Set<string>();
  readonly friends = new Set<string>();
  listeners: ConferencePortListeners | undefined;
  /** When false every send fails (a full queue). */
  accepting = true;

  constructor(readonly selfPublicKey: LongTermPublicKey) {}

  selfDhtPublicKey(): DhtPublicKey {
    return dhtOf(this.selfPublicKey);
  }

  acquire(peer: LongTermPublicKey): void {
    const k = toHex(peer);
    this.holds.set(k, (this.holds.get(k) ?? 0) + 1);
  }

  release(peer: LongTermPublicKey): void {
    const k = toHex(peer);
    const n = this.holds.get(k) ?? 0;
    if (n <= 0) throw new Error('released more often than acquired');
    if (n === 1) this.holds.delete(k);
    else this.holds.set(k, n - 1);
  }

  hasConnection(peer: LongTermPublicKey): boolean {
    const k = toHex(peer);
    return this.holds.has(k) || this.friends.has(k);
  }

  isOnline(peer: LongTermPublicKey): boolean {
    return this.online.has(toHex(peer));
  }

  dhtPublicKeyOf(peer: LongTermPublicKey): DhtPublicKey | undefined {
    return this.hasConnection(peer) ? dhtOf(peer) : undefined;
  }

  sendLossless(peer: LongTermPublicKey, packet: Uint8Array): boolean {
    return this.record(peer, 'lossless', packet);
  }

  sendLossy(peer: LongTermPublicKey, packet: Uint8Array): boolean {
    return this.record(peer, 'lossy', packet);
  }

  isFriend(peer: LongTermPublicKey): boolean {
    return this.friends.has(toHex(peer));
  }

  sendInvite(friend: LongTermPublicKey, packet: Uint8Array): boolean {
    return this.isFriend(friend) && this.record(friend, 'invite', packet);
  }

  subscribe(listeners: ConferencePortListeners): () => void {
    this.listeners = listeners;
    return () => {
      this.listeners = undefined;
    };
  }

  private record(peer: LongTermPublicKey, kind: SentPacket['kind'], packet: Uint8Array): boolean {
    if (!this.accepting || !this.online.has(toHex(peer))) return false;
    this.sent.push({ to: toHex(peer), kind, packet: packet.slice() });
    return true;
  }

  // ---------------------------------------------------------------- the test plays the network

  befriend(peer: LongTermPublicKey): void {
    this.friends.add(toHex(peer));
  }

  setOnline(peer: LongTermPublicKey, online: boolean): void {
    if (online) this.online.add(toHex(peer));
    else this.online.delete(toHex(peer));
    this.listeners!.status(peer, online);
  }

  receive(from: LongTermPublicKey, packet: Uint8Array): void {
    this.listeners!.lossless(from, packet);
  }

  receiveLossy(from: LongTermPublicKey, packet: Uint8Array): void {
    this.listeners!.lossy(from, packet);
  }

  receiveInvite(from: LongTermPublicKey, packet: Uint8Array): void {
    this.listeners!.invite(from, packet);
  }

  /** Returns and forgets what was sent so far. */
  take(): SentPacket[] {
    return this.sent.splice(0);
  }
}

export interface Engine {
  readonly scheduler: ManualScheduler;
  readonly port: FakePort;
  readonly conferences: Conferences;
  readonly events: RecordedEvents;
  readonly self: LongTermPublicKey;
}

export function engine(self: LongTermPublicKey = key(0x80), options: ConferencesOptions = {}, seed = 1): Engine {
  const scheduler = new ManualScheduler();
  const port = new FakePort(self);
  const conferences = new Conferences({ port, scheduler, random: new SeededRandom(seed) }, { name: new TextEncoder().encode('me'), ...options });
  const events = recordEvents(conferences);
  conferences.start();
  return { scheduler, port, conferences, events, self };
}

/** Hex, for comparing packets against hand-written layouts. */
export function hex(bytes: Uint8Array): string {
  return toHex(bytes);
}
