/**
 * `BotContext`: one object per event, shared by the whole middleware chain.
 * It holds the event, shortcuts into it (`text`, `friend`, `conference`,
 * `peer`, `sender`), the sender's `role`, the node port and `reply()`, which
 * answers where the event came from through the rate-limited outbox.
 * `ContextFor<C, K>` is the type `on(K)` narrows a context to.
 */
import type { Logger } from '../../base/index.js';
import type {
  BotEvent, BotEventKind, ConferenceRef, EventOf, FriendRef, PeerRef, PublicKeyHex,
} from '../events.js';
import type { CommandInvocation } from './commands.js';
import { SendError } from './errors.js';
import type { Destination, Outbox, SentMessage } from './outbox.js';
import type { Permissions, Role } from './permissions.js';
import type { BotNodeApi, MessageType } from './port.js';

export interface ContextDeps {
  readonly node: BotNodeApi;
  readonly outbox: Outbox;
  readonly permissions: Permissions;
  readonly commandPrefix: string;
  readonly log: Logger;
}

export interface ReplyOptions {
  /** `action` sends a `/me` message. */
  type?: MessageType;
}

export class BotContext {
  /** Set by `command()` middleware before it runs the command's handlers. */
  command: CommandInvocation<unknown, unknown> | undefined = undefined;
  private cachedRole: Role | undefined;

  constructor(
    readonly event: BotEvent,
    private readonly deps: ContextDeps,
  ) {}

  get kind(): BotEventKind {
    return this.event.kind;
  }

  /** Message or action text. */
  get text(): string | undefined {
    return 'text' in this.event ? this.event.text : undefined;
  }

  get friend(): FriendRef | undefined {
    return 'friend' in this.event ? this.event.friend : undefined;
  }

  get conference(): ConferenceRef | undefined {
    return 'conference' in this.event ? this.event.conference : undefined;
  }

  get peer(): PeerRef | undefined {
    return 'peer' in this.event ? this.event.peer : undefined;
  }

  /** The public key of whoever caused the event: the friend, the conference peer, or the requester. */
  get sender(): PublicKeyHex | undefined {
    const e = this.event;
    if (e.kind === 'friend.request') return e.publicKey;
    if ('friend' in e) return e.friend.publicKey;
    if ('peer' in e) return e.peer?.publicKey;
    return undefined;
  }

  /** The sender's role (in the event's conference, if any); `user` for events without a sender. */
  get role(): Role {
    return (this.cachedRole ??= this.deps.permissions.roleOf(this.sender, this.conference?.id));
  }

  get node(): BotNodeApi {
    return this.deps.node;
  }

  get commandPrefix(): string {
    return this.deps.commandPrefix;
  }

  /** Where `reply()` goes: the conference for conference events, else the friend; undefined for e.g. friend requests. */
  get replyTarget(): Destination | undefined {
    const conference = this.conference;
    if (conference) return { type: 'conference', id: conference.id };
    const friend = this.friend;
    if (friend) return { type: 'friend', publicKey: friend.publicKey };
    return undefined;
  }

  get canReply(): boolean {
    return this.replyTarget !== undefined;
  }

  /**
   * Answers where the event came from. Long text is split at the Tox limit;
   * resolves when the node has accepted every part, rejects with a `SendError`.
   * A rejection nobody awaits is logged instead of crashing the process.
   */
  reply(text: string, options: ReplyOptions = {}): Promise<SentMessage> {
    const target = this.replyTarget;
    if (target) return this.deps.outbox.send(target, text, options);
    const failed = Promise.reject(new SendError('NO_REPLY_TARGET', `a ${this.kind} event has nowhere to reply to`));
    failed.catch((err: unknown) => this.deps.log.debug('reply failed', { kind: this.kind, error: err }));
    return failed;
  }

  /** `reply(text, { type: 'action' })`. */
  replyAction(text: string): Promise<SentMessage> {
    return this.reply(text, { type: 'action' });
  }
}

type Field<E, K extends PropertyKey> = E extends { readonly [P in K]: infer V } ? V : undefined;
type PeerKey<P> = P extends PeerRef ? PublicKeyHex : undefined;
type SenderOf<E> = E extends { readonly kind: 'friend.request' }
  ? PublicKeyHex
  : E extends { readonly friend: FriendRef }
    ? PublicKeyHex
    : E extends { readonly peer: infer P }
      ? PeerKey<P>
      : undefined;

/** What a context looks like when its event is known to be `E`. */
export interface EventView<E extends BotEvent> {
  readonly event: E;
  readonly kind: E['kind'];
  readonly text: Field<E, 'text'>;
  readonly friend: Field<E, 'friend'>;
  readonly conference: Field<E, 'conference'>;
  readonly peer: Field<E, 'peer'>;
  readonly sender: SenderOf<E>;
}

/** `C` narrowed to events of the kinds `K`. */
export type ContextFor<C extends BotContext, K extends BotEventKind> = C & EventView<EventOf<K>>;
