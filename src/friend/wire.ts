/**
 * friend_connection's packets (tox-protocol.md §7.1, §7.2), declared once in
 * `friendCodecs`: ALIVE, SHARE_RELAYS (up to 3 packed nodes; only TCP ones
 * are used) and a friend request over an existing connection (0x12). The
 * request body `[4 nospam][1..1016 message]` is shared with the onion
 * friend request (onion data kind 0x20), which the onion layer frames.
 */
import { bytes, mapped, PacketRegistry, rest, struct, type Codec, type Infer } from '../binary/index.js';
import { packedNode, packedNodeList } from '../net/index.js';
import { FRIEND_PACKET_ID, MAX_FRIEND_REQUEST_MESSAGE, MAX_SHARED_RELAYS, NOSPAM_SIZE } from './constants.js';

export const friendCodecs = new PacketRegistry('friend');

function boundedRest(min: number, max: number): Codec<Uint8Array> {
  return mapped(
    rest(max),
    (value, fail) => (value.length < min ? fail(`${value.length} bytes, at least ${min} needed`) : value),
    (value) => value,
  );
}

/** ALIVE (0x10): the id alone. */
export const Alive = friendCodecs.define('Alive', struct({}), { id: FRIEND_PACKET_ID.alive });

/** SHARE_RELAYS (0x11): 0..3 packed nodes. */
export const ShareRelays = friendCodecs.define('ShareRelays', struct({ nodes: packedNodeList(packedNode, MAX_SHARED_RELAYS) }), {
  id: FRIEND_PACKET_ID.shareRelays,
});

/** A friend request's body, as both transports carry it: `[4 nospam][1..1016 message]`. */
export const FriendRequestBody = friendCodecs.define(
  'FriendRequestBody',
  struct({ nospam: bytes(NOSPAM_SIZE), message: boundedRest(1, MAX_FRIEND_REQUEST_MESSAGE) }),
);

/** A friend request over an existing friend connection (0x12, c-toxcore's conference peers use it). */
export const DirectFriendRequest = friendCodecs.define(
  'DirectFriendRequest',
  struct({ nospam: bytes(NOSPAM_SIZE), message: boundedRest(1, MAX_FRIEND_REQUEST_MESSAGE) }),
  { id: FRIEND_PACKET_ID.friendRequest },
);

export type FriendRequestBodyValue = Infer<typeof FriendRequestBody.codec>;
