/**
 * Every DHT wire format (tox-protocol.md §3.3, §3.7–§3.9), declared once and
 * collected in `dhtCodecs`: the encrypted envelopes as they travel over UDP and
 * the plaintext payloads they carry. Encryption happens in the engine; these
 * codecs only frame bytes. Sizes are exact, as c-toxcore requires.
 */
import { PacketRegistry, array, boundedUint, bytes, mapped, rest, struct, u64be, u8, type Codec, type Infer } from '../../binary/index.js';
import { MAC_SIZE, NONCE_SIZE, PUBLIC_KEY_SIZE } from '../../crypto/index.js';
import { packedUdpNode } from '../../net/index.js';
import { MAX_SENT_NODES } from '../constants.js';

export const PACKET_ID = {
  pingRequest: 0x00,
  pingResponse: 0x01,
  nodesRequest: 0x02,
  nodesResponse: 0x04,
  routed: 0x20,
  lanDiscovery: 0x21,
} as const;

/** NGC "DHT announcements" packets of 0.2.18 (0x90–0x98): accepted and ignored. */
export const IGNORED_PACKET_IDS: readonly number[] = [0x90, 0x91, 0x92, 0x93, 0x94, 0x95, 0x96, 0x97, 0x98];

/** Everything left, but at least `min` and at most `max` bytes. */
function boundedRest(min: number, max: number): Codec<Uint8Array> {
  return mapped(
    rest(max),
    (value, fail) => (value.length < min ? fail(`${value.length} bytes, at least ${min} needed`) : value),
    (value) => value,
  );
}

export const dhtCodecs = new PacketRegistry('dht');

const PING_PLAIN_SIZE = 1 + 8;
const NODES_REQUEST_PLAIN_SIZE = PUBLIC_KEY_SIZE + 8;
/** Largest packed node (IPv6). */
const MAX_PACKED_NODE_SIZE = 1 + 16 + 2 + PUBLIC_KEY_SIZE;
const NODES_RESPONSE_MIN_PLAIN = 1 + 8;
const NODES_RESPONSE_MAX_PLAIN = 1 + MAX_SENT_NODES * MAX_PACKED_NODE_SIZE + 8;

function envelope(sealed: Codec<Uint8Array>) {
  return struct({ senderPk: bytes(PUBLIC_KEY_SIZE), nonce: bytes(NONCE_SIZE), sealed });
}

/** [0x00][32 sender DHT pk][24 nonce][25 sealed PingRequestPayload]: always 82 bytes. */
export const PingRequest = dhtCodecs.define('PingRequest', envelope(bytes(PING_PLAIN_SIZE + MAC_SIZE)), { id: PACKET_ID.pingRequest });
/** [0x01][32 sender DHT pk][24 nonce][25 sealed PingResponsePayload]: always 82 bytes. */
export const PingResponse = dhtCodecs.define('PingResponse', envelope(bytes(PING_PLAIN_SIZE + MAC_SIZE)), { id: PACKET_ID.pingResponse });
/** [0x02][32 sender DHT pk][24 nonce][56 sealed NodesRequestPayload]: always 113 bytes. */
export const NodesRequest = dhtCodecs.define('NodesRequest', envelope(bytes(NODES_REQUEST_PLAIN_SIZE + MAC_SIZE)), { id: PACKET_ID.nodesRequest });
/** [0x04][32 sender DHT pk][24 nonce][sealed NodesResponsePayload]: 82..286 bytes. */
export const NodesResponse = dhtCodecs.define(
  'NodesResponse',
  envelope(boundedRest(NODES_RESPONSE_MIN_PLAIN + MAC_SIZE, NODES_RESPONSE_MAX_PLAIN + MAC_SIZE)),
  { id: PACKET_ID.nodesResponse },
);

/** Ping plaintext: [0x00][8 opaque ping id]; the inner type must match the outer packet id. */
export const PingRequestPayload = dhtCodecs.define('PingRequestPayload', struct({ pingId: u64be }), { id: PACKET_ID.pingRequest });
/** Ping plaintext: [0x01][8 echoed ping id]. */
export const PingResponsePayload = dhtCodecs.define('PingResponsePayload', struct({ pingId: u64be }), { id: PACKET_ID.pingResponse });
/** Nodes request plaintext: [32 searched key][8 opaque request id]. */
export const NodesRequestPayload = dhtCodecs.define('NodesRequestPayload', struct({ searchKey: bytes(PUBLIC_KEY_SIZE), requestId: u64be }));
/** Nodes response plaintext: [1 count 0..4][count UDP PNODEs][8 echoed request id], parsed exactly. */
export const NodesResponsePayload = dhtCodecs.define(
  'NodesResponsePayload',
  struct({ nodes: array(packedUdpNode, { prefix: u8, max: MAX_SENT_NODES }), requestId: u64be }),
);

/** Routed crypto packet: [0x20][32 receiver DHT pk][32 sender DHT pk][24 nonce][sealed RoutedPayload]: 107..1024 bytes. */
export const RoutedPacket = dhtCodecs.define(
  'RoutedPacket',
  struct({ receiverPk: bytes(PUBLIC_KEY_SIZE), senderPk: bytes(PUBLIC_KEY_SIZE), nonce: bytes(NONCE_SIZE), sealed: boundedRest(2 + MAC_SIZE, 1024 - 89) }),
  { id: PACKET_ID.routed },
);
/** Routed plaintext: [1 kind][1..918 payload bytes]. */
export const RoutedPayload = dhtCodecs.define('RoutedPayload', struct({ kind: u8, data: boundedRest(1, 1024 - 89 - MAC_SIZE - 1) }));
/** NAT ping (routed kind 0xFE): [0xFE][1 type: 0 request, 1 response][8 opaque ping id]: 10 bytes. */
export const NatPingPayload = dhtCodecs.define('NatPingPayload', struct({ type: boundedUint(1, 1), pingId: u64be }), { id: 0xfe });

/** LAN discovery: [0x21][32 sender DHT pk]: exactly 33 bytes. */
export const LanDiscovery = dhtCodecs.define('LanDiscovery', struct({ senderPk: bytes(PUBLIC_KEY_SIZE) }), { id: PACKET_ID.lanDiscovery });

export type DhtEnvelope = Infer<typeof PingRequest.codec>;
