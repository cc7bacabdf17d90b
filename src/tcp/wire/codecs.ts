/**
 * Field codecs shared by the TCP relay packets: keys, bounded byte tails, the
 * routed connection id (16..255) and IPP19, the 19-byte onion IP_Port of
 * tox-protocol.md §4.1 that an onion request over TCP names its next hop with.
 */
import { bytes, literal, mapped, rest, struct, u16be, u8, union, type Codec } from '../../binary/index.js';
import { NONCE_SIZE, PUBLIC_KEY_SIZE } from '../../crypto/index.js';
import { ipBytes, ipPortFromBytes, type IpPort } from '../../net/index.js';
import { NUM_RESERVED_IDS } from '../constants.js';

export const publicKeyField = bytes(PUBLIC_KEY_SIZE);
export const nonceField = bytes(NONCE_SIZE);

/** Everything left in the buffer, at least `min` and at most `max` bytes. */
export function boundedRest(min: number, max: number): Codec<Uint8Array> {
  return mapped(
    rest(max),
    (value, fail) => (value.length < min ? fail(`${value.length} bytes, at least ${min} needed`) : value),
    (value) => value,
  );
}

/** A routed connection id as it appears on the wire: 16..255. */
export const routedConnectionId: Codec<number> = mapped(
  u8,
  (value, fail) => (value < NUM_RESERVED_IDS ? fail(`connection id ${value} is reserved (< ${NUM_RESERVED_IDS})`) : value),
  (value) => value,
);

/** Onion address families (c-toxcore's TOX_AF_INET / TOX_AF_INET6). */
export const ONION_FAMILY = { ipv4: 2, ipv6: 10 } as const;

const ipv4Host = struct({ address: bytes(4), pad0: literal(0, 4), pad1: literal(0, 4), pad2: literal(0, 4) });
const ipv6Host = struct({ address: bytes(16) });
const rawOnionIpPort = struct({
  host: union('family', u8, { [ONION_FAMILY.ipv4]: ipv4Host, [ONION_FAMILY.ipv6]: ipv6Host }),
  port: u16be,
});

function isMappedIpv4(address: Uint8Array): boolean {
  return address.subarray(0, 10).every((x) => x === 0) && address[10] === 0xff && address[11] === 0xff;
}

/**
 * IPP19: [1 family 2|10][16 address, IPv4 in the first 4 bytes and zeros after][2 port BE].
 * Strict: IPv4 padding must be zero and an IPv6 address may not be IPv4-mapped, so
 * every accepted encoding re-encodes byte for byte.
 */
export const onionIpPort: Codec<IpPort> = mapped(
  rawOnionIpPort,
  (raw, fail): IpPort => {
    if (raw.host.family === ONION_FAMILY.ipv6 && isMappedIpv4(raw.host.address)) fail('IPv4-mapped address in an IPv6 IP_Port');
    return ipPortFromBytes(raw.host.address, raw.port);
  },
  (address) => {
    const host =
      address.family === 4
        ? { family: ONION_FAMILY.ipv4, address: ipBytes(address), pad0: 0, pad1: 0, pad2: 0 }
        : { family: ONION_FAMILY.ipv6, address: ipBytes(address) };
    return { host, port: address.port } as never;
  },
);

export const ONION_IP_PORT_SIZE = 19;
