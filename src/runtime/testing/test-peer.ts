/**
 * One node of a test network (see network.ts): a real ToxNode whose events
 * are published as `BotEvent`s, recorded, and handed out by `next(kind)` in
 * virtual time, plus the scripted actions a test performs with it (friend
 * requests, messages, conferences). The bot under test is a `TestPeer` too,
 * with its plugin host on top (`TestNetworkBot`).
 */
import type { BotError, BotContext, PluginHost } from '../bot/index.js';
import { publishNodeEvents } from '../bot-bridge.js';
import { BotEventBus, type BotEvent, type BotEventKind, type ConferenceId, type ConferenceRef, type EventOf, type FriendRef, type PeerRef, type PublicKeyHex } from '../events.js';
import type { ToxNode } from '../tox-node.js';

/** How a test peer waits: advances virtual time until `done()` holds, or fails with a TimeoutError naming `what`. */
export interface VirtualWait {
  until(what: string, done: () => boolean, timeoutMs?: number): Promise<void>;
}

export interface NextOptions<K extends BotEventKind> {
  /** Only events this accepts (the others stay for later `next` calls). */
  where?: (event: EventOf<K>) => boolean;
  /** Virtual milliseconds to wait (default: the network's `timeoutMs`). */
  timeoutMs?: number;
}

export interface InviteOptions {
  /** Resolve once the invite is sent instead of once the invitee has joined (default true: wait). */
  waitForJoin?: boolean;
}

const DEFAULT_REQUEST = 'Hello from a test peer';

type ConferenceTarget = ConferenceRef | ConferenceId;

function idOf(conference: ConferenceTarget): ConferenceId {
  return typeof conference === 'string' ? conference : conference.id;
}

export class TestPeer {
  /** Every event this node reported, in order (`next` does not remove them from here). */
  readonly events: BotEvent[] = [];
  /** Events not yet taken by `next`. */
  private readonly inbox: BotEvent[] = [];
  private readonly unpublish: () => void;

  constructor(
    /** The name the test gave this node (also its Tox name). */
    readonly label: string,
    /** The real node, for anything the helpers below do not cover. */
    readonly node: ToxNode,
    readonly bus: BotEventBus,
    protected readonly wait: VirtualWait,
  ) {
    bus.on('*', (event) => {
      this.events.push(event);
      this.inbox.push(event);
    });
    this.unpublish = publishNodeEvents(node, bus);
  }

  get publicKey(): PublicKeyHex {
    return this.node.publicKey;
  }

  get toxId(): string {
    return this.node.toxIdText;
  }

  /**
   * The oldest event of `kind` (matching `where`) that no earlier `next` took:
   * one that already happened, else the next one to happen, advancing virtual
   * time; a TimeoutError after `timeoutMs` of virtual time.
   */
  async next<K extends BotEventKind>(kind: K, options: NextOptions<K> = {}): Promise<EventOf<K>> {
    const matches = (e: BotEvent): e is EventOf<K> => e.kind === kind && (options.where?.(e as EventOf<K>) ?? true);
    let found = -1;
    await this.wait.until(`${this.label} to see a ${kind} event${options.where ? ' matching the filter' : ''}`, () => (found = this.inbox.findIndex(matches)) >= 0, options.timeoutMs);
    return this.inbox.splice(found, 1)[0] as EventOf<K>;
  }

  /** Every recorded event of `kind`, taken by `next` or not. */
  seen<K extends BotEventKind>(kind: K): Array<EventOf<K>> {
    return this.events.filter((e): e is EventOf<K> => e.kind === kind);
  }

  // ------------------------------------------------------------------ friends

  /** Sends a friend request to `other` and returns at once (Tox requires a non-empty message). */
  requestFriend(other: TestPeer, message = DEFAULT_REQUEST): void {
    this.node.addFriend(other.toxId, message);
  }

  /** Accepts `other` as a friend (after its request, or ahead of it). */
  acceptFriend(other: TestPeer): void {
    this.node.acceptFriendRequest(other.publicKey);
  }

  /** True when `other` is our friend and connected. */
  isOnlineWith(other: TestPeer): boolean {
    return this.node.friends().some((f) => f.publicKey === other.publicKey && f.connection !== 'none');
  }

  /**
   * Sends a friend request and resolves once both are friends and online. The
   * bot decides through its plugins; a scripted peer accepts when the request
   * arrives.
   */
  async addFriend(other: TestPeer, message = DEFAULT_REQUEST): Promise<void> {
    this.requestFriend(other, message);
    if (!(other instanceof TestNetworkBot)) {
      const arrived = (): boolean => other.events.some((e) => e.kind === 'friend.request' && e.publicKey === this.publicKey);
      await this.wait.until(`${other.label} to receive the friend request of ${this.label}`, arrived);
      other.acceptFriend(this);
    }
    await this.waitOnline(other);
  }

  /** Resolves once `other` and we are friends and see each other online. */
  waitOnline(other: TestPeer, timeoutMs?: number): Promise<void> {
    return this.wait.until(
      `${this.label} and ${other.label} to be friends and online (did ${other.label} accept?)`,
      () => this.isOnlineWith(other) && other.isOnlineWith(this),
      timeoutMs,
    );
  }

  /** The friend `other` as our events name it. */
  friendRef(other: TestPeer): FriendRef {
    const f = this.node.friend(other.publicKey);
    return { publicKey: f.publicKey, number: f.number, name: f.name };
  }

  /** Sends a message (or action) to the friend `to`; returns its message id. */
  send(to: TestPeer, text: string, type: 'normal' | 'action' = 'normal'): number {
    return this.node.sendMessage(to.publicKey, text, type);
  }

  // ------------------------------------------------------------------ conferences

  /** A new text conference with us as its only peer, optionally titled. */
  createConference(title?: string): ConferenceRef {
    const ref = this.node.createConference();
    if (title !== undefined) this.node.setConferenceTitle(ref.id, title);
    return ref;
  }

  /**
   * Invites the friend `to`. By default resolves once `to` has joined and we
   * see it as a peer; the bot joins through its plugins, a scripted peer joins
   * when the invite arrives.
   */
  async invite(to: TestPeer, conference: ConferenceTarget, options: InviteOptions = {}): Promise<void> {
    const id = idOf(conference);
    this.node.inviteToConference(to.publicKey, id);
    if (options.waitForJoin === false) return;
    if (!(to instanceof TestNetworkBot)) {
      let cookie: Uint8Array | undefined;
      const arrived = (): boolean => {
        const invite = to.events.find((e) => e.kind === 'conference.invite' && e.conferenceId === id && e.friend.publicKey === this.publicKey);
        cookie = invite?.kind === 'conference.invite' ? invite.cookie : undefined;
        return cookie !== undefined;
      };
      await this.wait.until(`${to.label} to receive the invite of ${this.label}`, arrived);
      to.node.joinConference(this.publicKey, cookie!);
    }
    await this.wait.until(`${to.label} to join the conference of ${this.label} (did it accept the invite?)`, () => to.inConference(id) && this.hasPeer(id, to));
  }

  /** True when we are connected to the conference. */
  inConference(conference: ConferenceTarget): boolean {
    const id = idOf(conference);
    return this.node.conferences().some((c) => c.id === id && c.connected);
  }

  /** The conference's peers as we see them (ourselves included). */
  peersIn(conference: ConferenceTarget): PeerRef[] {
    return this.node.conferencePeers(idOf(conference));
  }

  sendConference(conference: ConferenceTarget, text: string, type: 'normal' | 'action' = 'normal'): void {
    this.node.sendConferenceMessage(idOf(conference), text, type);
  }

  setTitle(conference: ConferenceTarget, title: string): void {
    this.node.setConferenceTitle(idOf(conference), title);
  }

  /** Stops publishing events and stops the node (the network's `stop` does this for every node). */
  async stop(): Promise<void> {
    this.unpublish();
    await this.node.stop();
  }

  private hasPeer(id: ConferenceId, other: TestPeer): boolean {
    return this.inConference(id) && this.peersIn(id).some((p) => p.publicKey === other.publicKey);
  }
}

/** The bot under test: a `TestPeer` whose events also run through its plugin host. */
export class TestNetworkBot extends TestPeer {
  /** Failures of plugins (in handlers, timers, setup, start or stop), in order. */
  readonly errors: Array<BotError<BotContext | undefined>> = [];

  constructor(label: string, node: ToxNode, bus: BotEventBus, wait: VirtualWait, readonly host: PluginHost) {
    super(label, node, bus, wait);
    host.on('error', (error) => this.errors.push(error));
  }

  override async stop(): Promise<void> {
    await this.host.stop();
    await super.stop();
  }
}
