/**
 * The bot-facing event vocabulary: one discriminated union `BotEvent` keyed by
 * `kind`, the key types its payloads use, and `BotEventBus`, the typed
 * eventemitter3 the node publishes into and the plugin host listens to.
 *
 * Naming: `kind` is `<subject>.<what>` or `<subject>.<object>.<what>`, all
 * lower case; `.` separates levels and `-` joins words inside one level
 * (`friend.status-message`). Subjects: `self`, `friend`, `conference`,
 * `runtime`. A prefix query `friend.*` matches every kind below `friend.`.
 *
 * Identity: friends and conference peers are keyed by their long-term public
 * key as 64 UPPER-CASE hex characters (`PublicKeyHex`), conferences by their
 * 32-byte id in the same form (`ConferenceId`). Strings compare with `===`,
 * work as Map keys and go into JSON stores, config and logs unchanged. The
 * local friend/peer/conference numbers are carried too, for convenience only:
 * they change across restarts and peer numbers change whenever someone leaves.
 */
import { EventEmitter } from 'eventemitter3';
import { InvalidArgumentError, toHex } from '../base/index.js';
import { parseToxId } from '../crypto/index.js';

declare const hexBrand: unique symbol;

/** A long-term public key as 64 upper-case hex characters. */
export type PublicKeyHex = string & { readonly [hexBrand]: 'PublicKeyHex' };
/** A conference id (32 bytes) as 64 upper-case hex characters. */
export type ConferenceId = string & { readonly [hexBrand]: 'ConferenceId' };

const HEX64 = /^[0-9A-Fa-f]{64}$/;
const HEX76 = /^[0-9A-Fa-f]{76}$/;

function hex32(value: string | Uint8Array, what: string): string {
  if (typeof value !== 'string') {
    if (!(value instanceof Uint8Array) || value.length !== 32) throw new InvalidArgumentError(`${what} must be 32 bytes`);
    return toHex(value, true);
  }
  if (!HEX64.test(value)) throw new InvalidArgumentError(`${what} must be 64 hexadecimal characters`, { got: value.length });
  return value.toUpperCase();
}

/** Normalises 32 bytes, 64 hex characters or a 76-character Tox ID (checksum checked) to a `PublicKeyHex`. */
export function publicKeyHex(value: string | Uint8Array): PublicKeyHex {
  if (typeof value === 'string' && HEX76.test(value)) return toHex(parseToxId(value).publicKey, true) as PublicKeyHex;
  return hex32(value, 'a public key') as PublicKeyHex;
}

/** Normalises 32 bytes or 64 hex characters to a `ConferenceId`. */
export function conferenceId(value: string | Uint8Array): ConferenceId {
  return hex32(value, 'a conference id') as ConferenceId;
}

export type ConnectionStatus = 'none' | 'tcp' | 'udp';
export type UserStatus = 'online' | 'away' | 'busy';
export type FileDirection = 'incoming' | 'outgoing';

/** A friend as events see it: the key is the identity, the number is local, the name is the current one. */
export interface FriendRef {
  readonly publicKey: PublicKeyHex;
  readonly number: number;
  readonly name: string;
}

export interface ConferenceRef {
  readonly id: ConferenceId;
  readonly number: number;
}

export interface PeerRef {
  readonly publicKey: PublicKeyHex;
  readonly number: number;
  readonly name: string;
  /** True for our own peer entry (c-toxcore echoes our own conference messages back). */
  readonly isSelf: boolean;
}

// ---------------------------------------------------------------- self

export interface SelfConnectionEvent {
  readonly kind: 'self.connection';
  readonly status: ConnectionStatus;
}

// ---------------------------------------------------------------- friends

/** Someone asked to become our friend; not a friend yet, so there is no number and no reply target. */
export interface FriendRequestEvent {
  readonly kind: 'friend.request';
  readonly publicKey: PublicKeyHex;
  readonly message: string;
}

export interface FriendOnlineEvent {
  readonly kind: 'friend.online';
  readonly friend: FriendRef;
  readonly transport: 'tcp' | 'udp';
}

export interface FriendOfflineEvent {
  readonly kind: 'friend.offline';
  readonly friend: FriendRef;
}

export interface FriendMessageEvent {
  readonly kind: 'friend.message';
  readonly friend: FriendRef;
  readonly text: string;
}

/** A `/me` message. */
export interface FriendActionEvent {
  readonly kind: 'friend.action';
  readonly friend: FriendRef;
  readonly text: string;
}

export interface FriendNameEvent {
  readonly kind: 'friend.name';
  readonly friend: FriendRef;
  readonly previousName: string;
}

export interface FriendStatusEvent {
  readonly kind: 'friend.status';
  readonly friend: FriendRef;
  readonly status: UserStatus;
}

export interface FriendStatusMessageEvent {
  readonly kind: 'friend.status-message';
  readonly friend: FriendRef;
  readonly statusMessage: string;
}

export interface FriendTypingEvent {
  readonly kind: 'friend.typing';
  readonly friend: FriendRef;
  readonly typing: boolean;
}

/** The friend confirmed a message we sent (the id the port returned for it). */
export interface FriendReceiptEvent {
  readonly kind: 'friend.receipt';
  readonly friend: FriendRef;
  readonly messageId: number;
}

export interface FileOfferEvent {
  readonly kind: 'friend.file.offer';
  readonly friend: FriendRef;
  readonly file: number;
  readonly fileType: 'data' | 'avatar';
  /** Undefined for streams of unknown length. */
  readonly size: number | undefined;
  readonly fileName: string;
}

export interface FileChunkEvent {
  readonly kind: 'friend.file.chunk';
  readonly friend: FriendRef;
  readonly file: number;
  readonly position: number;
  readonly data: Uint8Array;
}

export interface FileProgressEvent {
  readonly kind: 'friend.file.progress';
  readonly friend: FriendRef;
  readonly file: number;
  readonly direction: FileDirection;
  readonly transferred: number;
  readonly size: number | undefined;
}

export interface FileDoneEvent {
  readonly kind: 'friend.file.done';
  readonly friend: FriendRef;
  readonly file: number;
  readonly direction: FileDirection;
  readonly outcome: 'complete' | 'cancelled';
}

/** A lossless (160..191) or lossy (200..254) custom packet; `data` starts with the packet id. */
export interface CustomPacketEvent {
  readonly kind: 'friend.custom-packet';
  readonly friend: FriendRef;
  readonly lossless: boolean;
  readonly data: Uint8Array;
}

// ---------------------------------------------------------------- conferences

/** A friend invited us; join with `node.joinConference(friend, cookie)`. */
export interface ConferenceInviteEvent {
  readonly kind: 'conference.invite';
  readonly friend: FriendRef;
  readonly conferenceId: ConferenceId;
  readonly conferenceType: 'text' | 'av';
  readonly cookie: Uint8Array;
}

export interface ConferenceConnectedEvent {
  readonly kind: 'conference.connected';
  readonly conference: ConferenceRef;
}

export interface ConferenceMessageEvent {
  readonly kind: 'conference.message';
  readonly conference: ConferenceRef;
  readonly peer: PeerRef;
  readonly text: string;
}

export interface ConferenceActionEvent {
  readonly kind: 'conference.action';
  readonly conference: ConferenceRef;
  readonly peer: PeerRef;
  readonly text: string;
}

export interface ConferenceTitleEvent {
  readonly kind: 'conference.title';
  readonly conference: ConferenceRef;
  readonly title: string;
  /** Who set it; undefined when the title came with the peer list on joining. */
  readonly peer: PeerRef | undefined;
}

export interface ConferencePeerJoinEvent {
  readonly kind: 'conference.peer.join';
  readonly conference: ConferenceRef;
  readonly peer: PeerRef;
}

export interface ConferencePeerLeaveEvent {
  readonly kind: 'conference.peer.leave';
  readonly conference: ConferenceRef;
  readonly peer: PeerRef;
  /** `left`: the peer said so; `frozen`: it went quiet or we lost every connection to it. */
  readonly reason: 'left' | 'frozen';
}

export interface ConferencePeerRenameEvent {
  readonly kind: 'conference.peer.rename';
  readonly conference: ConferenceRef;
  readonly peer: PeerRef;
  readonly previousName: string;
}

// ---------------------------------------------------------------- runtime

/** Something failed: a protocol layer (`source: 'node'`) or a plugin (`source: 'plugin'`). */
export interface RuntimeErrorEvent {
  readonly kind: 'runtime.error';
  readonly source: 'node' | 'plugin';
  /** The plugin instance id when `source` is 'plugin'. */
  readonly plugin: string | undefined;
  readonly error: unknown;
  /** The kind of the event being handled when the failure happened, if any. */
  readonly during: BotEventKind | undefined;
}

export type BotEvent =
  | SelfConnectionEvent
  | FriendRequestEvent
  | FriendOnlineEvent
  | FriendOfflineEvent
  | FriendMessageEvent
  | FriendActionEvent
  | FriendNameEvent
  | FriendStatusEvent
  | FriendStatusMessageEvent
  | FriendTypingEvent
  | FriendReceiptEvent
  | FileOfferEvent
  | FileChunkEvent
  | FileProgressEvent
  | FileDoneEvent
  | CustomPacketEvent
  | ConferenceInviteEvent
  | ConferenceConnectedEvent
  | ConferenceMessageEvent
  | ConferenceActionEvent
  | ConferenceTitleEvent
  | ConferencePeerJoinEvent
  | ConferencePeerLeaveEvent
  | ConferencePeerRenameEvent
  | RuntimeErrorEvent;

export type BotEventKind = BotEvent['kind'];
export type EventOf<K extends BotEventKind> = Extract<BotEvent, { kind: K }>;

/** Every kind, for runtime checks and exhaustive tests. */
export const BOT_EVENT_KINDS = Object.freeze([
  'self.connection',
  'friend.request',
  'friend.online',
  'friend.offline',
  'friend.message',
  'friend.action',
  'friend.name',
  'friend.status',
  'friend.status-message',
  'friend.typing',
  'friend.receipt',
  'friend.file.offer',
  'friend.file.chunk',
  'friend.file.progress',
  'friend.file.done',
  'friend.custom-packet',
  'conference.invite',
  'conference.connected',
  'conference.message',
  'conference.action',
  'conference.title',
  'conference.peer.join',
  'conference.peer.leave',
  'conference.peer.rename',
  'runtime.error',
] as const satisfies readonly BotEventKind[]);

/** Listener signatures of the bus: one channel per kind plus `*` for every event. */
export type BotEventListeners = { [K in BotEventKind]: (event: EventOf<K>) => void } & { '*': (event: BotEvent) => void };

/** The node → runtime fan-out: `publish(event)` emits on the event's kind and on `*`. */
export class BotEventBus extends EventEmitter<BotEventListeners> {
  publish(event: BotEvent): void {
    (this.emit as (kind: string, event: BotEvent) => boolean)(event.kind, event);
    this.emit('*', event);
  }
}
