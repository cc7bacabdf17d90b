/**
 * The conference manager (c-toxcore group.c's `Group_Chats` and the
 * tox_conference_* API): create, invite, join, leave, list, messages, title,
 * our name, lossy packets, persistence and rejoin, the tick at c-toxcore's
 * cadence, and typed events.
 *
 * Synchronous core: every input (a port callback, the tick, an API call) is
 * processed to completion, then the peer list is diffed by public key and the
 * queued events are emitted, so listeners see a consistent state and may call
 * back into the API. Untrusted input never throws out of here: it is counted
 * and dropped.
 */
import { EventEmitter } from 'eventemitter3';
import {
  InvalidArgumentError,
  UntrustedInputError,
  silentLogger,
  AdaptiveTicker,
  utf8Decode,
  utf8Encode,
  bytesEqual,
  type Logger,
  type Random,
  type Scheduler,
  type Service,
} from '../base/index.js';
import { keyId, type LongTermPublicKey } from '../crypto/index.js';
import { Conference, type ConferenceHost, type ConferenceNotice } from './conference.js';
import {
  INVITE_COOKIE_SIZE,
  INVITE_KIND_INVITE,
  MAX_LOSSY_DATA_LENGTH,
  MAX_NAME_LENGTH,
  MAX_PEERS_DEFAULT,
  MAX_TITLE_LENGTH,
  MESSAGE_ACTION,
  MESSAGE_FREEZE_PEER,
  MESSAGE_KILL_PEER,
  MESSAGE_NAME,
  MESSAGE_TEXT,
  MESSAGE_TITLE,
  IDLE_TICK_INTERVAL_MS,
  TICK_INTERVAL_MS,
  UNKNOWN_PEER_QUERY_INTERVAL_MS,
} from './constants.js';
import { REASON_CLOSEST, REASON_INTRODUCER, REASON_INTRODUCING } from './connections.js';
import { ConferenceCounters } from './counters.js';
import { ConferenceError } from './errors.js';
import type { ConferenceEvents, ConferencePeerInfo } from './events.js';
import { handleInvitePacket, sendInviteResponse, type ConferenceDirectory } from './join.js';
import { diffPeers, publishedView, type Peer, type PublishedPeer } from './peers.js';
import { conferenceFromSnapshot, snapshotOf, typeByte, typeName, type ConferenceSnapshot, type ConferenceType } from './persistence.js';
import type { ConferencePort } from './ports.js';
import { receiveLossless, receiveLossy } from './receive.js';
import { InviteCookie, InvitePacket, LeavingPeerMessage } from './wire/index.js';

export interface ConferencesDeps {
  readonly port: ConferencePort;
  readonly scheduler: Scheduler;
  readonly random: Random;
  readonly log?: Logger;
}

export interface ConferencesOptions {
  /** Our name as peers see it (Messenger's; `setName` changes it). */
  name?: Uint8Array;
  tickIntervalMs?: number;
  /** Cap on current peers per conference (c-toxcore has none). */
  maxPeers?: number;
  unknownPeerQueryIntervalMs?: number;
}

export interface ConferenceInfo {
  readonly number: number;
  readonly id: Uint8Array;
  readonly type: ConferenceType;
  readonly title: Uint8Array;
  /** False while joining (until a peer list names us). */
  readonly connected: boolean;
  readonly peerNumber: number;
}

export interface ConferencePeer extends ConferencePeerInfo {
  readonly self: boolean;
}

/** One group connection, for diagnostics. */
export interface ConferenceConnectionInfo {
  readonly publicKey: LongTermPublicKey;
  /** Whether the ONLINE exchange happened. */
  readonly online: boolean;
  readonly reasons: ReadonlyArray<'closest' | 'introducing' | 'introducer'>;
  /** The peer's group number for this conference. */
  readonly groupNumber: number;
}

const REASON_NAMES = [
  [REASON_CLOSEST, 'closest'],
  [REASON_INTRODUCING, 'introducing'],
  [REASON_INTRODUCER, 'introducer'],
] as const;

const SEND_ERRORS = {
  tooLong: ['MESSAGE_TOO_LONG', 'message too long'],
  noConnection: ['NO_CONNECTION', 'no conference connection is online'],
  failed: ['SEND_FAILED', 'no connection took the message'],
} as const;

export class Conferences extends EventEmitter<ConferenceEvents> implements Service {
  readonly counters: ConferenceCounters;
  private readonly chats: Array<Conference | undefined> = [];
  private readonly port: ConferencePort;
  private readonly scheduler: Scheduler;
  private readonly random: Random;
  private readonly log: Logger;
  private readonly host: ConferenceHost;
  private readonly directory: ConferenceDirectory;
  private readonly tickIntervalMs: number;
  private name: Uint8Array;
  /** Every 50 ms while we are in a conference, every second while in none. */
  private ticker: AdaptiveTicker | undefined;
  private unsubscribe: (() => void) | undefined;
  private busy = false;
  private flushing = false;
  private readonly deferred: Array<() => void> = [];
  private readonly queue: Array<() => void> = [];

  constructor(deps: ConferencesDeps, options: ConferencesOptions = {}) {
    super();
    this.port = deps.port;
    this.scheduler = deps.scheduler;
    this.random = deps.random;
    this.log = deps.log ?? silentLogger();
    this.counters = new ConferenceCounters(this.log);
    this.tickIntervalMs = options.tickIntervalMs ?? TICK_INTERVAL_MS;
    this.name = checkName(options.name ?? new Uint8Array(0));
    this.host = {
      port: deps.port,
      counters: this.counters,
      maxPeers: options.maxPeers ?? MAX_PEERS_DEFAULT,
      unknownPeerQueryIntervalMs: options.unknownPeerQueryIntervalMs ?? UNKNOWN_PEER_QUERY_INTERVAL_MS,
      now: () => deps.scheduler.now(),
      selfName: () => this.name,
      notify: (conference, notice) => this.notice(conference, notice),
    };
    this.directory = {
      counters: this.counters,
      random: deps.random,
      byNumber: (n) => this.chats[n],
      byTypeAndId: (type, id) => this.chats.find((c) => c !== undefined && c.matches(type, id)),
    };
  }

  get running(): boolean {
    return this.ticker !== undefined;
  }

  start(): void {
    if (this.running) return;
    this.unsubscribe = this.port.subscribe({
      status: (peer, online) => this.input(() => this.onStatus(peer, online)),
      lossless: (peer, packet) => this.input(() => receiveLossless(this.directory, peer, packet, this.scheduler.now())),
      lossy: (peer, packet) => this.input(() => receiveLossy(this.directory, peer, packet)),
      invite: (friend, packet) => this.input(() => this.onInvite(friend, packet)),
    });
    this.ticker = new AdaptiveTicker(this.scheduler, this.tickIntervalMs, IDLE_TICK_INTERVAL_MS, (now) => this.tick(now), () => this.hasConferences());
    this.ticker.start();
    // Friends already online when we start get the rejoin their coming online would have caused.
    this.run(() => {
      for (const conference of this.live()) this.rejoinOnlinePeers(conference);
    });
  }

  /** Leaves every conference temporarily (freeze peer, as `tox_kill` does) and lets go of the port; snapshots stay available. */
  stop(): void {
    if (!this.running) return;
    this.ticker?.stop();
    this.ticker = undefined;
    this.run(() => {
      for (const conference of this.live()) {
        conference.sendMessage(MESSAGE_FREEZE_PEER, LeavingPeerMessage.encode({ peerNumber: conference.peerNumber }));
        conference.dropAllConnections();
      }
    });
    this.unsubscribe?.();
    this.unsubscribe = undefined;
  }

  /** One pass of c-toxcore's `do_groupchats` (the timer calls this every tick interval). */
  tick(now = this.scheduler.now()): void {
    this.run(() => {
      for (const conference of this.live()) if (conference.status === 'connected') conference.tick(now);
    });
  }

  // ---------------------------------------------------------------- API

  /** A new conference with a random id; we are its peer 0. */
  create(type: ConferenceType = 'text'): number {
    return this.run(() => {
      const number = this.freeNumber();
      const conference = new Conference(this.host, number, this.port.selfPublicKey, 'connected');
      conference.type = typeByte(type);
      conference.id = this.random.bytes(32);
      const me = conference.addPeer(this.port.selfPublicKey, this.port.selfDhtPublicKey(), 0, true)!;
      conference.setPeerName(me, this.name);
      this.chats[number] = conference;
      return number;
    });
  }

  /** Invites a friend (who must be online) to a conference we are connected to. */
  invite(conferenceNumber: number, friend: LongTermPublicKey): void {
    this.run(() => {
      const conference = this.get(conferenceNumber);
      if (conference.status !== 'connected') throw new ConferenceError('NO_CONNECTION', 'not connected to the conference yet');
      if (!this.port.isFriend(friend)) throw new ConferenceError('FRIEND_NOT_FOUND', 'not a friend', { friend: keyId(friend) });
      const packet = InvitePacket.encode({ kind: INVITE_KIND_INVITE, inviterGroupNumber: conference.number, type: conference.type, id: conference.id });
      if (!this.port.sendInvite(friend, packet)) throw new ConferenceError('FRIEND_NOT_ONLINE', 'the friend is not online', { friend: keyId(friend) });
    });
  }

  /** Accepts an invite: `cookie` from the invite event; `expectedType` refuses other types. Returns the new conference number. */
  join(friend: LongTermPublicKey, cookie: Uint8Array, expectedType?: ConferenceType): number {
    return this.run(() => {
      if (!(cookie instanceof Uint8Array) || cookie.length !== INVITE_COOKIE_SIZE) throw new ConferenceError('INVALID_COOKIE', `a cookie is ${INVITE_COOKIE_SIZE} bytes`);
      const decoded = InviteCookie.decode(cookie);
      const type = typeName(decoded.type);
      if (type === undefined || (expectedType !== undefined && type !== expectedType)) throw new ConferenceError('WRONG_TYPE', 'unexpected conference type', { type: decoded.type });
      if (!this.port.isFriend(friend)) throw new ConferenceError('FRIEND_NOT_FOUND', 'not a friend', { friend: keyId(friend) });
      if (this.directory.byTypeAndId(decoded.type, decoded.id)) throw new ConferenceError('ALREADY_JOINED', 'already in that conference');
      const number = this.freeNumber();
      const conference = new Conference(this.host, number, this.port.selfPublicKey, 'valid');
      this.chats[number] = conference;
      if (!sendInviteResponse(conference, friend, decoded)) {
        conference.dropAllConnections();
        this.chats[number] = undefined;
        throw new ConferenceError('FRIEND_NOT_ONLINE', 'the friend is not online', { friend: keyId(friend) });
      }
      return number;
    });
  }

  /** Leaves for good: peers get a kill peer message, the conference is gone. */
  leave(conferenceNumber: number): void {
    this.run(() => {
      const conference = this.get(conferenceNumber);
      conference.sendMessage(MESSAGE_KILL_PEER, LeavingPeerMessage.encode({ peerNumber: conference.peerNumber }));
      conference.dropAllConnections();
      this.chats[conferenceNumber] = undefined;
    });
  }

  list(): number[] {
    return this.live().map((c) => c.number);
  }

  /** The conference with this 32-byte id, if we are in it. */
  byId(id: Uint8Array): number | undefined {
    return this.live().find((c) => bytesEqual(c.id, id))?.number;
  }

  info(conferenceNumber: number): ConferenceInfo {
    const c = this.get(conferenceNumber);
    return { number: c.number, id: c.id.slice(), type: typeName(c.type) ?? 'text', title: c.title.slice(), connected: c.status === 'connected', peerNumber: c.peerNumber };
  }

  /** The peers as published (heard from, not frozen), ourselves included; empty while joining. */
  peers(conferenceNumber: number): ConferencePeer[] {
    const c = this.get(conferenceNumber);
    if (c.status !== 'connected') return [];
    const me = c.self();
    const self: ConferencePeer[] = me ? [{ ...info(me), self: true }] : [];
    return [...self, ...[...c.published.values()].map((p) => ({ ...info(p), self: false }))];
  }

  /** Frozen peers (gone quiet, or everyone after a restart until they are heard again). */
  frozenPeers(conferenceNumber: number): ConferencePeerInfo[] {
    return this.get(conferenceNumber).peers.frozen.map(info);
  }

  /** The group connections in slot order (diagnostics: the ring and the introductions in progress). */
  connections(conferenceNumber: number): ConferenceConnectionInfo[] {
    return [...this.get(conferenceNumber).connections.entries()].map(([, c]) => ({
      publicKey: c.publicKey,
      online: c.online,
      reasons: REASON_NAMES.filter(([bit]) => (c.reasons & bit) !== 0).map(([, name]) => name),
      groupNumber: c.groupNumber,
    }));
  }

  sendMessage(conferenceNumber: number, message: string | Uint8Array): void {
    this.sendText(conferenceNumber, MESSAGE_TEXT, message);
  }

  sendAction(conferenceNumber: number, action: string | Uint8Array): void {
    this.sendText(conferenceNumber, MESSAGE_ACTION, action);
  }

  /**
   * Sets the title (1..128 bytes) and tells the peers. As in c-toxcore the
   * title is set locally even when sending fails, and no title event fires for
   * our own change.
   */
  setTitle(conferenceNumber: number, title: string | Uint8Array): void {
    this.run(() => {
      const conference = this.get(conferenceNumber);
      const bytes = typeof title === 'string' ? utf8Encode(title) : title;
      if (bytes.length === 0) throw new ConferenceError('TITLE_EMPTY', 'a title has at least one byte');
      if (bytes.length > MAX_TITLE_LENGTH) throw new ConferenceError('TITLE_TOO_LONG', `a title has at most ${MAX_TITLE_LENGTH} bytes`);
      if (bytesEqual(conference.title, bytes)) return;
      conference.title = bytes.slice();
      if (conference.peers.current.length === 1) return;
      const result = conference.sendMessage(MESSAGE_TITLE, conference.title);
      if (result !== 'sent') throw new ConferenceError(SEND_ERRORS[result][0], SEND_ERRORS[result][1]);
    });
  }

  title(conferenceNumber: number): Uint8Array {
    return this.get(conferenceNumber).title.slice();
  }

  /** Our name changed (Messenger's `setname`): every connected conference hears it (c-toxcore `send_name_all_groups`). */
  setName(name: Uint8Array): void {
    this.run(() => {
      this.name = checkName(name).slice();
      for (const conference of this.live()) {
        if (conference.status !== 'connected') continue;
        conference.sendMessage(MESSAGE_NAME, this.name);
        conference.needSendName = false;
      }
    });
  }

  /** Sends a lossy packet (`[id][data]`, e.g. id 192 audio) in an AV conference. */
  sendLossy(conferenceNumber: number, id: number, data: Uint8Array): void {
    this.run(() => {
      const conference = this.get(conferenceNumber);
      if (!Number.isInteger(id) || id < 0 || id > 0xff) throw new InvalidArgumentError('a lossy id is one byte', { id });
      if (typeName(conference.type) !== 'av') throw new ConferenceError('WRONG_TYPE', 'lossy packets need an AV conference');
      if (data.length > MAX_LOSSY_DATA_LENGTH) throw new ConferenceError('MESSAGE_TOO_LONG', 'lossy data too long');
      const sent = conference.relayLossy({ peerNumber: conference.peerNumber, lossyNumber: conference.lossyMessageNumber, lossyId: id, data }, undefined);
      if (sent === 0) throw new ConferenceError('SEND_FAILED', 'no connection took the packet');
      conference.lossyMessageNumber = (conference.lossyMessageNumber + 1) & 0xffff;
    });
  }

  /** c-toxcore `group_set_max_frozen`. */
  setMaxFrozen(conferenceNumber: number, maxFrozen: number): void {
    const conference = this.get(conferenceNumber);
    conference.maxFrozen = Math.max(0, Math.floor(maxFrozen));
    conference.peers.trimFrozen(conference.maxFrozen);
  }

  /** What the profile keeps: every connected conference. */
  snapshot(): ConferenceSnapshot[] {
    const now = this.scheduler.now();
    const unixNow = this.scheduler.unixSeconds();
    return this.live()
      .filter((c) => c.status === 'connected')
      .map((c) => snapshotOf(c, now, unixNow));
  }

  /** Loads saved conferences (all peers frozen); rejoin follows as their friend connections come up. */
  restore(snapshots: readonly ConferenceSnapshot[]): number[] {
    return this.run(() =>
      snapshots.map((snapshot) => {
        if (this.live().some((c) => c.matches(typeByte(snapshot.type), snapshot.id))) throw new ConferenceError('ALREADY_JOINED', 'conference restored twice');
        const number = this.freeNumber();
        const conference = conferenceFromSnapshot(this.host, number, this.port.selfPublicKey, snapshot, this.scheduler.unixSeconds());
        this.chats[number] = conference;
        if (this.running) this.rejoinOnlinePeers(conference);
        return number;
      }),
    );
  }

  // ---------------------------------------------------------------- input

  private onStatus(peer: LongTermPublicKey, online: boolean): void {
    if (online) {
      // c-toxcore's global status callback (`rejoin_frozen_friend`) runs first.
      const keyHex = keyId(peer);
      for (const conference of this.live()) if (conference.peers.frozenIndexByKey(keyHex) >= 0) conference.tryRejoin(peer);
    }
    for (const conference of this.live()) conference.connectionStatus(peer, online);
  }

  private onInvite(friend: LongTermPublicKey, packet: Uint8Array): void {
    const decoded = InvitePacket.tryDecode(packet);
    if (!decoded.ok) return this.counters.drop('malformed');
    const invite = handleInvitePacket(this.directory, friend, decoded.value);
    if (!invite) return;
    const type = typeName(invite.type);
    if (type === undefined) return this.counters.drop('unknownType');
    const event = { friend, type, cookie: InviteCookie.encode(invite.cookie) };
    this.queue.push(() => this.emit('invite', event));
  }

  private rejoinOnlinePeers(conference: Conference): void {
    for (const peer of [...conference.peers.frozen]) if (this.port.isOnline(peer.publicKey)) conference.tryRejoin(peer.publicKey);
  }

  // ---------------------------------------------------------------- processing and events

  /** Port input: processed now, or after the current step when it arrives re-entrantly. */
  private input(fn: () => void): void {
    const guarded = (): void => {
      try {
        fn();
      } catch (err) {
        if (err instanceof UntrustedInputError) {
          this.counters.drop('malformed');
        } else {
          this.counters.drop('internalError');
          this.log.warn('conference input failed', { err });
        }
      }
    };
    if (this.busy) this.deferred.push(guarded);
    else this.run(guarded);
  }

  private run<T>(fn: () => T): T {
    if (this.busy) return fn();
    this.busy = true;
    try {
      return fn();
    } finally {
      while (this.deferred.length > 0) this.deferred.shift()!();
      this.settle();
      this.busy = false;
      for (const conference of this.live()) this.captureDiff(conference);
      this.flush();
      if (this.hasConferences()) this.ticker?.wake();
    }
  }

  /** Connected conferences catch up on what this step changed (see `Conference.settle`); a failure is logged, never thrown over the step's result. */
  private settle(): void {
    if (!this.running) return;
    for (const conference of this.live()) {
      if (conference.status !== 'connected') continue;
      try {
        conference.settle();
      } catch (err) {
        this.counters.drop('internalError');
        this.log.warn('conference settle failed', { err });
      }
    }
    while (this.deferred.length > 0) this.deferred.shift()!();
  }

  private notice(conference: Conference, notice: ConferenceNotice): void {
    const n = conference.number;
    if (notice.kind === 'connected') {
      this.queue.push(() => this.emit('connected', { conference: n }));
      return;
    }
    // The peer list as it stood before this event goes out first (a thawed speaker joins before it speaks).
    this.captureDiff(conference);
    switch (notice.kind) {
      case 'message':
      case 'action': {
        const event = { conference: n, peer: info(notice.peer), text: utf8Decode(notice.data), bytes: notice.data.slice() };
        this.queue.push(() => this.emit(notice.kind, event));
        return;
      }
      case 'title': {
        const event = { conference: n, title: notice.title.slice(), by: notice.peer ? info(notice.peer) : undefined };
        this.queue.push(() => this.emit('title', event));
        return;
      }
      case 'lossy': {
        const event = { conference: n, peer: info(notice.peer), id: notice.lossyId, data: notice.data.slice() };
        this.queue.push(() => this.emit('lossy', event));
        return;
      }
    }
  }

  /** Queues join/leave/rename events for what changed in the published peer list. */
  private captureDiff(conference: Conference): void {
    if (conference.status !== 'connected') return;
    const after = publishedView(conference.peers, conference.selfKeyHex);
    const changes = diffPeers(conference.published, after, conference.peers);
    conference.published = after;
    if (changes.length === 0) return;
    const n = conference.number;
    for (const change of changes) {
      const peer = info(change.peer);
      if (change.kind === 'join') this.queue.push(() => this.emit('peerJoin', { conference: n, peer }));
      else if (change.kind === 'leave') this.queue.push(() => this.emit('peerLeave', { conference: n, peer, reason: change.reason }));
      else this.queue.push(() => this.emit('peerRename', { conference: n, peer, previousName: change.previousName }));
    }
    if (changes.some((c) => c.kind !== 'rename')) this.queue.push(() => this.emit('peerListChanged', { conference: n }));
  }

  private flush(): void {
    if (this.flushing) return;
    this.flushing = true;
    try {
      while (this.queue.length > 0) {
        try {
          this.queue.shift()!();
        } catch (err) {
          this.log.error('conference event listener threw', { err });
        }
      }
    } finally {
      this.flushing = false;
    }
  }

  // ---------------------------------------------------------------- helpers

  private sendText(conferenceNumber: number, messageId: number, message: string | Uint8Array): void {
    this.run(() => {
      const conference = this.get(conferenceNumber);
      const bytes = typeof message === 'string' ? utf8Encode(message) : message;
      if (bytes.length === 0) throw new ConferenceError('EMPTY_MESSAGE', 'a message has at least one byte');
      const result = conference.sendMessage(messageId, bytes);
      if (result !== 'sent') throw new ConferenceError(SEND_ERRORS[result][0], SEND_ERRORS[result][1]);
    });
  }

  private get(conferenceNumber: number): Conference {
    const conference = Number.isInteger(conferenceNumber) ? this.chats[conferenceNumber] : undefined;
    if (!conference) throw new ConferenceError('CONFERENCE_NOT_FOUND', `no conference ${conferenceNumber}`);
    return conference;
  }

  private hasConferences(): boolean {
    return this.chats.some((c) => c !== undefined);
  }

  private live(): Conference[] {
    return this.chats.filter((c): c is Conference => c !== undefined);
  }

  /** The lowest free conference number (c-toxcore reuses freed slots). */
  private freeNumber(): number {
    const free = this.chats.findIndex((c) => c === undefined);
    if (free >= 0) return free;
    if (this.chats.length > 0xffff) throw new ConferenceError('TOO_MANY_CONFERENCES', 'every conference number is taken');
    return this.chats.length;
  }
}

function checkName(name: Uint8Array): Uint8Array {
  if (name.length > MAX_NAME_LENGTH) throw new ConferenceError('NAME_TOO_LONG', `a name has at most ${MAX_NAME_LENGTH} bytes`);
  return name;
}

function info(peer: Peer | PublishedPeer): ConferencePeerInfo {
  return { publicKey: peer.publicKey, peerNumber: peer.peerNumber, name: peer.name.slice() };
}
