/**
 * Every conference packet and group-message payload of c-toxcore 0.2.18
 * (tox-protocol.md §8.4), declared once and registered in `conferenceCodecs`.
 * All integers are big endian. Group numbers in packets 98, 99 and 199 are the
 * RECEIVER's; in 96 and 97 each side states its own. Type bytes stay raw u8
 * here: the engine decides which values it takes.
 */
import {
  PacketRegistry,
  array,
  boundedUint,
  bytes,
  mapped,
  rest,
  struct,
  u16be,
  u32be,
  u8,
  union,
  varBytes,
  type Codec,
  type Infer,
} from '../../binary/index.js';
import type { DhtPublicKey, LongTermPublicKey } from '../../crypto/index.js';
import {
  DIRECT_PEER_INTRODUCED,
  DIRECT_PEER_QUERY,
  DIRECT_PEER_RESPONSE,
  DIRECT_TITLE_RESPONSE,
  GROUP_ID_SIZE,
  INVITE_KIND_ACCEPT,
  INVITE_KIND_INVITE,
  INVITE_KIND_MEMBER,
  MAX_LOSSY_DATA_LENGTH,
  MAX_MESSAGE_DATA_LENGTH,
  MAX_NAME_LENGTH,
  MAX_PEERS_PER_RESPONSE,
  MAX_TITLE_LENGTH,
  PACKET_ID_DIRECT,
  PACKET_ID_INVITE,
  PACKET_ID_LOSSY,
  PACKET_ID_MESSAGE,
  PACKET_ID_ONLINE,
  PACKET_ID_REJOIN,
} from '../constants.js';

export const conferenceCodecs = new PacketRegistry('conference');

const longTermKey = bytes(32) as Codec<LongTermPublicKey>;
const dhtKey = bytes(32) as Codec<DhtPublicKey>;
const groupId = bytes(GROUP_ID_SIZE);

/** Between `min` and `max` bytes filling the rest of the packet. */
function boundedRest(min: number, max: number): Codec<Uint8Array> {
  return mapped(
    rest(max),
    (value, fail) => (value.length < min ? fail(`${value.length} bytes, at least ${min} needed`) : value),
    (value) => value,
  );
}

// ---------------------------------------------------------------- Messenger packet 96

/**
 * `[96][0][u16 inviter's group][1 type][32 id]` — an invitation; the 35 bytes
 * after the kind are the cookie `join` takes.
 * `[96][1][u16 joiner's new group][u16 inviter's group][1 type][32 id]` — accepted.
 * `[96][2][u16 joiner's group][u16 inviter's group][1 type][32 id][u16 joiner's peer no]`
 * — the invitee already is a member and keeps its peer number.
 */
export const InvitePacket = conferenceCodecs.define(
  'Invite',
  union('kind', u8, {
    [INVITE_KIND_INVITE]: struct({ inviterGroupNumber: u16be, type: u8, id: groupId }),
    [INVITE_KIND_ACCEPT]: struct({ joinerGroupNumber: u16be, inviterGroupNumber: u16be, type: u8, id: groupId }),
    [INVITE_KIND_MEMBER]: struct({ joinerGroupNumber: u16be, inviterGroupNumber: u16be, type: u8, id: groupId, peerNumber: u16be }),
  }),
  { id: PACKET_ID_INVITE },
);
export type InvitePacket = Infer<typeof InvitePacket.codec>;

/** The cookie of an invite: `[u16 inviter's group][1 type][32 id]`. */
export const InviteCookie = conferenceCodecs.define('InviteCookie', struct({ inviterGroupNumber: u16be, type: u8, id: groupId }));
export type InviteCookie = Infer<typeof InviteCookie.codec>;

// ---------------------------------------------------------------- friend-connection packets

/** `[97][u16 sender's group][1 type][32 id]` — the sender has this conference online with us. */
export const OnlinePacket = conferenceCodecs.define('Online', struct({ groupNumber: u16be, type: u8, id: groupId }), { id: PACKET_ID_ONLINE });
export type OnlinePacket = Infer<typeof OnlinePacket.codec>;

/** One peer of a peer response. */
const peerEntry = struct({
  peerNumber: u16be,
  publicKey: longTermKey,
  dhtPublicKey: dhtKey,
  name: varBytes(boundedUint(1, MAX_NAME_LENGTH), MAX_NAME_LENGTH),
});
export type PeerEntry = Infer<typeof peerEntry>;

/**
 * `[98][u16 receiver's group][sub-id]…`: peer introduced (1), peer query (8),
 * peer response (9, repeated peer entries) and title response (10, 1..128 bytes).
 */
export const DirectPacket = conferenceCodecs.define(
  'Direct',
  struct({
    groupNumber: u16be,
    body: union('kind', u8, {
      [DIRECT_PEER_INTRODUCED]: struct({}),
      [DIRECT_PEER_QUERY]: struct({}),
      [DIRECT_PEER_RESPONSE]: struct({ peers: array(peerEntry, { rest: true, max: MAX_PEERS_PER_RESPONSE }) }),
      [DIRECT_TITLE_RESPONSE]: struct({ title: boundedRest(1, MAX_TITLE_LENGTH) }),
    }),
  }),
  { id: PACKET_ID_DIRECT },
);
export type DirectPacket = Infer<typeof DirectPacket.codec>;
export type DirectBody = DirectPacket['body'];

/** `[99][u16 receiver's group][u16 origin peer][u32 message no][1 message id][data]`, relayed unchanged but for the group. */
export const MessagePacket = conferenceCodecs.define(
  'Message',
  struct({ groupNumber: u16be, peerNumber: u16be, messageNumber: u32be, messageId: u8, data: rest(MAX_MESSAGE_DATA_LENGTH) }),
  { id: PACKET_ID_MESSAGE },
);
export type MessagePacket = Infer<typeof MessagePacket.codec>;

/** `[100][1 type][32 id]` — we were frozen in this conference and are back. */
export const RejoinPacket = conferenceCodecs.define('Rejoin', struct({ type: u8, id: groupId }), { id: PACKET_ID_REJOIN });
export type RejoinPacket = Infer<typeof RejoinPacket.codec>;

/** `[199][u16 receiver's group][u16 origin peer][u16 lossy no][1 lossy id][data]` (AV conferences). */
export const LossyPacket = conferenceCodecs.define(
  'Lossy',
  struct({ groupNumber: u16be, peerNumber: u16be, lossyNumber: u16be, lossyId: u8, data: rest(MAX_LOSSY_DATA_LENGTH) }),
  { id: PACKET_ID_LOSSY },
);
export type LossyPacket = Infer<typeof LossyPacket.codec>;

// ---------------------------------------------------------------- group-message payloads (the data of packet 99)

/** New peer (16): `[u16 peer no][32 real pk][32 DHT pk]`. */
export const NewPeerMessage = conferenceCodecs.define('NewPeerMessage', struct({ peerNumber: u16be, publicKey: longTermKey, dhtPublicKey: dhtKey }));
/** Kill peer (17) and freeze peer (18): `[u16 peer no]`, honoured only when it is the origin's own. */
export const LeavingPeerMessage = conferenceCodecs.define('LeavingPeerMessage', struct({ peerNumber: u16be }));
/** Name (48): 0..128 bytes. */
export const NameMessage = conferenceCodecs.define('NameMessage', rest(MAX_NAME_LENGTH));
/** Title (49): 1..128 bytes. */
export const TitleMessage = conferenceCodecs.define('TitleMessage', boundedRest(1, MAX_TITLE_LENGTH));
/** Text message (64) and action (65): at least one byte. */
export const TextMessage = conferenceCodecs.define('TextMessage', boundedRest(1, MAX_MESSAGE_DATA_LENGTH));
