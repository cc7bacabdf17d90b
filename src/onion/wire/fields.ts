/**
 * Field codecs the onion packets share: bounded tails, a sealed part followed by
 * a fixed-size return blob, and the return address a relay seals into its blob
 * (IPP19, or the "TCP client" pseudo family carrying a relay's 16-byte token).
 */
import { bytes, literal, mapped, rest, struct, u16be, u8, union, type Codec } from '../../binary/index.js';
import { onionIpPort } from '../../tcp/index.js';
import { ipBytes, ipPortFromBytes, type IpPort } from '../../net/index.js';
import { TCP_CLIENT_FAMILY } from '../constants.js';

/** Everything left in the buffer, at least `min` and at most `max` bytes. */
export function boundedRest(min: number, max: number): Codec<Uint8Array> {
  return mapped(
    rest(max),
    (value, fail) => (value.length < min ? fail(`${value.length} bytes, at least ${min} needed`) : value),
    (value) => value,
  );
}

export interface SealedWithReturn {
  sealed: Uint8Array;
  returnPath: Uint8Array;
}

/** `[sealed: min..max bytes][returnPath: exactly returnSize bytes]` filling the rest of the buffer. */
export function sealedWithReturn(returnSize: number, min: number, max: number): Codec<SealedWithReturn> {
  return mapped(
    boundedRest(min + returnSize, max + returnSize),
    (value, fail) => {
      if (value.length < min + returnSize) fail('too short for the return path');
      return { sealed: value.subarray(0, value.length - returnSize), returnPath: value.subarray(value.length - returnSize) };
    },
    (value) => {
      const out = new Uint8Array(value.sealed.length + value.returnPath.length);
      out.set(value.sealed, 0);
      out.set(value.returnPath, value.sealed.length);
      return out;
    },
  );
}

export { onionIpPort };

/** Where a relay sends a response on: a UDP endpoint or a client of our TCP relay. */
export type ReturnAddress = { kind: 'udp'; address: IpPort } | { kind: 'tcp'; token: Uint8Array };

const zero4 = literal(0, 4);
const rawReturnAddress = union('family', u8, {
  2: struct({ address: bytes(4), pad0: zero4, pad1: zero4, pad2: zero4, port: u16be }),
  10: struct({ address: bytes(16), port: u16be }),
  [TCP_CLIENT_FAMILY]: struct({ token: bytes(16), port: literal(0, 2) }),
});

function isMappedIpv4(address: Uint8Array): boolean {
  return address.subarray(0, 10).every((x) => x === 0) && address[10] === 0xff && address[11] === 0xff;
}

/** IPP19 for UDP hops; family 11 + 16-byte token + zero port for clients of our TCP relay. */
export const returnAddress: Codec<ReturnAddress> = mapped(
  rawReturnAddress,
  (raw, fail): ReturnAddress => {
    if (raw.family === TCP_CLIENT_FAMILY) return { kind: 'tcp', token: raw.token };
    if (raw.family === 10 && isMappedIpv4(raw.address)) fail('IPv4-mapped address in an IPv6 IP_Port');
    return { kind: 'udp', address: ipPortFromBytes(raw.address, raw.port) };
  },
  (value) => {
    if (value.kind === 'tcp') return { family: TCP_CLIENT_FAMILY, token: value.token, port: 0 } as never;
    const address = ipBytes(value.address);
    return (value.address.family === 4
      ? { family: 2, address, pad0: 0, pad1: 0, pad2: 0, port: value.address.port }
      : { family: 10, address, port: value.address.port }) as never;
  },
);
