/**
 * Crypto data packet 0x1B (tox-protocol.md §5.4): [0x1B][2 low bytes of the
 * sender's nonce, BE][sealed DataPlain], 28..1400 bytes, and its plaintext
 * [u32 buffer start][u32 packet number][zero padding][payload]. Receivers skip
 * any number of leading zeros, so the plaintext codec is not canonical: it
 * decodes every padding length and encodes c-toxcore's `(1373 − len) mod 8`.
 * The engine's per-packet path uses the hand-written equivalents at the end
 * (no intermediate allocations); tests hold them byte-identical to the codecs.
 */
import { EncodeError, mapped, rest, struct, u16be, u32be, type Codec, type Infer } from '../../binary/index.js';
import { MAC_SIZE } from '../../crypto/index.js';
import { CRYPTO_MAX_PADDING, DATA_HEADER_SIZE, MAX_CRYPTO_DATA_SIZE, MAX_CRYPTO_PACKET_SIZE, NET_PACKET_ID, PACKET_ID_PADDING } from '../constants.js';
import { netcryptoCodecs } from './registry.js';

/** Sealed part of a data packet: at least the 8-byte header and one payload byte. */
export const MIN_SEALED_DATA_SIZE = DATA_HEADER_SIZE + 1 + MAC_SIZE;
export const MAX_SEALED_DATA_SIZE = MAX_CRYPTO_PACKET_SIZE - 3;

/** Zero bytes c-toxcore puts in front of a payload of `length` bytes. */
export function paddingFor(length: number): number {
  return (MAX_CRYPTO_DATA_SIZE - length) % CRYPTO_MAX_PADDING;
}

function boundedRest(min: number, max: number): Codec<Uint8Array> {
  return mapped(
    rest(max),
    (value, fail) => (value.length < min ? fail(`${value.length} bytes, at least ${min} needed`) : value),
    (value) => value,
  );
}

/** Padding plus payload: decodes by skipping zeros (a payload never starts with 0), encodes with c-toxcore's padding. */
export const paddedPayload: Codec<Uint8Array> = mapped(
  rest(MAX_CRYPTO_DATA_SIZE),
  (value, fail) => {
    let at = 0;
    while (at < value.length && value[at] === PACKET_ID_PADDING) at++;
    if (at === value.length) return fail('no payload after the padding');
    return value.subarray(at);
  },
  (payload) => {
    if (payload.length === 0 || payload[0] === PACKET_ID_PADDING) throw new EncodeError('a data payload must start with a non-zero packet id');
    const out = new Uint8Array(paddingFor(payload.length) + payload.length);
    out.set(payload, out.length - payload.length);
    return out;
  },
);

export const DataPacket = netcryptoCodecs.define(
  'DataPacket',
  struct({ nonceLow: u16be, sealed: boundedRest(MIN_SEALED_DATA_SIZE, MAX_SEALED_DATA_SIZE) }),
  { id: NET_PACKET_ID.data },
);

export const DataPlain = netcryptoCodecs.define(
  'DataPlain',
  struct({ bufferStart: u32be, packetNumber: u32be, payload: paddedPayload }),
  { nonCanonical: true },
);

export type DataPlainValue = Infer<typeof DataPlain.codec>;

// ------------------------------------------------------------------ hot path

/** Largest data plaintext: a scratch buffer this long serves `encodeDataPlain`. */
export const MAX_DATA_PLAIN_SIZE = DATA_HEADER_SIZE + MAX_CRYPTO_DATA_SIZE;

/**
 * DataPlain.encode, written into `scratch` (at least MAX_DATA_PLAIN_SIZE
 * bytes, reused from packet to packet: sealing copies it); returns the view.
 */
export function encodeDataPlain(bufferStart: number, packetNumber: number, payload: Uint8Array, scratch: Uint8Array): Uint8Array {
  const padding = paddingFor(payload.length);
  const out = scratch.subarray(0, DATA_HEADER_SIZE + padding + payload.length);
  out.fill(PACKET_ID_PADDING, DATA_HEADER_SIZE, DATA_HEADER_SIZE + padding);
  out[0] = bufferStart >>> 24;
  out[1] = bufferStart >>> 16;
  out[2] = bufferStart >>> 8;
  out[3] = bufferStart;
  out[4] = packetNumber >>> 24;
  out[5] = packetNumber >>> 16;
  out[6] = packetNumber >>> 8;
  out[7] = packetNumber;
  out.set(payload, DATA_HEADER_SIZE + padding);
  return out;
}

/** DataPlain.decode without copies (the payload is a view into `plain`); undefined where the codec throws. */
export function decodeDataPlain(plain: Uint8Array): DataPlainValue | undefined {
  if (plain.length <= DATA_HEADER_SIZE || plain.length > DATA_HEADER_SIZE + MAX_CRYPTO_DATA_SIZE) return undefined;
  let at = DATA_HEADER_SIZE;
  while (at < plain.length && plain[at] === PACKET_ID_PADDING) at++;
  if (at === plain.length) return undefined;
  const bufferStart = ((plain[0]! << 24) | (plain[1]! << 16) | (plain[2]! << 8) | plain[3]!) >>> 0;
  const packetNumber = ((plain[4]! << 24) | (plain[5]! << 16) | (plain[6]! << 8) | plain[7]!) >>> 0;
  return { bufferStart, packetNumber, payload: plain.subarray(at) };
}

/** DataPacket.encode, in one allocation from Node's small-buffer pool (every byte is written). */
export function encodeDataPacket(nonceLow: number, sealed: Uint8Array): Uint8Array {
  const out = Buffer.allocUnsafe(3 + sealed.length);
  out[0] = NET_PACKET_ID.data;
  out[1] = nonceLow >> 8;
  out[2] = nonceLow & 0xff;
  out.set(sealed, 3);
  return out;
}

/** A 0x1B packet with its 3 header bytes written and room for `sealedLength` sealed bytes at offset 3 (to seal into). */
export function dataPacketShell(nonceLow: number, sealedLength: number): Uint8Array {
  const out = Buffer.allocUnsafe(3 + sealedLength);
  out[0] = NET_PACKET_ID.data;
  out[1] = nonceLow >> 8;
  out[2] = nonceLow & 0xff;
  return out;
}

/** DataPacket.decode without copying the sealed part; undefined where the codec throws. */
export function decodeDataPacket(packet: Uint8Array): { nonceLow: number; sealed: Uint8Array } | undefined {
  const sealedLength = packet.length - 3;
  if (packet[0] !== NET_PACKET_ID.data || sealedLength < MIN_SEALED_DATA_SIZE || sealedLength > MAX_SEALED_DATA_SIZE) return undefined;
  return { nonceLow: (packet[1]! << 8) | packet[2]!, sealed: packet.subarray(3) };
}
