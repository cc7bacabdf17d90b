/**
 * Messenger (tox-protocol.md §7.2–§7.4, c-toxcore 0.2.18 parity): friends by
 * number over shared friend connections; outgoing friend requests with the
 * 5 s doubling retry; the ONLINE handshake that makes a friend online; our
 * name, status message, user status and typing sent on going online and on
 * every change; messages and actions with per-friend message ids and
 * delivery receipts (unacknowledged ones are reported undelivered when the
 * friend goes offline); custom lossless (160–191) and lossy (200–254)
 * packets; and the file-transfer engine (./files, `files`), fed with packets
 * 80–82 and the friends' online changes. Packets from a friend that is not
 * online are dropped.
 */
import { EventEmitter } from 'eventemitter3';
import { AdaptiveTicker, bytesEqual, InvalidArgumentError, type Logger, type Random, type Scheduler } from '../base/index.js';
import { keyId, keysEqual, type LongTermPublicKey, type ToxId } from '../crypto/index.js';
import type { FriendConnections, FriendRequests } from '../friend/index.js';
import type { SendResult } from '../netcrypto/index.js';
import {
  CUSTOM_LOSSLESS_MAX,
  CUSTOM_LOSSLESS_MIN,
  CUSTOM_LOSSY_MAX,
  CUSTOM_LOSSY_MIN,
  FILE_PACKET_IDS,
  MAX_CUSTOM_PACKET_SIZE,
  MAX_FRIEND_REQUEST_LENGTH,
  MAX_MESSAGE_LENGTH,
  MAX_NAME_LENGTH,
  MAX_STATUS_MESSAGE_LENGTH,
  MESSENGER_PACKET_ID as ID,
  IDLE_TICK_MS,
  MESSENGER_TICK_MS,
} from './constants.js';
import { MessengerError } from './errors.js';
import { FileTransfers } from './files/index.js';
import { MessengerFriend, USER_STATUS_WIRE, type FriendRecord, type UserStatus } from './friend.js';
import { Action, Message, Nickname, Offline, Online, StatusMessage, Typing, UserStatusPacket } from './wire.js';

export type MessageKind = 'normal' | 'action';
export type FriendTransport = 'none' | 'udp' | 'tcp';

/** Our own profile fields Messenger announces. */
export interface SelfState {
  name: Uint8Array;
  statusMessage: Uint8Array;
  userStatus: UserStatus;
  nospam: Uint8Array;
}

/** A packet Messenger does not handle (conference 96..100 and the like) from an online friend. */
export type ExtraPacketHandler = (friend: number, id: number, payload: Uint8Array) => void;

export interface MessengerEvents {
  friendRequest: (publicKey: LongTermPublicKey, message: Uint8Array) => void;
  friendConnection: (friend: number, transport: FriendTransport) => void;
  friendMessage: (friend: number, kind: MessageKind, text: Uint8Array) => void;
  /** Message `messageId` reached the friend. */
  friendReceipt: (friend: number, messageId: number) => void;
  /** The friend went offline before these messages were acknowledged: not delivered. */
  friendUndelivered: (friend: number, messageIds: readonly number[]) => void;
  friendName: (friend: number, name: Uint8Array) => void;
  friendStatusMessage: (friend: number, message: Uint8Array) => void;
  friendUserStatus: (friend: number, status: UserStatus) => void;
  friendTyping: (friend: number, typing: boolean) => void;
  /** A custom lossless packet (id 160..191 first). */
  friendLossless: (friend: number, packet: Uint8Array) => void;
  /** A custom lossy packet (id 200..254 first). */
  friendLossy: (friend: number, packet: Uint8Array) => void;
  /** Something the profile saves changed (friends, their names, our own fields). */
  changed: () => void;
}

export interface MessengerDeps {
  scheduler: Scheduler;
  random: Random;
  log: Logger;
  selfPublicKey: LongTermPublicKey;
  connections: FriendConnections;
  requests: FriendRequests;
}

export class Messenger extends EventEmitter<MessengerEvents> {
  readonly drops = { notOnline: 0, malformed: 0, unknownId: 0 };
  /** File transfers with our friends (numbers are Messenger friend numbers). */
  readonly files: FileTransfers;
  private readonly log: Logger;
  private readonly friends: (MessengerFriend | undefined)[] = [];
  private readonly byKey = new Map<string, MessengerFriend>();
  private readonly detach: Array<() => void> = [];
  /** Every 50 ms while a friend is connected or a request waits to go out, every second otherwise. */
  private ticker: AdaptiveTicker | undefined;
  private extraHandler: ExtraPacketHandler | undefined;

  constructor(
    private readonly deps: MessengerDeps,
    private readonly self: SelfState,
    private readonly options: { tickIntervalMs?: number } = {},
  ) {
    super();
    this.log = deps.log.child({ layer: 'messenger' });
    this.files = new FileTransfers({
      port: {
        sendLossless: (friend, packet) => this.sendRawLossless(friend, packet),
        sendQueueRoom: (friend) => this.sendQueueRoom(friend),
        isDelivered: (friend, packetNumber) => this.isDelivered(friend, packetNumber),
      },
      scheduler: deps.scheduler,
      random: deps.random,
      log: this.log,
    });
  }

  // ------------------------------------------------------------------ lifecycle

  start(): void {
    if (this.ticker) return;
    const { connections, requests } = this.deps;
    const status = (peer: LongTermPublicKey, online: boolean): void => this.onConnectionStatus(peer, online);
    const lossless = (peer: LongTermPublicKey, id: number, payload: Uint8Array): void => this.onPacket(peer, id, payload, true);
    const lossy = (peer: LongTermPublicKey, id: number, payload: Uint8Array): void => this.onPacket(peer, id, payload, false);
    const delivered = (peer: LongTermPublicKey): void => {
      const f = this.byKey.get(keyId(peer));
      if (!f) return;
      this.flushReceipts(f);
      // The send queue just gained room: file senders refill it now rather than at the next tick.
      if (f.online) this.files.notifyRoom(f.number);
    };
    const request = (sender: LongTermPublicKey, message: Uint8Array): void => {
      this.emit('friendRequest', sender, message);
    };
    connections.on('status', status).on('lossless', lossless).on('lossy', lossy).on('delivered', delivered);
    requests.on('request', request);
    this.detach.push(() => {
      connections.off('status', status).off('lossless', lossless).off('lossy', lossy).off('delivered', delivered);
      requests.off('request', request);
    });
    this.ticker = new AdaptiveTicker(this.deps.scheduler, this.options.tickIntervalMs ?? MESSENGER_TICK_MS, IDLE_TICK_MS, (now) => this.tick(now), () => this.needsFastTick());
    this.ticker.start();
    this.files.start();
  }

  stop(): void {
    if (!this.ticker) return;
    this.ticker.stop();
    this.ticker = undefined;
    for (const fn of this.detach.splice(0)) fn();
    for (const f of this.friends) if (f?.online) this.setOffline(f);
    this.files.stop();
  }

  /** Routes other packets from online friends (conference invites 96..100) to `handler`. */
  setExtraPacketHandler(handler: ExtraPacketHandler | undefined): void {
    this.extraHandler = handler;
  }

  // ------------------------------------------------------------------ friends

  /** Restores friends from the profile, numbered in order. */
  loadFriends(records: readonly FriendRecord[]): void {
    for (const record of records) {
      if (this.byKey.has(keyId(record.publicKey)) || keysEqual(record.publicKey, this.deps.selfPublicKey)) continue;
      this.insert({ ...record });
    }
  }

  /** The records to save, in friend-number order. */
  friendRecords(): FriendRecord[] {
    return this.friends.filter((f): f is MessengerFriend => f !== undefined).map((f) => ({ ...f.record }));
  }

  /** Sends a friend request to `toxId` with `message`; returns the new friend number. */
  addFriend(toxId: ToxId, message: Uint8Array): number {
    if (message.length === 0) throw new MessengerError('NO_MESSAGE', 'a friend request needs a message');
    if (message.length > MAX_FRIEND_REQUEST_LENGTH) throw new MessengerError('MESSAGE_TOO_LONG', `a friend request message is at most ${MAX_FRIEND_REQUEST_LENGTH} bytes`);
    const publicKey = toxId.publicKey as LongTermPublicKey;
    this.checkNotSelf(publicKey);
    const existing = this.byKey.get(keyId(publicKey));
    if (existing) {
      // c-toxcore: a new nospam for a pending request replaces the old one; otherwise "already added".
      if (existing.record.status === 'confirmed' || bytesEqual(existing.record.nospam, toxId.nospam)) {
        throw new MessengerError('FRIEND_ALREADY_ADDED', 'already a friend', { friend: existing.number });
      }
      existing.record.nospam = Uint8Array.from(toxId.nospam);
      existing.record.status = 'added';
      this.ticker?.wake();
      this.emit('changed');
      return existing.number;
    }
    const f = this.insert({
      status: 'added',
      publicKey,
      requestMessage: Uint8Array.from(message),
      name: new Uint8Array(0),
      statusMessage: new Uint8Array(0),
      userStatus: 'online',
      nospam: Uint8Array.from(toxId.nospam),
      lastSeen: 0,
    });
    this.ticker?.wake();
    this.emit('changed');
    return f.number;
  }

  /** Adds `publicKey` as a friend without a request (accepting one); returns the friend number. */
  addFriendNoRequest(publicKey: LongTermPublicKey): number {
    this.checkNotSelf(publicKey);
    const existing = this.byKey.get(keyId(publicKey));
    if (existing) throw new MessengerError('FRIEND_ALREADY_ADDED', 'already a friend', { friend: existing.number });
    const f = this.insert({
      status: 'confirmed',
      publicKey,
      requestMessage: new Uint8Array(0),
      name: new Uint8Array(0),
      statusMessage: new Uint8Array(0),
      userStatus: 'online',
      nospam: new Uint8Array(4),
      lastSeen: 0,
    });
    this.emit('changed');
    return f.number;
  }

  deleteFriend(friend: number): void {
    const f = this.get(friend);
    if (f.online) {
      this.deps.connections.sendLossless(f.publicKey, Offline.encode({}));
      this.setOffline(f);
    }
    this.friends[friend] = undefined;
    while (this.friends.length > 0 && this.friends[this.friends.length - 1] === undefined) this.friends.pop();
    this.byKey.delete(f.id);
    this.deps.connections.release(f.publicKey);
    this.deps.requests.forget(f.publicKey);
    this.emit('changed');
  }

  friendNumbers(): number[] {
    return this.friends.flatMap((f) => (f ? [f.number] : []));
  }

  friendByKey(publicKey: Uint8Array): number | undefined {
    return this.byKey.get(keyId(publicKey))?.number;
  }

  /** The friend's long-term key (cheap: no snapshot). */
  publicKeyOf(friend: number): LongTermPublicKey {
    return this.get(friend).publicKey;
  }

  isFriend(publicKey: Uint8Array): boolean {
    return this.byKey.has(keyId(publicKey));
  }

  /** A snapshot of a friend's record and session state. */
  friendInfo(friend: number): Readonly<FriendRecord> & { readonly number: number; readonly online: boolean; readonly typing: boolean; readonly transport: FriendTransport } {
    const f = this.get(friend);
    return { ...f.record, number: f.number, online: f.online, typing: f.typing, transport: this.transportOf(f) };
  }

  // ------------------------------------------------------------------ ourselves

  get selfState(): Readonly<SelfState> {
    return this.self;
  }

  setName(name: Uint8Array): void {
    if (name.length > MAX_NAME_LENGTH) throw new MessengerError('MESSAGE_TOO_LONG', `a name is at most ${MAX_NAME_LENGTH} bytes`);
    if (bytesEqual(name, this.self.name)) return;
    this.self.name = Uint8Array.from(name);
    this.changedSelf((f) => (f.nameSent = false));
  }

  setStatusMessage(message: Uint8Array): void {
    if (message.length > MAX_STATUS_MESSAGE_LENGTH) throw new MessengerError('MESSAGE_TOO_LONG', `a status message is at most ${MAX_STATUS_MESSAGE_LENGTH} bytes`);
    if (bytesEqual(message, this.self.statusMessage)) return;
    this.self.statusMessage = Uint8Array.from(message);
    this.changedSelf((f) => (f.statusMessageSent = false));
  }

  setUserStatus(status: UserStatus): void {
    if (!USER_STATUS_WIRE.includes(status)) throw new InvalidArgumentError(`unknown user status ${String(status)}`);
    if (status === this.self.userStatus) return;
    this.self.userStatus = status;
    this.changedSelf((f) => (f.userStatusSent = false));
  }

  setNospam(nospam: Uint8Array): void {
    if (nospam.length !== 4) throw new InvalidArgumentError('a nospam is 4 bytes');
    this.self.nospam = Uint8Array.from(nospam);
    this.emit('changed');
  }

  setTyping(friend: number, typing: boolean): void {
    const f = this.get(friend);
    if (f.ourTyping === typing) return;
    f.ourTyping = typing;
    f.typingSent = false;
    this.sendPendingInfo(f);
  }

  // ------------------------------------------------------------------ sending

  /** Sends a message or action; returns its message id (a later `friendReceipt` carries it). */
  sendMessage(friend: number, text: Uint8Array, kind: MessageKind = 'normal'): number {
    const f = this.get(friend);
    if (text.length === 0) throw new MessengerError('NO_MESSAGE', 'a message cannot be empty');
    if (text.length > MAX_MESSAGE_LENGTH) throw new MessengerError('MESSAGE_TOO_LONG', `a message is at most ${MAX_MESSAGE_LENGTH} bytes`, { length: text.length });
    if (!f.online) throw new MessengerError('FRIEND_NOT_CONNECTED', 'the friend is not online', { friend });
    const packet = kind === 'action' ? Action.encode({ text }) : Message.encode({ text });
    const result = this.deps.connections.sendLossless(f.publicKey, packet);
    if (!result.ok) throw new MessengerError(result.reason === 'QUEUE_FULL' ? 'SENDQ' : 'FRIEND_NOT_CONNECTED', 'the message could not be queued', { friend, reason: result.reason });
    const messageId = f.nextMessageId();
    f.receipts.push({ packetNumber: result.packetNumber, messageId });
    return messageId;
  }

  /** A custom lossless packet (first byte 160..191). */
  sendLosslessPacket(friend: number, packet: Uint8Array): void {
    const f = this.get(friend);
    checkCustom(packet, CUSTOM_LOSSLESS_MIN, CUSTOM_LOSSLESS_MAX);
    if (!f.online) throw new MessengerError('FRIEND_NOT_CONNECTED', 'the friend is not online', { friend });
    const result = this.deps.connections.sendLossless(f.publicKey, packet);
    if (!result.ok) throw new MessengerError(result.reason === 'QUEUE_FULL' ? 'SENDQ' : 'FRIEND_NOT_CONNECTED', 'the packet could not be queued', { friend });
  }

  /** A custom lossy packet (first byte 200..254); false when no path took it. */
  sendLossyPacket(friend: number, packet: Uint8Array): boolean {
    const f = this.get(friend);
    checkCustom(packet, CUSTOM_LOSSY_MIN, CUSTOM_LOSSY_MAX);
    if (!f.online) throw new MessengerError('FRIEND_NOT_CONNECTED', 'the friend is not online', { friend });
    return this.deps.connections.sendLossy(f.publicKey, packet);
  }

  /** For the file engine and conferences: a raw lossless packet (id first) to an online friend. */
  sendRawLossless(friend: number, packet: Uint8Array): SendResult {
    const f = this.friends[friend];
    if (!f?.online) return { ok: false, reason: 'NOT_CONNECTED' };
    return this.deps.connections.sendLossless(f.publicKey, packet);
  }

  /** Free send-queue room toward an online friend (file flow control). */
  sendQueueRoom(friend: number): number {
    const f = this.friends[friend];
    return f?.online ? this.deps.connections.sendQueueRoom(f.publicKey) : 0;
  }

  /** Whether a packet number `sendRawLossless` returned was acknowledged. */
  isDelivered(friend: number, packetNumber: number): boolean {
    const f = this.friends[friend];
    return f !== undefined && this.deps.connections.isDelivered(f.publicKey, packetNumber);
  }

  // ------------------------------------------------------------------ incoming

  private onConnectionStatus(peer: LongTermPublicKey, up: boolean): void {
    const f = this.byKey.get(keyId(peer));
    if (!f) return;
    if (up) {
      this.ticker?.wake();
      f.onlineSent = this.deps.connections.sendLossless(peer, Online.encode({})).ok;
    } else {
      f.onlineSent = false;
      this.setOffline(f);
    }
  }

  private onPacket(peer: LongTermPublicKey, id: number, payload: Uint8Array, lossless: boolean): void {
    const f = this.byKey.get(keyId(peer));
    if (!f) return;
    if (id === ID.online) {
      if (payload.length !== 0) return this.drop('malformed');
      if (!f.online) this.setOnline(f);
      return;
    }
    if (!f.online) return this.drop('notOnline');
    if (!lossless) {
      if (id >= CUSTOM_LOSSY_MIN && id <= CUSTOM_LOSSY_MAX) this.emit('friendLossy', f.number, withId(id, payload));
      else if (this.extraHandler) this.extraHandler(f.number, id, payload);
      return;
    }
    switch (id) {
      case ID.offline:
        if (payload.length !== 0) return this.drop('malformed');
        return this.setOffline(f);
      case ID.nickname:
        return this.onNickname(f, payload);
      case ID.statusMessage:
        return this.onStatusMessage(f, payload);
      case ID.userStatus:
        return this.onUserStatus(f, payload);
      case ID.typing: {
        const p = Typing.tryDecode(withId(id, payload));
        if (!p.ok) return this.drop('malformed');
        const typing = p.value.typing !== 0;
        if (typing === f.typing) return;
        f.typing = typing;
        return void this.emit('friendTyping', f.number, typing);
      }
      case ID.message:
      case ID.action: {
        // c-toxcore ignores empty messages and cuts at the limit.
        if (payload.length === 0) return this.drop('malformed');
        const text = payload.length > MAX_MESSAGE_LENGTH ? payload.subarray(0, MAX_MESSAGE_LENGTH) : payload;
        return void this.emit('friendMessage', f.number, id === ID.action ? 'action' : 'normal', text.slice());
      }
    }
    if (FILE_PACKET_IDS.includes(id)) return this.files.handlePacket(f.number, id, payload);
    if (id >= CUSTOM_LOSSLESS_MIN && id <= CUSTOM_LOSSLESS_MAX) return void this.emit('friendLossless', f.number, withId(id, payload));
    if (this.extraHandler) return this.extraHandler(f.number, id, payload);
    this.drop('unknownId');
  }

  private onNickname(f: MessengerFriend, payload: Uint8Array): void {
    const p = Nickname.tryDecode(withId(ID.nickname, payload));
    if (!p.ok) return this.drop('malformed');
    if (bytesEqual(p.value.name, f.record.name)) return;
    f.record.name = Uint8Array.from(p.value.name);
    this.emit('friendName', f.number, f.record.name);
    this.emit('changed');
  }

  private onStatusMessage(f: MessengerFriend, payload: Uint8Array): void {
    const p = StatusMessage.tryDecode(withId(ID.statusMessage, payload));
    if (!p.ok) return this.drop('malformed');
    if (bytesEqual(p.value.message, f.record.statusMessage)) return;
    f.record.statusMessage = Uint8Array.from(p.value.message);
    this.emit('friendStatusMessage', f.number, f.record.statusMessage);
    this.emit('changed');
  }

  private onUserStatus(f: MessengerFriend, payload: Uint8Array): void {
    const p = UserStatusPacket.tryDecode(withId(ID.userStatus, payload));
    if (!p.ok) return this.drop('malformed');
    const status = USER_STATUS_WIRE[p.value.status];
    if (status === undefined) return this.drop('malformed');
    if (status === f.record.userStatus) return;
    f.record.userStatus = status;
    this.emit('friendUserStatus', f.number, status);
    this.emit('changed');
  }

  // ------------------------------------------------------------------ state changes

  private setOnline(f: MessengerFriend): void {
    f.online = true;
    if (!f.onlineSent) f.onlineSent = this.deps.connections.sendLossless(f.publicKey, Online.encode({})).ok;
    const wasConfirmed = f.record.status === 'confirmed';
    f.record.status = 'confirmed';
    f.resetSent();
    f.typing = false;
    this.sendPendingInfo(f);
    this.emit('friendConnection', f.number, this.transportOf(f));
    this.files.setFriendOnline(f.number, true);
    if (!wasConfirmed) this.emit('changed');
  }

  private setOffline(f: MessengerFriend): void {
    if (!f.online) return;
    f.online = false;
    f.record.lastSeen = this.deps.scheduler.unixSeconds();
    this.flushReceipts(f);
    const lost = f.takePendingReceipts();
    if (f.typing) {
      f.typing = false;
      this.emit('friendTyping', f.number, false);
    }
    this.files.setFriendOnline(f.number, false);
    this.emit('friendConnection', f.number, 'none');
    if (lost.length > 0) this.emit('friendUndelivered', f.number, lost);
    this.emit('changed');
  }

  private flushReceipts(f: MessengerFriend): void {
    if (f.pendingReceipts() === 0) return;
    const done = f.popDelivered((n) => this.deps.connections.isDelivered(f.publicKey, n));
    for (const id of done) this.emit('friendReceipt', f.number, id);
  }

  /** Sends whatever of our name/status/typing this friend has not got yet. */
  private sendPendingInfo(f: MessengerFriend): void {
    if (!f.online) return;
    const send = (packet: Uint8Array): boolean => this.deps.connections.sendLossless(f.publicKey, packet).ok;
    if (!f.nameSent) f.nameSent = send(Nickname.encode({ name: this.self.name }));
    if (!f.statusMessageSent) f.statusMessageSent = send(StatusMessage.encode({ message: this.self.statusMessage }));
    if (!f.userStatusSent) f.userStatusSent = send(UserStatusPacket.encode({ status: USER_STATUS_WIRE.indexOf(this.self.userStatus) }));
    if (!f.typingSent) f.typingSent = send(Typing.encode({ typing: f.ourTyping ? 1 : 0 }));
  }

  private changedSelf(reset: (f: MessengerFriend) => void): void {
    for (const f of this.friends) {
      if (!f) continue;
      reset(f);
      this.sendPendingInfo(f);
    }
    this.emit('changed');
  }

  // ------------------------------------------------------------------ timers

  /** Some friend is online or its connection is up (ONLINE packets, receipts, info), or has a request still to send. */
  private needsFastTick(): boolean {
    return this.friends.some((f) => f !== undefined && (f.online || f.record.status === 'added' || this.deps.connections.isOnline(f.publicKey)));
  }

  private tick(now: number): void {
    for (const f of this.friends) {
      if (!f) continue;
      if (f.online) {
        this.sendPendingInfo(f);
        this.flushReceipts(f);
        continue;
      }
      if (!f.onlineSent && this.deps.connections.isOnline(f.publicKey)) {
        f.onlineSent = this.deps.connections.sendLossless(f.publicKey, Online.encode({})).ok;
      }
      this.tickRequest(f, now);
    }
  }

  /** c-toxcore's friend-request cadence: send until one copy goes out, wait 5 s (doubling), send again. */
  private tickRequest(f: MessengerFriend, now: number): void {
    const record = f.record;
    if (record.status === 'requestSent' && f.requestSentAt > 0 && now - f.requestSentAt > f.requestTimeoutMs) {
      record.status = 'added';
      f.requestTimeoutMs *= 2;
    }
    if (record.status !== 'added') return;
    if (!this.deps.requests.send(f.publicKey, record.nospam, record.requestMessage)) return;
    record.status = 'requestSent';
    f.requestSentAt = now;
    this.emit('changed');
  }

  // ------------------------------------------------------------------ helpers

  private insert(record: FriendRecord): MessengerFriend {
    let number = this.friends.indexOf(undefined);
    if (number < 0) number = this.friends.length;
    const f = new MessengerFriend(number, record);
    this.friends[number] = f;
    this.byKey.set(f.id, f);
    this.deps.connections.acquire(record.publicKey);
    return f;
  }

  private get(friend: number): MessengerFriend {
    const f = Number.isInteger(friend) ? this.friends[friend] : undefined;
    if (!f) throw new MessengerError('FRIEND_NOT_FOUND', `no friend number ${friend}`, { friend });
    return f;
  }

  private checkNotSelf(publicKey: LongTermPublicKey): void {
    if (keysEqual(publicKey, this.deps.selfPublicKey)) throw new MessengerError('OWN_KEY', 'cannot add our own key as a friend');
  }

  private transportOf(f: MessengerFriend): FriendTransport {
    return f.online ? this.deps.connections.transportOf(f.publicKey) : 'none';
  }

  private drop(reason: keyof Messenger['drops']): void {
    this.drops[reason]++;
    if (this.log.enabled('debug')) this.log.debug('dropped Messenger packet', { reason });
  }
}

function withId(id: number, payload: Uint8Array): Uint8Array {
  const out = new Uint8Array(payload.length + 1);
  out[0] = id;
  out.set(payload, 1);
  return out;
}

function checkCustom(packet: Uint8Array, min: number, max: number): void {
  if (packet.length === 0 || packet.length > MAX_CUSTOM_PACKET_SIZE) throw new MessengerError('MESSAGE_TOO_LONG', `a custom packet is 1..${MAX_CUSTOM_PACKET_SIZE} bytes`, { length: packet.length });
  if (packet[0]! < min || packet[0]! > max) throw new MessengerError('BAD_PACKET_ID', `a custom packet id must be ${min}..${max}`, { id: packet[0] });
}
