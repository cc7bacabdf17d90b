/**
 * `BotNodeApi`: what a bot may ask of its Tox node. The runtime core and the
 * plugins depend only on this port; the node composition root implements it
 * over Messenger and conferences, and tests use `MemoryBotNode`.
 *
 * Queries are synchronous (the node keeps this state in memory); actions
 * return promises. Sends report "try again later" as a result rather than an
 * exception, so the outbox can apply backpressure; everything else a node
 * refuses is thrown as a `ToxError` with a stable code.
 */
import type {
  ConferenceId, ConferenceRef, ConnectionStatus, FriendRef, PeerRef, PublicKeyHex, UserStatus,
} from '../events.js';

/** Message length limits in UTF-8 bytes (tox-protocol.md §13, c-toxcore group.c). */
export const TOX_LIMITS = Object.freeze({
  /** Friend messages and actions (TOX_MAX_MESSAGE_LENGTH). */
  friendMessage: 1372,
  /** Conference messages and actions: a 1373-byte crypto payload minus the 10-byte group header (MAX_GROUP_MESSAGE_DATA_LEN). */
  conferenceMessage: 1363,
  name: 128,
  statusMessage: 1007,
  conferenceTitle: 128,
  friendRequestMessage: 1016,
} as const);

export type MessageType = 'normal' | 'action';

export type SendFailure =
  /** The node's send queue for this destination is full: retry later. */
  | 'queue-full'
  /** The friend is offline, or the conference has no connected peers. */
  | 'not-connected'
  /** No such friend or conference. */
  | 'not-found'
  /** Longer than the node accepts. */
  | 'too-long'
  | 'failed';

export type SendResult =
  | { readonly ok: true; /** Friend messages: the id a later `friend.receipt` event carries. */ readonly messageId?: number }
  | { readonly ok: false; readonly reason: SendFailure; readonly detail?: string };

export interface SelfInfo {
  readonly publicKey: PublicKeyHex;
  /** 76 upper-case hex characters (key, nospam, checksum). */
  readonly toxId: string;
  readonly name: string;
  readonly statusMessage: string;
  readonly status: UserStatus;
  readonly connection: ConnectionStatus;
}

export interface FriendInfo extends FriendRef {
  readonly statusMessage: string;
  readonly status: UserStatus;
  readonly connection: ConnectionStatus;
}

export interface ConferenceInfo extends ConferenceRef {
  readonly type: 'text' | 'av';
  readonly title: string;
  readonly connected: boolean;
}

export interface BotNodeApi {
  // -- ourselves
  self(): SelfInfo;
  setName(name: string): Promise<void>;
  setStatusMessage(statusMessage: string): Promise<void>;
  setStatus(status: UserStatus): Promise<void>;

  // -- friends
  friends(): readonly FriendInfo[];
  friend(publicKey: PublicKeyHex): FriendInfo | undefined;
  /** Adds the sender of a friend request as a friend. */
  acceptFriendRequest(publicKey: PublicKeyHex): Promise<FriendRef>;
  /** Sends a friend request to a Tox ID. */
  addFriend(toxId: string, message: string): Promise<FriendRef>;
  deleteFriend(publicKey: PublicKeyHex): Promise<void>;
  /** One message of at most `TOX_LIMITS.friendMessage` bytes. */
  sendFriendMessage(publicKey: PublicKeyHex, text: string, type: MessageType): Promise<SendResult>;

  // -- conferences
  conferences(): readonly ConferenceInfo[];
  conference(id: ConferenceId): ConferenceInfo | undefined;
  peers(id: ConferenceId): readonly PeerRef[];
  createConference(): Promise<ConferenceRef>;
  /** Accepts an invite (`conference.invite` gives the friend and the cookie). */
  joinConference(friend: PublicKeyHex, cookie: Uint8Array): Promise<ConferenceRef>;
  leaveConference(id: ConferenceId): Promise<void>;
  inviteToConference(friend: PublicKeyHex, id: ConferenceId): Promise<void>;
  setConferenceTitle(id: ConferenceId, title: string): Promise<void>;
  /** One message of at most `TOX_LIMITS.conferenceMessage` bytes. */
  sendConferenceMessage(id: ConferenceId, text: string, type: MessageType): Promise<SendResult>;
}
