/**
 * Testing without a network: `MemoryBotNode` implements the node port in
 * memory (friends, conferences, peers, and a log of everything sent), and
 * `createTestBot` runs plugins on it with virtual time, so a plugin test is
 * "say something, advance time, look at what the bot sent".
 */
import { InvalidArgumentError, ManualScheduler, MemorySink, SeededRandom, createLogger, fromHex, type Logger } from '../../base/index.js';
import { formatToxId, type LongTermPublicKey } from '../../crypto/index.js';
import {
  conferenceId, publicKeyHex, type BotEvent, type ConferenceId, type ConferenceRef, type FriendRef, type PeerRef, type PublicKeyHex, type UserStatus,
} from '../events.js';
import { PluginHost, type PluginHostOptions } from './host.js';
import type { LoadedPlugin } from './loader.js';
import type { Destination } from './outbox.js';
import { Permissions, type PermissionsConfig } from './permissions.js';
import { isPlugin, type Plugin } from './plugin.js';
import type { BotNodeApi, ConferenceInfo, FriendInfo, MessageType, SelfInfo, SendResult } from './port.js';

/** A deterministic public key for tests: `n` as 64 hex digits. */
export function testPublicKey(n: number): PublicKeyHex {
  return publicKeyHex(n.toString(16).padStart(64, '0'));
}

export interface SentMessageRecord {
  readonly to: Destination;
  readonly text: string;
  readonly type: MessageType;
}

type MemoryConference = { -readonly [K in keyof ConferenceInfo]: ConferenceInfo[K] } & { peers: PeerRef[] };

/** The node port in memory. `sendHook` may return a result to script failures (e.g. `queue-full`). */
export class MemoryBotNode implements BotNodeApi {
  readonly sent: SentMessageRecord[] = [];
  /** Every action other than sending messages, in order (`setConferenceTitle`, `inviteToConference`...). */
  readonly actions: Array<{ readonly method: string; readonly args: readonly unknown[] }> = [];
  sendHook: ((to: Destination, text: string) => SendResult | undefined) | undefined;
  private info: SelfInfo;
  private readonly friendList = new Map<PublicKeyHex, FriendInfo>();
  private readonly conferenceList = new Map<ConferenceId, MemoryConference>();
  private nextFriend = 0;
  private nextConference = 0;
  private nextMessageId = 1;
  private nextKey = 1000;

  constructor(self: Partial<SelfInfo> = {}) {
    const publicKey = self.publicKey ?? testPublicKey(1);
    const toxId = formatToxId({ publicKey: fromHex(publicKey) as LongTermPublicKey, nospam: new Uint8Array(4) });
    this.info = { publicKey, toxId, name: 'test bot', statusMessage: '', status: 'online', connection: 'udp', ...self };
  }

  /** Adds a friend (online) and returns it. */
  addTestFriend(name = `friend${this.nextFriend}`, publicKey = testPublicKey(this.nextKey++)): FriendRef {
    const friend: FriendInfo = { publicKey, number: this.nextFriend++, name, statusMessage: '', status: 'online', connection: 'udp' };
    this.friendList.set(publicKey, friend);
    return { publicKey, number: friend.number, name };
  }

  /** Adds a conference we are in (with ourselves as peer 0) and returns it. */
  addTestConference(title = ''): ConferenceRef {
    const id = conferenceId(testPublicKey(0x10000 + this.nextConference));
    const self: PeerRef = { publicKey: this.info.publicKey, number: 0, name: this.info.name, isSelf: true };
    const conference: MemoryConference = { id, number: this.nextConference++, type: 'text', title, connected: true, peers: [self] };
    this.conferenceList.set(id, conference);
    return { id, number: conference.number };
  }

  /** Adds a peer to a conference and returns it. */
  addTestPeer(conference: ConferenceId, name: string, publicKey = testPublicKey(this.nextKey++)): PeerRef {
    const c = this.requireConference(conference);
    const peer: PeerRef = { publicKey, number: c.peers.length, name, isSelf: false };
    c.peers.push(peer);
    return peer;
  }

  /** Removes a peer from a conference (it left or timed out); false if it was not there. Peer numbers are renumbered as c-toxcore does. */
  removeTestPeer(conference: ConferenceId, publicKey: PublicKeyHex): boolean {
    const c = this.requireConference(conference);
    const at = c.peers.findIndex((p) => p.publicKey === publicKey && !p.isSelf);
    if (at < 0) return false;
    c.peers.splice(at, 1);
    c.peers = c.peers.map((p, number) => ({ ...p, number }));
    return true;
  }

  /** Texts sent to one destination, in order. */
  sentTo(to: FriendRef | ConferenceRef): string[] {
    return this.sent
      .filter((s) => ('publicKey' in to ? s.to.type === 'friend' && s.to.publicKey === to.publicKey : s.to.type === 'conference' && s.to.id === to.id))
      .map((s) => s.text);
  }

  self(): SelfInfo {
    return this.info;
  }

  async setName(name: string): Promise<void> {
    this.info = { ...this.info, name };
  }

  async setStatusMessage(statusMessage: string): Promise<void> {
    this.info = { ...this.info, statusMessage };
  }

  async setStatus(status: UserStatus): Promise<void> {
    this.info = { ...this.info, status };
  }

  friends(): readonly FriendInfo[] {
    return [...this.friendList.values()];
  }

  friend(publicKey: PublicKeyHex): FriendInfo | undefined {
    return this.friendList.get(publicKey);
  }

  async acceptFriendRequest(publicKey: PublicKeyHex): Promise<FriendRef> {
    this.actions.push({ method: 'acceptFriendRequest', args: [publicKey] });
    return this.friendList.get(publicKey) ?? this.addTestFriend(undefined, publicKey);
  }

  async addFriend(toxId: string, message: string): Promise<FriendRef> {
    this.actions.push({ method: 'addFriend', args: [toxId, message] });
    return this.addTestFriend(undefined, publicKeyHex(toxId));
  }

  async deleteFriend(publicKey: PublicKeyHex): Promise<void> {
    this.actions.push({ method: 'deleteFriend', args: [publicKey] });
    this.friendList.delete(publicKey);
  }

  async sendFriendMessage(publicKey: PublicKeyHex, text: string, type: MessageType): Promise<SendResult> {
    const to: Destination = { type: 'friend', publicKey };
    const scripted = this.sendHook?.(to, text);
    if (scripted) return scripted;
    if (!this.friendList.has(publicKey)) return { ok: false, reason: 'not-found' };
    this.sent.push({ to, text, type });
    return { ok: true, messageId: this.nextMessageId++ };
  }

  conferences(): readonly ConferenceInfo[] {
    return [...this.conferenceList.values()].map(({ peers: _peers, ...info }) => info);
  }

  conference(id: ConferenceId): ConferenceInfo | undefined {
    const c = this.conferenceList.get(id);
    if (!c) return undefined;
    const { peers: _peers, ...info } = c;
    return info;
  }

  peers(id: ConferenceId): readonly PeerRef[] {
    return this.conferenceList.get(id)?.peers ?? [];
  }

  async createConference(): Promise<ConferenceRef> {
    this.actions.push({ method: 'createConference', args: [] });
    return this.addTestConference();
  }

  async joinConference(friend: PublicKeyHex, cookie: Uint8Array): Promise<ConferenceRef> {
    this.actions.push({ method: 'joinConference', args: [friend, cookie] });
    return this.addTestConference();
  }

  async leaveConference(id: ConferenceId): Promise<void> {
    this.actions.push({ method: 'leaveConference', args: [id] });
    this.conferenceList.delete(id);
  }

  async inviteToConference(friend: PublicKeyHex, id: ConferenceId): Promise<void> {
    this.actions.push({ method: 'inviteToConference', args: [friend, id] });
  }

  async setConferenceTitle(id: ConferenceId, title: string): Promise<void> {
    this.actions.push({ method: 'setConferenceTitle', args: [id, title] });
    const c = this.requireConference(id);
    c.title = title;
  }

  async sendConferenceMessage(id: ConferenceId, text: string, type: MessageType): Promise<SendResult> {
    const to: Destination = { type: 'conference', id };
    const scripted = this.sendHook?.(to, text);
    if (scripted) return scripted;
    if (!this.conferenceList.has(id)) return { ok: false, reason: 'not-found' };
    this.sent.push({ to, text, type });
    return { ok: true };
  }

  private requireConference(id: ConferenceId): MemoryConference {
    const c = this.conferenceList.get(id);
    if (!c) throw new InvalidArgumentError(`no test conference ${id}`);
    return c;
  }
}

export interface TestBotOptions extends Partial<Omit<PluginHostOptions, 'plugins' | 'permissions' | 'node' | 'scheduler'>> {
  /** Share one to test restarts (default: a fresh one at time 0). */
  scheduler?: ManualScheduler;
  /** Plugins in chain order: a plugin (default options) or a full entry. */
  plugins: ReadonlyArray<Plugin | LoadedPlugin>;
  permissions?: PermissionsConfig;
  node?: MemoryBotNode;
}

export interface TestBot {
  readonly host: PluginHost;
  readonly node: MemoryBotNode;
  readonly scheduler: ManualScheduler;
  /** Log records of the bot and its plugins. */
  readonly logs: MemorySink;
  /** Runs an event through the plugins and lets the replies it caused go out. */
  emit(event: BotEvent): Promise<void>;
  /** A friend message from `friend`. */
  say(friend: FriendRef, text: string): Promise<void>;
  /** A conference message from `peer`. */
  sayIn(conference: ConferenceRef, peer: PeerRef, text: string): Promise<void>;
  stop(): Promise<void>;
}

/** Starts the given plugins on a `MemoryBotNode` with a `ManualScheduler` (time moves only when the test advances it). */
export async function createTestBot(options: TestBotOptions): Promise<TestBot> {
  const scheduler = options.scheduler ?? new ManualScheduler();
  const logs = new MemorySink();
  const log: Logger = options.log ?? createLogger({ level: 'debug', sink: logs, clock: () => scheduler.now() });
  const node = options.node ?? new MemoryBotNode();
  const host = new PluginHost({
    ...options,
    node,
    scheduler,
    log,
    random: options.random ?? new SeededRandom(1),
    permissions: Permissions.fromConfig(options.permissions),
    plugins: options.plugins.map((p) => (isPlugin(p) ? { plugin: p } : p)),
  });
  await host.start();
  const emit = async (event: BotEvent): Promise<void> => {
    await host.handle(event);
    await scheduler.advance(0);
  };
  return {
    host,
    node,
    scheduler,
    logs,
    emit,
    say: (friend, text) => emit({ kind: 'friend.message', friend, text }),
    sayIn: (conference, peer, text) => emit({ kind: 'conference.message', conference, peer, text }),
    stop: () => host.stop(),
  };
}
