/**
 * The composition root for one Tox identity: loads (or creates) its profile,
 * binds the UDP socket in the configured port range, builds the protocol
 * stack (node-stack.ts), exposes the friend/Messenger and conference API with
 * typed events keyed by the friend's (or peer's) long-term public key and the
 * conference id (plus their local numbers), and saves the
 * profile atomically: debounced after every change, and on stop. Several
 * ToxNodes can live in one process; each owns its own state.
 */
import { mkdir } from 'node:fs/promises';
import { dirname } from 'node:path';
import { EventEmitter } from 'eventemitter3';
import { fromHex, InvalidStateError, ToxError, utf8Decode, utf8Encode, type Logger, type TimerHandle } from '../base/index.js';
import { formatToxId, parseToxId, type DhtPublicKey, type LongTermPublicKey, type ToxId } from '../crypto/index.js';
import { ConferenceError, InviteCookie, type ConferencePeerInfo, type Conferences, type ConferenceType } from '../conference/index.js';
import type { Dht } from '../dht/index.js';
import type { FriendRequestAdmission } from '../friend/index.js';
import {
  MessengerError,
  type FileControlAction,
  type FileTransferInfo,
  type MessageKind,
  type Messenger,
  type ReceivedFileControl,
  type SendFileOptions,
  type UserStatus,
} from '../messenger/index.js';
import { isNetError, NoUdpSocket, type DatagramSocket, type IpPort, type PackedNode } from '../net/index.js';
import { createProfile, loadProfile, saveProfile, type Profile } from '../storage/index.js';
import type { NetworkConfig } from './config/index.js';
import type { NodeEnv } from './env.js';
import { conferenceId, publicKeyHex, type ConferenceId, type ConferenceRef, type ConnectionStatus, type PeerRef, type PublicKeyHex } from './events.js';
import { NodeStack } from './node-stack.js';

export interface ToxNodeOptions {
  env: NodeEnv;
  /** Path of the c-toxcore-compatible profile; created when missing. */
  profilePath: string;
  passphrase?: string;
  network: NetworkConfig;
  /** Applied when the profile is created (an existing profile keeps its own). */
  initial?: { name?: string; statusMessage?: string; status?: UserStatus };
  /** Debounce of the automatic profile save after a change (default 1 s; 0 = no auto-save). */
  autoSaveMs?: number;
}

/** A friend as the node reports it. */
export interface FriendSummary {
  readonly number: number;
  readonly publicKey: PublicKeyHex;
  readonly name: string;
  readonly statusMessage: string;
  readonly status: UserStatus;
  readonly connection: ConnectionStatus;
  /** `added`/`requestSent`: our request is pending; `confirmed`: a mutual friend. */
  readonly request: 'added' | 'requestSent' | 'confirmed';
  readonly typing: boolean;
  /** Unix seconds; 0 = never. */
  readonly lastSeen: number;
}

/** Friends are named by public key in every event; the number is local to this run. */
export interface FriendEventRef {
  readonly publicKey: PublicKeyHex;
  readonly number: number;
}

export interface ToxNodeEvents {
  /** The DHT has (or lost) a connection to at least one node. */
  dhtConnection: (connected: boolean) => void;
  /** Our own connection to the network (onion announced): none, UDP or TCP. */
  selfConnection: (status: ConnectionStatus) => void;
  /** The profile was written to disk. */
  saved: () => void;
  friendRequest: (publicKey: PublicKeyHex, message: string) => void;
  friendConnection: (friend: FriendEventRef, status: ConnectionStatus) => void;
  friendMessage: (friend: FriendEventRef, text: string, type: MessageKind) => void;
  /** Message `messageId` (from `sendMessage`) reached the friend. */
  friendReceipt: (friend: FriendEventRef, messageId: number) => void;
  /** The friend went offline before these messages were acknowledged: they were not delivered. */
  friendUndelivered: (friend: FriendEventRef, messageIds: readonly number[]) => void;
  friendName: (friend: FriendEventRef, name: string) => void;
  friendStatusMessage: (friend: FriendEventRef, statusMessage: string) => void;
  friendStatus: (friend: FriendEventRef, status: UserStatus) => void;
  friendTyping: (friend: FriendEventRef, typing: boolean) => void;
  /** A custom lossless packet (first byte 160..191). */
  friendLosslessPacket: (friend: FriendEventRef, data: Uint8Array) => void;
  /** A custom lossy packet (first byte 200..254). */
  friendLossyPacket: (friend: FriendEventRef, data: Uint8Array) => void;
  /** The friend offers a file: accept (optionally after a seek) or cancel it with `fileControl`. */
  fileOffer: (friend: FriendEventRef, offer: FileTransferInfo) => void;
  /** The friend resumed (accepted), paused or cancelled a transfer. */
  fileControl: (friend: FriendEventRef, fileNumber: number, control: ReceivedFileControl) => void;
  /** Answer with `fileSendChunk` (exactly `length` bytes at `position`); length 0: all acknowledged. */
  fileChunkRequest: (friend: FriendEventRef, fileNumber: number, position: bigint, length: number) => void;
  /** Incoming file data; an empty chunk ends the file. */
  fileChunk: (friend: FriendEventRef, fileNumber: number, position: bigint, data: Uint8Array) => void;
  fileCompleted: (friend: FriendEventRef, fileNumber: number) => void;
  /** The friend went offline and the transfer is gone. */
  fileBroken: (friend: FriendEventRef, fileNumber: number) => void;
  conferenceInvite: (friend: FriendEventRef, invite: ConferenceInvite) => void;
  /** We are in the conference's peer list: joined, and able to send. */
  conferenceConnected: (conference: ConferenceRef) => void;
  /** A message or action from another peer (our own echoes are never reported). */
  conferenceMessage: (conference: ConferenceRef, peer: PeerRef, text: string, type: MessageKind) => void;
  /** `peer` undefined: the title came with the peer list on joining. */
  conferenceTitle: (conference: ConferenceRef, title: string, peer: PeerRef | undefined) => void;
  conferencePeerJoin: (conference: ConferenceRef, peer: PeerRef) => void;
  /** `left`: the peer said so; `frozen`: it went quiet or we lost every connection to it. */
  conferencePeerLeave: (conference: ConferenceRef, peer: PeerRef, reason: 'left' | 'frozen') => void;
  conferencePeerRename: (conference: ConferenceRef, peer: PeerRef, previousName: string) => void;
  /** A lossy packet in an AV conference: `id` (192 = audio) and the opaque bytes after it. */
  conferenceLossyPacket: (conference: ConferenceRef, peer: PeerRef, id: number, data: Uint8Array) => void;
}

/** A friend: its number, its public key (32 bytes or 64 hex characters) or a Tox ID. */
export type FriendSelector = number | string | Uint8Array;

/** A conference: its number, its id (32 bytes or 64 hex characters), or a ref (by its id). */
export type ConferenceSelector = number | string | Uint8Array | ConferenceRef;

/** A conference as the node reports it. */
export interface ConferenceSummary extends ConferenceRef {
  readonly type: ConferenceType;
  readonly title: string;
  /** False while joining (until the inviter's peer list names us). */
  readonly connected: boolean;
}

/** An invite from a friend: join with `joinConference(friend, cookie)`. */
export interface ConferenceInvite {
  readonly conferenceId: ConferenceId;
  readonly type: ConferenceType;
  readonly cookie: Uint8Array;
}

/** The onion client re-evaluates its status once a second; polling faster only costs CPU (100 idle identities). */
const SELF_STATUS_POLL_MS = 1000;

/** Bind address for a network config: loopback in local mode unless set. */
function bindHost(network: NetworkConfig): string {
  if (network.udp.host) return network.udp.host === 'localhost' ? '127.0.0.1' : network.udp.host;
  if (network.mode === 'local') return network.ipv6 ? '::1' : '127.0.0.1';
  return network.ipv6 ? '::' : '0.0.0.0';
}

export class ToxNode extends EventEmitter<ToxNodeEvents> {
  readonly log: Logger;
  private profile: Profile | undefined;
  private socket: DatagramSocket | undefined;
  private stack: NodeStack | undefined;
  private running = false;
  private selfStatus: ConnectionStatus = 'none';
  private pollTimer: TimerHandle | undefined;
  private saveTimer: TimerHandle | undefined;
  private saving: Promise<void> = Promise.resolve();

  constructor(private readonly options: ToxNodeOptions) {
    super();
    this.log = options.env.log.child({ node: options.profilePath });
  }

  get isRunning(): boolean {
    return this.running;
  }

  /** Our Tox ID (long-term public key + nospam); available after `start`. */
  get toxId(): ToxId {
    const p = this.requireProfile();
    return { publicKey: p.keyPair.publicKey, nospam: this.stack?.messenger.selfState.nospam ?? p.nospam };
  }

  get toxIdText(): string {
    return formatToxId(this.toxId);
  }

  get publicKey(): PublicKeyHex {
    return publicKeyHex(this.requireProfile().keyPair.publicKey);
  }

  /** The UDP endpoint other nodes bootstrap from (a TCP-only node has none). */
  get udpAddress(): IpPort {
    if (!this.socket) throw new InvalidStateError('the node is not started');
    if (!this.options.network.udp.enabled) throw new ToxError('UNSUPPORTED', 'a TCP-only node (udp.enabled=false) has no UDP address');
    return this.socket.local;
  }

  get dhtPublicKey(): DhtPublicKey {
    return this.requireStack().dht.publicKey;
  }

  /** The DHT engine (for diagnostics and the layers built on it). */
  get dhtEngine(): Dht {
    return this.requireStack().dht;
  }

  /** The whole protocol stack (diagnostics, tests, the conference wiring). */
  get layers(): NodeStack {
    return this.requireStack();
  }

  /** The TCP relay server's port, when `network.tcpRelayPort` runs one. */
  get tcpRelayPort(): number | undefined {
    return this.stack?.relayPort;
  }

  async start(): Promise<void> {
    if (this.running) throw new InvalidStateError('the node is already started');
    const { env, network } = this.options;
    this.profile = await this.loadOrCreateProfile();
    // Real LAN broadcast is for the public mode only; local mode aims discovery at loopback ports.
    const broadcast = network.udp.enabled && network.mode === 'public' && network.lanDiscovery;
    const host = bindHost(network);
    // TCP-only: no UDP socket at all; everything goes through the configured relays.
    this.socket = network.udp.enabled ? await this.bindInRange(host, network.udp.portRange, broadcast) : new NoUdpSocket();
    const stack = new NodeStack({ env, log: this.log, network, socket: this.socket, profile: this.profile, relayHost: host, broadcast });
    this.stack = stack;
    this.wireEvents(stack);
    try {
      await stack.start();
    } catch (err) {
      await stack.stop();
      await this.socket.close();
      this.socket = undefined;
      this.stack = undefined;
      throw err;
    }
    this.pollTimer = env.scheduler.every(SELF_STATUS_POLL_MS, () => this.pollSelfStatus());
    this.running = true;
    const udp = network.udp.enabled ? `${this.socket.local.ip}:${this.socket.local.port}` : 'off (TCP only)';
    this.log.info('node started', { toxId: this.toxIdText, udp });
  }

  /** Stops every layer, saves the profile and closes the socket; safe to call twice. */
  async stop(): Promise<void> {
    if (!this.running) return;
    this.running = false;
    this.pollTimer?.cancel();
    this.pollTimer = undefined;
    this.saveTimer?.cancel();
    this.saveTimer = undefined;
    await this.stack?.stop();
    try {
      await this.save();
    } finally {
      await this.socket?.close();
      this.socket = undefined;
      this.stack = undefined;
      this.setSelfStatus('none');
    }
  }

  /** Writes the profile atomically (with the live friends, nodes and relays); saves never overlap. */
  async save(): Promise<void> {
    const profile = this.requireProfile();
    this.stack?.fillProfile(profile);
    const { passphrase, env, profilePath } = this.options;
    const write = async (): Promise<void> => {
      await saveProfile(profilePath, profile, { random: env.random, ...(passphrase !== undefined ? { passphrase } : {}) });
      this.emit('saved');
    };
    const next = this.saving.then(write, write);
    this.saving = next.catch(() => undefined);
    await next;
  }

  /** Nodes a client should bootstrap from to reach this node. */
  bootstrapInfo(): PackedNode {
    return { transport: 'udp', address: this.udpAddress, publicKey: this.dhtPublicKey };
  }

  // ------------------------------------------------------------------ ourselves

  /** Our connection to the network: none, UDP or TCP (c-toxcore's self connection status). */
  get connectionStatus(): ConnectionStatus {
    return this.selfStatus;
  }

  get name(): string {
    return utf8Decode(this.messenger().selfState.name);
  }

  get statusMessage(): string {
    return utf8Decode(this.messenger().selfState.statusMessage);
  }

  get status(): UserStatus {
    return this.messenger().selfState.userStatus;
  }

  setName(name: string): void {
    this.messenger().setName(utf8Encode(name));
  }

  setStatusMessage(statusMessage: string): void {
    this.messenger().setStatusMessage(utf8Encode(statusMessage));
  }

  setStatus(status: UserStatus): void {
    this.messenger().setUserStatus(status);
  }

  /** The 4 nospam bytes of our Tox ID as a u32. */
  get nospam(): number {
    const n = this.messenger().selfState.nospam;
    return ((n[0]! << 24) | (n[1]! << 16) | (n[2]! << 8) | n[3]!) >>> 0;
  }

  /** A new nospam: requests to the old Tox ID are refused from now on. */
  setNospam(nospam: number): void {
    const n = nospam >>> 0;
    this.messenger().setNospam(Uint8Array.of(n >>> 24, (n >>> 16) & 255, (n >>> 8) & 255, n & 255));
  }

  /** Runtime admission of friend requests that passed the protocol checks (allow/deny); undefined allows all. */
  setFriendRequestAdmission(admission: ((publicKey: PublicKeyHex, message: string) => boolean) | undefined): void {
    const requests = this.requireStack().requests;
    const hook: FriendRequestAdmission | undefined = admission && ((pk, msg) => admission(publicKeyHex(pk), utf8Decode(msg)));
    requests.admission = hook;
  }

  // ------------------------------------------------------------------ friends

  /** Sends a friend request to a Tox ID (76 hex characters) with a message; returns the friend number. */
  addFriend(toxId: string, message: string): number {
    return this.messenger().addFriend(parseToxId(toxId), utf8Encode(message));
  }

  /** Accepts a friend request (adds the key without a request of ours); returns the friend number. */
  acceptFriendRequest(publicKey: string | Uint8Array): number {
    return this.messenger().addFriendNoRequest(keyBytes(publicKey));
  }

  deleteFriend(friend: FriendSelector): void {
    this.messenger().deleteFriend(this.friendNumber(friend));
  }

  /** The friend number of a key (or number), or a FRIEND_NOT_FOUND error. */
  friendNumber(friend: FriendSelector): number {
    const m = this.messenger();
    if (typeof friend === 'number') {
      m.publicKeyOf(friend);
      return friend;
    }
    const n = m.friendByKey(keyBytes(friend));
    if (n === undefined) throw new MessengerError('FRIEND_NOT_FOUND', 'no such friend');
    return n;
  }

  friend(friend: FriendSelector): FriendSummary {
    const info = this.messenger().friendInfo(this.friendNumber(friend));
    return {
      number: info.number,
      publicKey: publicKeyHex(info.publicKey),
      name: utf8Decode(info.name),
      statusMessage: utf8Decode(info.statusMessage),
      status: info.userStatus,
      connection: info.transport,
      request: info.status,
      typing: info.typing,
      lastSeen: info.lastSeen,
    };
  }

  friends(): FriendSummary[] {
    return this.messenger().friendNumbers().map((n) => this.friend(n));
  }

  /** Sends a message (`normal`) or action; returns the id a later `friendReceipt` carries. */
  sendMessage(friend: FriendSelector, text: string, type: MessageKind = 'normal'): number {
    return this.messenger().sendMessage(this.friendNumber(friend), utf8Encode(text), type);
  }

  setTyping(friend: FriendSelector, typing: boolean): void {
    this.messenger().setTyping(this.friendNumber(friend), typing);
  }

  /** A custom lossless packet: first byte 160..191, at most 1373 bytes. */
  sendLosslessPacket(friend: FriendSelector, data: Uint8Array): void {
    this.messenger().sendLosslessPacket(this.friendNumber(friend), data);
  }

  /** A custom lossy packet: first byte 200..254; false when it could not be sent. */
  sendLossyPacket(friend: FriendSelector, data: Uint8Array): boolean {
    return this.messenger().sendLossyPacket(this.friendNumber(friend), data);
  }

  // ------------------------------------------------------------------ files

  /** Offers a file to an online friend; returns its file number (chunks are then requested by `fileChunkRequest`). */
  sendFile(friend: FriendSelector, options: SendFileOptions): number {
    return this.messenger().files.sendFile(this.friendNumber(friend), options);
  }

  /** Accept, resume, pause or cancel a transfer. */
  fileControl(friend: FriendSelector, fileNumber: number, action: FileControlAction): void {
    this.messenger().files.control(this.friendNumber(friend), fileNumber, action);
  }

  /** Before accepting an incoming file: start receiving at `position`. */
  fileSeek(friend: FriendSelector, fileNumber: number, position: bigint | number): void {
    this.messenger().files.seek(this.friendNumber(friend), fileNumber, position);
  }

  fileSendChunk(friend: FriendSelector, fileNumber: number, position: bigint | number, data: Uint8Array): void {
    this.messenger().files.sendChunk(this.friendNumber(friend), fileNumber, position, data);
  }

  // ------------------------------------------------------------------ conferences

  /** A new conference with us as its only peer. */
  createConference(type: ConferenceType = 'text'): ConferenceRef {
    const c = this.conferenceEngine();
    const ref = conferenceRefOf(c, c.create(type));
    this.scheduleSave();
    return ref;
  }

  /** Invites an online friend to a conference we are connected to. */
  inviteToConference(friend: FriendSelector, conference: ConferenceSelector): void {
    const key = this.messenger().publicKeyOf(this.friendNumber(friend));
    this.conferenceEngine().invite(this.conferenceNumber(conference), key);
  }

  /** Accepts an invite (`conferenceInvite` gives the cookie); connected once `conferenceConnected` fires. */
  joinConference(friend: FriendSelector, cookie: Uint8Array): ConferenceRef {
    const key = this.messenger().publicKeyOf(this.friendNumber(friend));
    const c = this.conferenceEngine();
    return conferenceRefOf(c, c.join(key, cookie));
  }

  /** Leaves for good (the peers are told). */
  leaveConference(conference: ConferenceSelector): void {
    this.conferenceEngine().leave(this.conferenceNumber(conference));
    this.scheduleSave();
  }

  conference(conference: ConferenceSelector): ConferenceSummary {
    const info = this.conferenceEngine().info(this.conferenceNumber(conference));
    return { id: conferenceId(info.id), number: info.number, type: info.type, title: utf8Decode(info.title), connected: info.connected };
  }

  conferences(): ConferenceSummary[] {
    return this.conferenceEngine().list().map((n) => this.conference(n));
  }

  /** The peers heard from (ourselves included, `isSelf`); empty while joining. */
  conferencePeers(conference: ConferenceSelector): PeerRef[] {
    return this.conferenceEngine().peers(this.conferenceNumber(conference)).map((p) => peerRef(p, p.self));
  }

  /** Sends a message or action to every peer; NO_CONNECTION until connected. */
  sendConferenceMessage(conference: ConferenceSelector, text: string, type: MessageKind = 'normal'): void {
    const c = this.conferenceEngine();
    const n = this.conferenceNumber(conference);
    if (type === 'action') c.sendAction(n, text);
    else c.sendMessage(n, text);
  }

  /**
   * Sends a lossy packet (`[id][data]`, e.g. id 192 audio; the payload is opaque, there is no
   * codec) in an AV conference, fanned out as c-toxcore does; WRONG_TYPE for a text conference.
   */
  sendConferenceLossyPacket(conference: ConferenceSelector, id: number, data: Uint8Array): void {
    this.conferenceEngine().sendLossy(this.conferenceNumber(conference), id, data);
  }

  setConferenceTitle(conference: ConferenceSelector, title: string): void {
    this.conferenceEngine().setTitle(this.conferenceNumber(conference), title);
    this.scheduleSave();
  }

  conferenceTitle(conference: ConferenceSelector): string {
    return utf8Decode(this.conferenceEngine().title(this.conferenceNumber(conference)));
  }

  /** The conference number of a number or id, or a CONFERENCE_NOT_FOUND error. */
  conferenceNumber(conference: ConferenceSelector): number {
    const c = this.conferenceEngine();
    if (typeof conference === 'number') {
      c.info(conference);
      return conference;
    }
    const id = typeof conference === 'string' || conference instanceof Uint8Array ? conference : conference.id;
    const n = c.byId(fromHex(conferenceId(id)));
    if (n === undefined) throw new ConferenceError('CONFERENCE_NOT_FOUND', 'no such conference');
    return n;
  }

  // ------------------------------------------------------------------ wiring

  private wireEvents(stack: NodeStack): void {
    const m = stack.messenger;
    // Hex keys per friend number, cached (events fire per message); numbers are reused only after a delete.
    const hex = new Map<number, PublicKeyHex>();
    const ref = (friend: number): FriendEventRef => {
      let publicKey = hex.get(friend);
      if (publicKey === undefined) {
        publicKey = publicKeyHex(stack.friendKey(friend));
        hex.set(friend, publicKey);
      }
      return { number: friend, publicKey };
    };
    m.on('changed', () => {
      for (const [n, key] of hex) if (m.friendByKey(fromHex(key)) !== n) hex.delete(n);
    });
    stack.dht.on('connected', () => this.emit('dhtConnection', true));
    stack.dht.on('disconnected', () => this.emit('dhtConnection', false));
    m.on('friendRequest', (pk, msg) => this.emit('friendRequest', publicKeyHex(pk), utf8Decode(msg)));
    m.on('friendConnection', (f, t) => this.emit('friendConnection', ref(f), t));
    m.on('friendMessage', (f, kind, text) => this.emit('friendMessage', ref(f), utf8Decode(text), kind));
    m.on('friendReceipt', (f, id) => this.emit('friendReceipt', ref(f), id));
    m.on('friendUndelivered', (f, ids) => this.emit('friendUndelivered', ref(f), ids));
    m.on('friendName', (f, name) => this.emit('friendName', ref(f), utf8Decode(name)));
    m.on('friendStatusMessage', (f, text) => this.emit('friendStatusMessage', ref(f), utf8Decode(text)));
    m.on('friendUserStatus', (f, status) => this.emit('friendStatus', ref(f), status));
    m.on('friendTyping', (f, typing) => this.emit('friendTyping', ref(f), typing));
    m.on('friendLossless', (f, data) => this.emit('friendLosslessPacket', ref(f), data));
    m.on('friendLossy', (f, data) => this.emit('friendLossyPacket', ref(f), data));
    m.on('changed', () => this.scheduleSave());
    const files = m.files;
    files.on('offer', (f, offer) => this.emit('fileOffer', ref(f), offer));
    files.on('control', (f, n, control) => this.emit('fileControl', ref(f), n, control));
    files.on('chunkRequest', (f, n, position, length) => this.emit('fileChunkRequest', ref(f), n, position, length));
    files.on('chunk', (f, n, position, data) => this.emit('fileChunk', ref(f), n, position, data));
    files.on('completed', (f, n) => this.emit('fileCompleted', ref(f), n));
    files.on('broken', (f, n) => this.emit('fileBroken', ref(f), n));
    this.wireConferenceEvents(stack.conferences, (key) => {
      const friend = m.friendByKey(key);
      return friend === undefined ? undefined : ref(friend);
    });
  }

  private wireConferenceEvents(c: Conferences, friendRef: (key: LongTermPublicKey) => FriendEventRef | undefined): void {
    // Events fire while the conference exists (inside the engine's step), so its id is readable.
    const conf = (n: number): ConferenceRef => conferenceRefOf(c, n);
    c.on('invite', (e) => {
      const friend = friendRef(e.friend);
      if (friend) this.emit('conferenceInvite', friend, { conferenceId: conferenceId(InviteCookie.decode(e.cookie).id), type: e.type, cookie: e.cookie });
    });
    c.on('connected', (e) => {
      this.emit('conferenceConnected', conf(e.conference));
      this.scheduleSave();
    });
    c.on('message', (e) => this.emit('conferenceMessage', conf(e.conference), peerRef(e.peer), e.text, 'normal'));
    c.on('action', (e) => this.emit('conferenceMessage', conf(e.conference), peerRef(e.peer), e.text, 'action'));
    c.on('title', (e) => {
      this.emit('conferenceTitle', conf(e.conference), utf8Decode(e.title), e.by && peerRef(e.by));
      this.scheduleSave();
    });
    c.on('peerJoin', (e) => this.emit('conferencePeerJoin', conf(e.conference), peerRef(e.peer)));
    c.on('peerLeave', (e) => this.emit('conferencePeerLeave', conf(e.conference), peerRef(e.peer), e.reason));
    c.on('peerRename', (e) => {
      this.emit('conferencePeerRename', conf(e.conference), peerRef(e.peer), utf8Decode(e.previousName));
      this.scheduleSave();
    });
    c.on('peerListChanged', () => this.scheduleSave());
    c.on('lossy', (e) => this.emit('conferenceLossyPacket', conf(e.conference), peerRef(e.peer), e.id, e.data));
  }

  private conferenceEngine(): Conferences {
    return this.requireStack().conferences;
  }

  private pollSelfStatus(): void {
    const stack = this.stack;
    if (stack) this.setSelfStatus(stack.onion.connectionStatus());
  }

  private setSelfStatus(status: ConnectionStatus): void {
    if (status === this.selfStatus) return;
    this.selfStatus = status;
    this.emit('selfConnection', status);
  }

  /** Debounced auto-save after a change. */
  private scheduleSave(): void {
    const delay = this.options.autoSaveMs ?? 1000;
    if (delay <= 0 || this.saveTimer || !this.running) return;
    this.saveTimer = this.options.env.scheduler.after(delay, () => {
      this.saveTimer = undefined;
      if (!this.running) return;
      this.save().catch((err: unknown) => this.log.warn('auto-save failed', { error: err instanceof Error ? err.message : String(err) }));
    });
  }

  private messenger(): Messenger {
    return this.requireStack().messenger;
  }

  private requireStack(): NodeStack {
    if (!this.stack) throw new InvalidStateError('the node is not started');
    return this.stack;
  }

  private requireProfile(): Profile {
    if (!this.profile) throw new InvalidStateError('the node is not started');
    return this.profile;
  }

  private async loadOrCreateProfile(): Promise<Profile> {
    const { profilePath, passphrase, env, initial } = this.options;
    try {
      return await loadProfile(profilePath, passphrase !== undefined ? { passphrase } : {});
    } catch (err) {
      if (!(err instanceof ToxError) || err.code !== 'PROFILE_NOT_FOUND') throw err;
    }
    await mkdir(dirname(profilePath), { recursive: true });
    const profile = createProfile(env.random);
    profile.name = utf8Encode(initial?.name ?? '');
    profile.statusMessage = utf8Encode(initial?.statusMessage ?? '');
    profile.userStatus = initial?.status ?? 'online';
    await saveProfile(profilePath, profile, { random: env.random, ...(passphrase !== undefined ? { passphrase } : {}) });
    this.log.info('created a new profile', { path: profilePath });
    return profile;
  }

  private async bindInRange(host: string, [first, last]: readonly [number, number], broadcast: boolean): Promise<DatagramSocket> {
    for (let port = first; port <= last; port++) {
      try {
        return await this.options.env.net.bindUdp({ host, port, broadcast });
      } catch (err) {
        if (isNetError(err) && err.code === 'ADDRESS_IN_USE') continue;
        throw err;
      }
    }
    throw new ToxError('NO_FREE_PORT', `no free UDP port on ${host} in ${first}..${last}`, { host, first, last });
  }
}

function conferenceRefOf(conferences: Conferences, n: number): ConferenceRef {
  return { id: conferenceId(conferences.info(n).id), number: n };
}

function peerRef(peer: ConferencePeerInfo, isSelf = false): PeerRef {
  return { publicKey: publicKeyHex(peer.publicKey), number: peer.peerNumber, name: utf8Decode(peer.name), isSelf };
}

/** 32 bytes, 64 hex characters or a 76-character Tox ID, as a long-term key. */
function keyBytes(value: string | Uint8Array): LongTermPublicKey {
  return fromHex(publicKeyHex(value)) as LongTermPublicKey;
}
