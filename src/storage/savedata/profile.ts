/**
 * The profile model: everything c-toxcore 0.2.18 keeps in its savedata, as
 * plain data. Text fields are raw bytes (names and messages are byte strings
 * in Tox and may hold invalid UTF-8 a peer sent us), so loading and saving a
 * profile never alters them. Limits are c-toxcore's.
 */
import type { DhtPublicKey, LongTermKeyPair, LongTermPublicKey } from '../../crypto/index.js';
import type { PackedNode } from '../../net/index.js';

export type UserStatus = 'online' | 'away' | 'busy';
/** Wire value = index (c-toxcore USERSTATUS_NONE/AWAY/BUSY). */
export const USER_STATUSES: readonly UserStatus[] = ['online', 'away', 'busy'];

/**
 * `added`: we will send a friend request; `requestSent`: it went out at least
 * once; `confirmed`: a mutual friend (c-toxcore saves "online" as confirmed).
 */
export type FriendStatus = 'added' | 'requestSent' | 'confirmed';
/** Wire value = index + 1. */
export const FRIEND_STATUSES: readonly FriendStatus[] = ['added', 'requestSent', 'confirmed'];

export type ConferenceType = 'text' | 'av';
/** Wire value = index. */
export const CONFERENCE_TYPES: readonly ConferenceType[] = ['text', 'av'];

export const MAX_NAME_LENGTH = 128;
export const MAX_STATUS_MESSAGE_LENGTH = 1007;
/** Size of the saved request buffer (c-toxcore itself sends at most 1016 bytes). */
export const MAX_SAVED_REQUEST_LENGTH = 1024;
export const MAX_CONFERENCE_TITLE_LENGTH = 128;
/** c-toxcore saves at most 8 TCP relays and 8 onion path nodes. */
export const MAX_SAVED_TCP_RELAYS = 8;
export const MAX_SAVED_PATH_NODES = 8;
/** Loaded nodes (≤ 2080) + close list (≤ 2048) + fake-friend lists (≤ 32): c-toxcore's worst case. */
export const MAX_SAVED_DHT_NODES = 4160;
/** Bounds that keep hostile files from asking for absurd allocations. */
export const MAX_SAVED_FRIENDS = 65536;
export const MAX_SAVED_CONFERENCES = 65535;
export const MAX_SAVED_CONFERENCE_PEERS = 65536;

/**
 * c-toxcore saves `message_number + 65536` and `lossy_message_number + 8192`
 * and resumes counting from the saved values, so numbers never repeat after a
 * reload. The model stores the SAVED values: after loading, continue from
 * them; when saving, store `current + offset` (mod 2^32 / 2^16).
 */
export const CONFERENCE_MESSAGE_NUMBER_SAVE_OFFSET = 65536;
export const CONFERENCE_LOSSY_MESSAGE_NUMBER_SAVE_OFFSET = 8192;

export interface SavedFriend {
  status: FriendStatus;
  publicKey: LongTermPublicKey;
  /** The request message we send (meaningful while not confirmed; at most 1024 bytes). */
  requestMessage: Uint8Array;
  /** Their name, status message and user status as last seen (meaningful when confirmed). */
  name: Uint8Array;
  statusMessage: Uint8Array;
  userStatus: UserStatus;
  /** The 4 raw nospam bytes of the Tox ID we add them by (meaningful while not confirmed). */
  nospam: Uint8Array;
  /** Unix seconds they were last online; 0 when never (meaningful when confirmed). */
  lastSeen: number;
}

export interface SavedConferencePeer {
  /** Long-term (real) key. */
  publicKey: LongTermPublicKey;
  /** The DHT ("temp") key the peer last used. */
  dhtPublicKey: DhtPublicKey;
  peerNumber: number;
  /** Unix seconds (c-toxcore's mono-time seconds) the peer was last active. */
  lastActive: number;
  name: Uint8Array;
}

export interface SavedConference {
  type: ConferenceType;
  /** The 32-byte conference id, the same on every member. */
  id: Uint8Array;
  /** Saved message number (see CONFERENCE_MESSAGE_NUMBER_SAVE_OFFSET). */
  messageNumber: number;
  /** Saved lossy message number (see CONFERENCE_LOSSY_MESSAGE_NUMBER_SAVE_OFFSET). */
  lossyMessageNumber: number;
  ourPeerNumber: number;
  title: Uint8Array;
  /** Every peer except ourselves; all are frozen (offline) after a load. */
  peers: SavedConferencePeer[];
}

export interface Profile {
  /** The 4 nospam bytes exactly as they appear in the Tox ID. */
  nospam: Uint8Array;
  keyPair: LongTermKeyPair;
  name: Uint8Array;
  statusMessage: Uint8Array;
  userStatus: UserStatus;
  friends: SavedFriend[];
  /** UDP nodes to bootstrap the DHT from. */
  dhtNodes: PackedNode[];
  /** TCP relays (TCP nodes) we were connected to. */
  tcpRelays: PackedNode[];
  /** UDP nodes for building onion paths. */
  pathNodes: PackedNode[];
  conferences: SavedConference[];
}

/** Everything of a profile but its identity, as a fresh profile (or a file without those sections) has it. */
export function emptyProfileContent(): Omit<Profile, 'nospam' | 'keyPair'> {
  return {
    name: new Uint8Array(0),
    statusMessage: new Uint8Array(0),
    userStatus: 'online',
    friends: [],
    dhtNodes: [],
    tcpRelays: [],
    pathNodes: [],
    conferences: [],
  };
}
