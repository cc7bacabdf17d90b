/**
 * The typed events of the conference manager. Peers are named by public key;
 * `peerNumber` is the conference-wide u16 number peers use on the wire (not
 * c-toxcore's list index, which churns). Names and titles are raw bytes, as
 * Tox carries them; messages come both as raw bytes and as text decoded as
 * UTF-8 (invalid sequences replaced). Peer join/leave/rename are diffs of the
 * published peer list, so renumbering never produces them, and our own
 * messages echoed back by the relay mesh are never dispatched.
 */
import type { LongTermPublicKey } from '../crypto/index.js';
import type { ConferenceType } from './persistence.js';

export interface ConferencePeerInfo {
  readonly publicKey: LongTermPublicKey;
  readonly peerNumber: number;
  readonly name: Uint8Array;
}

export interface ConferenceInviteEvent {
  readonly friend: LongTermPublicKey;
  readonly type: ConferenceType;
  /** The 35 bytes `join` takes. */
  readonly cookie: Uint8Array;
}

export interface ConferenceConnectedEvent {
  readonly conference: number;
}

export interface ConferenceMessageEvent {
  readonly conference: number;
  readonly peer: ConferencePeerInfo;
  readonly text: string;
  readonly bytes: Uint8Array;
}

export interface ConferenceTitleEvent {
  readonly conference: number;
  readonly title: Uint8Array;
  /** Who set it; undefined when it came with a peer list (the title of the conference we joined). */
  readonly by: ConferencePeerInfo | undefined;
}

export interface ConferencePeerJoinEvent {
  readonly conference: number;
  readonly peer: ConferencePeerInfo;
}

export interface ConferencePeerLeaveEvent {
  readonly conference: number;
  readonly peer: ConferencePeerInfo;
  /** `left`: it said so (kill peer); `frozen`: it went quiet, froze itself, or we lost every connection. */
  readonly reason: 'left' | 'frozen';
}

export interface ConferencePeerRenameEvent {
  readonly conference: number;
  readonly peer: ConferencePeerInfo;
  readonly previousName: Uint8Array;
}

export interface ConferencePeerListChangedEvent {
  readonly conference: number;
}

export interface ConferenceLossyEvent {
  readonly conference: number;
  readonly peer: ConferencePeerInfo;
  /** The lossy id byte (192 = audio); `data` follows it untouched. */
  readonly id: number;
  readonly data: Uint8Array;
}

export interface ConferenceEvents {
  invite: (event: ConferenceInviteEvent) => void;
  /** We found ourselves in the peer list: joined, and able to send. */
  connected: (event: ConferenceConnectedEvent) => void;
  message: (event: ConferenceMessageEvent) => void;
  action: (event: ConferenceMessageEvent) => void;
  title: (event: ConferenceTitleEvent) => void;
  peerJoin: (event: ConferencePeerJoinEvent) => void;
  peerLeave: (event: ConferencePeerLeaveEvent) => void;
  peerRename: (event: ConferencePeerRenameEvent) => void;
  /** After any joins and leaves of one step. */
  peerListChanged: (event: ConferencePeerListChangedEvent) => void;
  lossy: (event: ConferenceLossyEvent) => void;
}
