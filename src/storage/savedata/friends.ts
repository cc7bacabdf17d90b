/**
 * The 2216-byte FRIENDS record of c-toxcore 0.2.18 (x86 layout, fixed offsets):
 *
 * | off  | size | field                                             |
 * | 0    | 1    | status 1 added, 2 request sent, 3 confirmed       |
 * | 1    | 32   | real public key                                   |
 * | 33   | 1024 | request message buffer                            |
 * | 1057 | 1    | padding                                           |
 * | 1058 | 2    | request message length, u16 BE                    |
 * | 1060 | 128  | name buffer                                       |
 * | 1188 | 2    | name length, u16 BE                               |
 * | 1190 | 1007 | status message buffer                             |
 * | 2197 | 1    | padding                                           |
 * | 2198 | 2    | status message length, u16 BE                     |
 * | 2200 | 1    | user status                                       |
 * | 2201 | 3    | padding                                           |
 * | 2204 | 4    | nospam (raw Tox ID bytes)                         |
 * | 2208 | 8    | last seen, u64 BE unix seconds                    |
 *
 * Like c-toxcore, the decoder ignores padding and buffer bytes past each
 * length, so two files that differ only there decode to the same friend
 * (the codec is registered `nonCanonical`); the encoder writes zeros.
 */
import { array, boundedUint, bytes, mapped, struct, type Codec } from '../../binary/index.js';
import type { LongTermPublicKey } from '../../crypto/index.js';
import { indexOf, padTo, secondsU64, userStatusCodec } from './fields.js';
import {
  FRIEND_STATUSES,
  MAX_NAME_LENGTH,
  MAX_SAVED_FRIENDS,
  MAX_SAVED_REQUEST_LENGTH,
  MAX_STATUS_MESSAGE_LENGTH,
  type FriendStatus,
  type SavedFriend,
} from './profile.js';

export const FRIEND_RECORD_SIZE = 2216;

const friendStatusCodec: Codec<FriendStatus> = mapped(
  boundedUint(1, FRIEND_STATUSES.length),
  (value, fail) => FRIEND_STATUSES[value - 1] ?? fail('friend status 0 marks an empty slot, which c-toxcore never saves'),
  (status) => indexOf(FRIEND_STATUSES, status, 'friend status') + 1,
);

const rawFriendRecord = struct({
  status: friendStatusCodec,
  publicKey: bytes(32),
  requestBuffer: bytes(MAX_SAVED_REQUEST_LENGTH),
  padding1: bytes(1),
  requestLength: boundedUint(2, MAX_SAVED_REQUEST_LENGTH),
  nameBuffer: bytes(MAX_NAME_LENGTH),
  nameLength: boundedUint(2, MAX_NAME_LENGTH),
  statusMessageBuffer: bytes(MAX_STATUS_MESSAGE_LENGTH),
  padding2: bytes(1),
  statusMessageLength: boundedUint(2, MAX_STATUS_MESSAGE_LENGTH),
  userStatus: userStatusCodec,
  padding3: bytes(3),
  nospam: bytes(4),
  lastSeen: secondsU64(false),
});

export const friendRecord: Codec<SavedFriend> = mapped(
  rawFriendRecord,
  (raw): SavedFriend => ({
    status: raw.status,
    publicKey: raw.publicKey as LongTermPublicKey,
    requestMessage: raw.requestBuffer.slice(0, raw.requestLength),
    name: raw.nameBuffer.slice(0, raw.nameLength),
    statusMessage: raw.statusMessageBuffer.slice(0, raw.statusMessageLength),
    userStatus: raw.userStatus,
    nospam: raw.nospam,
    lastSeen: raw.lastSeen,
  }),
  (friend) => ({
    status: friend.status,
    publicKey: friend.publicKey,
    requestBuffer: padTo(friend.requestMessage, MAX_SAVED_REQUEST_LENGTH, 'friend request message'),
    padding1: new Uint8Array(1),
    requestLength: friend.requestMessage.length,
    nameBuffer: padTo(friend.name, MAX_NAME_LENGTH, 'friend name'),
    nameLength: friend.name.length,
    statusMessageBuffer: padTo(friend.statusMessage, MAX_STATUS_MESSAGE_LENGTH, 'friend status message'),
    padding2: new Uint8Array(1),
    statusMessageLength: friend.statusMessage.length,
    userStatus: friend.userStatus,
    padding3: new Uint8Array(3),
    nospam: friend.nospam,
    lastSeen: friend.lastSeen,
  }),
);

/** FRIENDS section body: records back to back. */
export const friendList: Codec<SavedFriend[]> = array(friendRecord, { rest: true, max: MAX_SAVED_FRIENDS });
