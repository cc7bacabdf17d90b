/**
 * Every onion wire format (tox-protocol.md §4, §4.8), declared once and collected
 * in `onionCodecs`: the three request layers and their decrypted contents, return
 * blobs, responses, node D's announce and data packets, the inner onion data and
 * the DHT-PK and friend-request payloads. Sizes follow c-toxcore's checks exactly;
 * encryption happens in the engines, these codecs only frame bytes.
 */
import { PacketRegistry, array, boundedUint, bytes, struct, u64be, u8, type Infer } from '../../binary/index.js';
import { MAC_SIZE, NONCE_SIZE, NOSPAM_SIZE, PUBLIC_KEY_SIZE } from '../../crypto/index.js';
import { packedNode, packedUdpNode } from '../../net/index.js';
import {
  DATA_REQUEST_MIN_SIZE,
  MAX_SENT_NODES,
  ONION_CLIENT_MAX_DATA_SIZE,
  ONION_DATA_KIND,
  ONION_MAX_DATA_SIZE,
  ONION_MAX_PACKET_SIZE,
  ONION_PACKET_ID as ID,
  ONION_RESPONSE_MAX_DATA_SIZE,
  PING_ID_SIZE,
  RETURN_1,
  RETURN_2,
  RETURN_3,
  SEND_1,
  SEND_2,
  SEND_3,
  SENDBACK_SIZE,
} from '../constants.js';
import { boundedRest, onionIpPort, returnAddress, sealedWithReturn } from './fields.js';

export const onionCodecs = new PacketRegistry('onion');

const key = bytes(PUBLIC_KEY_SIZE);
const nonce = bytes(NONCE_SIZE);
const MAX_PACKED_NODE_SIZE = 1 + 16 + 2 + PUBLIC_KEY_SIZE;

// ---------------------------------------------------------------- forward path

/** 0x80 us→A: [24 nonce][32 sender DHT pk][sealed layer A]; 227..1400 bytes. */
export const OnionRequest0 = onionCodecs.define(
  'OnionRequest0',
  struct({ nonce, senderPk: key, sealed: boundedRest(SEND_1 + 1 - NONCE_SIZE - PUBLIC_KEY_SIZE, ONION_MAX_PACKET_SIZE - 1 - NONCE_SIZE - PUBLIC_KEY_SIZE) }),
  { id: ID.request0 },
);
/** 0x81 A→B: [24 nonce][32 PK1][sealed layer B][RETURN_1]; 219..1400 bytes. */
export const OnionRequest1 = onionCodecs.define(
  'OnionRequest1',
  struct({ nonce, publicKey: key, body: sealedWithReturn(RETURN_1, SEND_2 + 1 - NONCE_SIZE - PUBLIC_KEY_SIZE - RETURN_1, ONION_MAX_PACKET_SIZE - 1 - NONCE_SIZE - PUBLIC_KEY_SIZE - RETURN_1) }),
  { id: ID.request1 },
);
/** 0x82 B→C: [24 nonce][32 PK2][sealed layer C][RETURN_2]; 211..1400 bytes. */
export const OnionRequest2 = onionCodecs.define(
  'OnionRequest2',
  struct({ nonce, publicKey: key, body: sealedWithReturn(RETURN_2, SEND_3 + 1 - NONCE_SIZE - PUBLIC_KEY_SIZE - RETURN_2, ONION_MAX_PACKET_SIZE - 1 - NONCE_SIZE - PUBLIC_KEY_SIZE - RETURN_2) }),
  { id: ID.request2 },
);
/** What A and B decrypt: [IPP19 next hop][32 next layer's pk][sealed next layer]. */
export const OnionHopLayer = onionCodecs.define(
  'OnionHopLayer',
  struct({ nextHop: onionIpPort, publicKey: key, sealed: boundedRest(MAC_SIZE + 1, ONION_MAX_PACKET_SIZE) }),
);
/** What C decrypts: [IPP19 destination D][payload for D, first byte its packet id]. */
export const OnionExitLayer = onionCodecs.define('OnionExitLayer', struct({ destination: onionIpPort, payload: boundedRest(1, ONION_MAX_PACKET_SIZE) }));

// ---------------------------------------------------------------- return path

/** A sealed return blob: [24 nonce][secretbox(plain)]. */
export const ReturnBlob1 = onionCodecs.define('ReturnBlob1', struct({ nonce, sealed: bytes(RETURN_1 - NONCE_SIZE) }));
export const ReturnBlob2 = onionCodecs.define('ReturnBlob2', struct({ nonce, sealed: bytes(RETURN_2 - NONCE_SIZE) }));
export const ReturnBlob3 = onionCodecs.define('ReturnBlob3', struct({ nonce, sealed: bytes(RETURN_3 - NONCE_SIZE) }));
/** A's blob content: where the request came from (a UDP sender or a TCP relay client). */
export const ReturnPlain1 = onionCodecs.define('ReturnPlain1', struct({ from: returnAddress }));
/** B's and C's blob contents: the previous hop and the previous blob. */
export const ReturnPlain2 = onionCodecs.define('ReturnPlain2', struct({ from: onionIpPort, inner: bytes(RETURN_1) }));
export const ReturnPlain3 = onionCodecs.define('ReturnPlain3', struct({ from: onionIpPort, inner: bytes(RETURN_2) }));

const responsePayload = boundedRest(1, ONION_RESPONSE_MAX_DATA_SIZE);
/** 0x8C D→C: [RETURN_3][payload]. */
export const OnionResponse3 = onionCodecs.define('OnionResponse3', struct({ returnPath: bytes(RETURN_3), payload: responsePayload }), { id: ID.response3 });
/** 0x8D C→B: [RETURN_2][payload]. */
export const OnionResponse2 = onionCodecs.define('OnionResponse2', struct({ returnPath: bytes(RETURN_2), payload: responsePayload }), { id: ID.response2 });
/** 0x8E B→A: [RETURN_1][payload]. */
export const OnionResponse1 = onionCodecs.define('OnionResponse1', struct({ returnPath: bytes(RETURN_1), payload: responsePayload }), { id: ID.response1 });

// ---------------------------------------------------------------- node D

const ANNOUNCE_PLAIN_SIZE = PING_ID_SIZE + 2 * PUBLIC_KEY_SIZE + SENDBACK_SIZE;
const announceFields = { nonce, senderPk: key, sealed: bytes(ANNOUNCE_PLAIN_SIZE + MAC_SIZE) };
/** 0x83 as the client builds it: [24 nonce][32 sender S][sealed plain]; exactly 177 bytes. */
export const AnnounceRequest = onionCodecs.define('AnnounceRequest', struct(announceFields), { id: ID.announceRequest });
/** 0x83 as node D receives it: the 177 bytes followed by RETURN_3 (354 bytes). */
export const AnnounceRequestAtNode = onionCodecs.define('AnnounceRequestAtNode', struct({ ...announceFields, returnPath: bytes(RETURN_3) }), {
  id: ID.announceRequest,
});
/** 0x87 (newer clients) as node D receives it without extra data: same layout, 354 bytes. */
export const AnnounceRequestNewAtNode = onionCodecs.define('AnnounceRequestNewAtNode', struct({ ...announceFields, returnPath: bytes(RETURN_3) }), {
  id: ID.announceRequestNew,
});
/** Announce plaintext: [32 ping id][32 searched real pk][32 data pk][8 sendback]. */
export const AnnounceRequestPlain = onionCodecs.define(
  'AnnounceRequestPlain',
  struct({ pingId: bytes(PING_ID_SIZE), searchedPk: key, dataPk: key, sendback: bytes(SENDBACK_SIZE) }),
);

const RESPONSE_PLAIN_MIN = 1 + PING_ID_SIZE;
const responseEnvelope = (extra: number) => ({
  sendback: bytes(SENDBACK_SIZE),
  nonce,
  sealed: boundedRest(RESPONSE_PLAIN_MIN + MAC_SIZE, RESPONSE_PLAIN_MIN + extra + MAX_SENT_NODES * MAX_PACKED_NODE_SIZE + MAC_SIZE),
});
/** 0x84: [8 sendback][24 nonce][sealed AnnounceResponsePlain]; 82..286 bytes. */
export const AnnounceResponse = onionCodecs.define('AnnounceResponse', struct(responseEnvelope(0)), { id: ID.announceResponse });
/** 0x88: as 0x84 with a node count byte in the plaintext. */
export const AnnounceResponseNew = onionCodecs.define('AnnounceResponseNew', struct(responseEnvelope(1)), { id: ID.announceResponseNew });
/** 0x84 plaintext: [1 is_stored 0..2][32 ping id or data pk][0..4 UDP PNODEs, no count]. */
export const AnnounceResponsePlain = onionCodecs.define(
  'AnnounceResponsePlain',
  struct({ isStored: boundedUint(1, 2), pingIdOrKey: bytes(PING_ID_SIZE), nodes: array(packedUdpNode, { rest: true, max: MAX_SENT_NODES }) }),
);
/** 0x88 plaintext: [1 is_stored][32 ping id or data pk][1 count][PNODEs]. */
export const AnnounceResponseNewPlain = onionCodecs.define(
  'AnnounceResponseNewPlain',
  struct({ isStored: boundedUint(1, 2), pingIdOrKey: bytes(PING_ID_SIZE), nodes: array(packedUdpNode, { prefix: u8, max: MAX_SENT_NODES }) }),
);

const dataSealed = boundedRest(MAC_SIZE + 1, ONION_MAX_DATA_SIZE - (DATA_REQUEST_MIN_SIZE - MAC_SIZE));
/** 0x85 as the sender builds it: [32 destination real pk][24 nonce][32 temporary pk][sealed inner]. */
export const DataRequest = onionCodecs.define('DataRequest', struct({ destinationPk: key, nonce, temporaryPk: key, sealed: dataSealed }), {
  id: ID.dataRequest,
});
/** 0x85 as node D receives it: followed by RETURN_3. */
export const DataRequestAtNode = onionCodecs.define(
  'DataRequestAtNode',
  struct({ destinationPk: key, nonce, temporaryPk: key, body: sealedWithReturn(RETURN_3, MAC_SIZE + 1, ONION_MAX_PACKET_SIZE - DATA_REQUEST_MIN_SIZE + MAC_SIZE - RETURN_3) }),
  { id: ID.dataRequest },
);
/** 0x86 D→destination: [24 nonce][32 temporary pk][sealed inner], i.e. the request minus the destination. */
export const DataResponse = onionCodecs.define(
  'DataResponse',
  struct({ nonce, temporaryPk: key, sealed: boundedRest(PUBLIC_KEY_SIZE + 2 * MAC_SIZE + 1, ONION_MAX_DATA_SIZE - 1 - NONCE_SIZE - PUBLIC_KEY_SIZE) }),
  { id: ID.dataResponse },
);

// ---------------------------------------------------------------- what friends exchange

/** Decrypted 0x86 content: [32 sender real pk][sealed InnerPlain] (same nonce). */
export const InnerData = onionCodecs.define('InnerData', struct({ senderPk: key, sealed: boundedRest(MAC_SIZE + 1, ONION_CLIENT_MAX_DATA_SIZE + MAC_SIZE) }));
/** [1 kind][data]: 0x20 friend request, 0x9C DHT-PK. */
export const InnerPlain = onionCodecs.define('InnerPlain', struct({ kind: u8, data: boundedRest(0, ONION_CLIENT_MAX_DATA_SIZE - 1) }));

/** DHT-PK plaintext: [0x9C][8 no_replay BE][32 DHT pk][0..4 PNODEs, TCP relays first]. */
export const DhtPkPayload = onionCodecs.define(
  'DhtPkPayload',
  struct({ noReplay: u64be, dhtPk: key, nodes: array(packedNode, { rest: true, max: MAX_SENT_NODES }) }),
  { id: ONION_DATA_KIND.dhtPk },
);
const DHTPK_MIN = 1 + 8 + PUBLIC_KEY_SIZE;
/** Routed (0x20, kind 0x9C) DHT-PK after the kind byte: [32 sender real pk][24 nonce][sealed DhtPkPayload]. */
export const DhtPkRouted = onionCodecs.define(
  'DhtPkRouted',
  struct({ senderPk: key, nonce, sealed: boundedRest(DHTPK_MIN + MAC_SIZE, DHTPK_MIN + MAX_SENT_NODES * MAX_PACKED_NODE_SIZE + MAC_SIZE) }),
);
/** Friend request through the onion: [0x20][4 nospam][1..1016 message bytes]. */
export const FriendRequestPayload = onionCodecs.define(
  'FriendRequestPayload',
  struct({ nospam: bytes(NOSPAM_SIZE), message: boundedRest(1, ONION_CLIENT_MAX_DATA_SIZE - 1 - NOSPAM_SIZE) }),
  { id: ONION_DATA_KIND.friendRequest },
);

export type OnionHopLayerValue = Infer<typeof OnionHopLayer.codec>;
export type AnnounceResponsePlainValue = Infer<typeof AnnounceResponsePlain.codec>;
export type DhtPkPayloadValue = Infer<typeof DhtPkPayload.codec>;
