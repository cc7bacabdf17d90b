/**
 * Every plaintext packet of the TCP relay protocol (seed 002, tox-protocol.md
 * §6.3, §4.9), declared once and collected with the handshake and frame formats
 * in `tcpCodecs`. Sizes are exact as c-toxcore requires; which side may send
 * which packet, and what a bad one costs, is the client's and server's business.
 */
import { PacketRegistry, bytes, struct, u64be, u8, type Infer } from '../../binary/index.js';
import { MAC_SIZE, NONCE_SIZE, PUBLIC_KEY_SIZE } from '../../crypto/index.js';
import { HANDSHAKE_PLAIN_SIZE, MAX_OOB_DATA_SIZE, MAX_PACKET_SIZE } from '../constants.js';
import { boundedRest, nonceField, onionIpPort, ONION_IP_PORT_SIZE, publicKeyField, routedConnectionId } from './codecs.js';

export const TCP_PACKET_ID = {
  routeRequest: 0x00,
  routeResponse: 0x01,
  connectNotification: 0x02,
  disconnectNotification: 0x03,
  ping: 0x04,
  pong: 0x05,
  oobSend: 0x06,
  oobReceive: 0x07,
  onionRequest: 0x08,
  onionResponse: 0x09,
  /** NGC forwarding (0.2.18, tox-protocol.md §6.3): decoded, counted and dropped; we forward nothing. */
  forwardRequest: 0x0a,
  forwarding: 0x0b,
} as const;

/** Onion request payload bounds after the 0x08 header (c-toxcore's onion_send_1 limits). */
export const ONION_REQUEST_MIN_PAYLOAD = 103;
export const ONION_REQUEST_MAX_PAYLOAD = 1284;
/** A server kills a client whose onion request is this short or shorter (1 + nonce + 2 × ONION_SEND_BASE). */
export const ONION_REQUEST_KILL_SIZE = 1 + NONCE_SIZE + 2 * (PUBLIC_KEY_SIZE + ONION_IP_PORT_SIZE + MAC_SIZE);

export const tcpCodecs = new PacketRegistry('tcp');

/** [0x00][32 target DHT pk]: 33 bytes. Asks the relay for a routed connection to that key. */
export const RouteRequest = tcpCodecs.define('RouteRequest', struct({ publicKey: publicKeyField }), { id: TCP_PACKET_ID.routeRequest });

/** [0x01][1 connection id, 0 = refused][32 target pk]: 34 bytes. */
export const RouteResponse = tcpCodecs.define('RouteResponse', struct({ connectionId: u8, publicKey: publicKeyField }), {
  id: TCP_PACKET_ID.routeResponse,
});

/** [0x02][1 connection id]: both sides asked for each other; data may flow. */
export const ConnectNotification = tcpCodecs.define('ConnectNotification', struct({ connectionId: u8 }), {
  id: TCP_PACKET_ID.connectNotification,
});

/** [0x03][1 connection id]: client → server frees the slot; server → client says the peer left. */
export const DisconnectNotification = tcpCodecs.define('DisconnectNotification', struct({ connectionId: u8 }), {
  id: TCP_PACKET_ID.disconnectNotification,
});

/** [0x04][8 opaque ping id, never 0]. */
export const PingRequest = tcpCodecs.define('PingRequest', struct({ pingId: u64be }), { id: TCP_PACKET_ID.ping });

/** [0x05][8 ping id echoed]; id 0 kills the connection. */
export const PongResponse = tcpCodecs.define('PongResponse', struct({ pingId: u64be }), { id: TCP_PACKET_ID.pong });

/** [0x06][32 destination pk][1..1024 data]: relayed as OobReceive if the destination is connected. */
export const OobSend = tcpCodecs.define('OobSend', struct({ destination: publicKeyField, data: boundedRest(1, MAX_OOB_DATA_SIZE) }), {
  id: TCP_PACKET_ID.oobSend,
});

/** [0x07][32 sender pk][1..1024 data]. */
export const OobReceive = tcpCodecs.define('OobReceive', struct({ sender: publicKeyField, data: boundedRest(1, MAX_OOB_DATA_SIZE) }), {
  id: TCP_PACKET_ID.oobReceive,
});

/**
 * [0x08][24 nonce][IPP19 next hop B][32 temporary pk][103..1284 payload sealed for B]:
 * an onion 0x80 packet without its first layer; the relay sends it on as 0x81 (§4.9).
 */
export const OnionRequest = tcpCodecs.define(
  'OnionRequest',
  struct({
    nonce: nonceField,
    nextHop: onionIpPort,
    temporaryKey: publicKeyField,
    payload: boundedRest(ONION_REQUEST_MIN_PAYLOAD, ONION_REQUEST_MAX_PAYLOAD),
  }),
  { id: TCP_PACKET_ID.onionRequest },
);

/** [0x09][onion response payload, starting 0x84/0x86]. */
export const OnionResponse = tcpCodecs.define('OnionResponse', struct({ payload: boundedRest(1, MAX_PACKET_SIZE - 1) }), {
  id: TCP_PACKET_ID.onionResponse,
});

/**
 * [0x0A][packed IP/port of the destination, without key][data]: a client asks the relay to forward
 * an NGC announcement over UDP. Kept opaque (we run no forwarding module and never parse it).
 */
export const ForwardRequest = tcpCodecs.define('ForwardRequest', struct({ body: boundedRest(1, MAX_PACKET_SIZE - 1) }), {
  id: TCP_PACKET_ID.forwardRequest,
});

/** [0x0B][data]: the relay hands its client a forwarded NGC reply. */
export const Forwarding = tcpCodecs.define('Forwarding', struct({ data: boundedRest(1, MAX_PACKET_SIZE - 1) }), {
  id: TCP_PACKET_ID.forwarding,
});

/** [16..255 connection id][payload]: data on routed connection `id - 16`. */
export const Data = tcpCodecs.define('Data', struct({ connectionId: routedConnectionId, payload: boundedRest(0, MAX_PACKET_SIZE - 1) }));

// ---------------------------------------------------------------- handshake

/** Client → server, 128 bytes: [32 client DHT pk][24 nonce][72 sealed HandshakePayload]. */
export const ClientHandshake = tcpCodecs.define(
  'ClientHandshake',
  struct({ publicKey: publicKeyField, nonce: nonceField, sealed: bytes(HANDSHAKE_PLAIN_SIZE + MAC_SIZE) }),
);

/** Server → client, 96 bytes: [24 nonce][72 sealed HandshakePayload]. */
export const ServerHandshake = tcpCodecs.define('ServerHandshake', struct({ nonce: nonceField, sealed: bytes(HANDSHAKE_PLAIN_SIZE + MAC_SIZE) }));

/** Handshake plaintext, 56 bytes: [32 temporary session pk][24 base nonce for the sender's frames]. */
export const HandshakePayload = tcpCodecs.define('HandshakePayload', struct({ temporaryKey: publicKeyField, baseNonce: nonceField }));

export type RouteRequest = Infer<typeof RouteRequest.codec>;
export type RouteResponse = Infer<typeof RouteResponse.codec>;
export type ConnectNotification = Infer<typeof ConnectNotification.codec>;
export type DisconnectNotification = Infer<typeof DisconnectNotification.codec>;
export type PingRequest = Infer<typeof PingRequest.codec>;
export type PongResponse = Infer<typeof PongResponse.codec>;
export type OobSend = Infer<typeof OobSend.codec>;
export type OobReceive = Infer<typeof OobReceive.codec>;
export type OnionRequest = Infer<typeof OnionRequest.codec>;
export type OnionResponse = Infer<typeof OnionResponse.codec>;
export type ForwardRequest = Infer<typeof ForwardRequest.codec>;
export type Forwarding = Infer<typeof Forwarding.codec>;
export type Data = Infer<typeof Data.codec>;
export type HandshakePayload = Infer<typeof HandshakePayload.codec>;

