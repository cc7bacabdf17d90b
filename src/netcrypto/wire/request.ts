/**
 * The request packet (payload id 1, tox-protocol.md §5.6 and §12.1): after the
 * id, one byte per missing packet of the sender's receive window giving the
 * distance from the previous one, and a 0 wherever 255 present packets passed
 * without one. Decoded here into offsets from the window start; `span` is how
 * far the bytes reach (everything below it that is not missing counts as
 * received). Every byte string decodes; `(missing, span)` re-encodes exactly.
 */
import { mapped, rest, type Infer } from '../../binary/index.js';
import { MAX_CRYPTO_DATA_SIZE, PACKET_ID_REQUEST } from '../constants.js';
import { netcryptoCodecs } from './registry.js';

/** Distance bytes one request packet can carry. */
export const MAX_REQUEST_BYTES = MAX_CRYPTO_DATA_SIZE - 1;

export interface RequestValue {
  /** Ascending offsets (from the receive-window start) of the packets asked for again. */
  missing: number[];
  /** Offsets below this were walked: those not in `missing` were received. */
  span: number;
}

/** The walk both c-toxcore loops share, run over the distance bytes. */
export function decodeRequestBytes(distances: Uint8Array): RequestValue {
  const missing: number[] = [];
  let n = 1;
  let at = 0;
  let offset = 0;
  while (at < distances.length) {
    if (n === distances[at]) {
      missing.push(offset);
      at++;
      n = 0;
    }
    // After 255 present packets the sender wrote a 0, which is the current byte (any other value matched earlier).
    if (n === 255) {
      n = 1;
      at++;
    } else {
      n++;
    }
    offset++;
  }
  return { missing, span: offset };
}

/**
 * Distance bytes for `missing` offsets walked up to `span`; stops before
 * `maxBytes` would be exceeded. Returns the bytes and the span actually covered.
 */
export function encodeRequestBytes(missing: readonly number[], span: number, maxBytes = Number.MAX_SAFE_INTEGER): { bytes: Uint8Array; span: number } {
  const out: number[] = [];
  let n = 1;
  let next = 0;
  let covered = 0;
  for (let offset = 0; offset < span && out.length < maxBytes; offset++) {
    if (next < missing.length && missing[next] === offset) {
      out.push(n);
      next++;
      n = 0;
      covered = offset + 1;
    } else if (n === 255) {
      out.push(0);
      n = 0;
      covered = offset + 1;
    }
    n++;
  }
  return { bytes: Uint8Array.from(out), span: covered };
}

export const RequestPayload = netcryptoCodecs.define(
  'RequestPayload',
  mapped(
    rest(MAX_REQUEST_BYTES),
    (distances): RequestValue => decodeRequestBytes(distances),
    (value) => encodeRequestBytes(value.missing, value.span).bytes,
  ),
  { id: PACKET_ID_REQUEST },
);

export type RequestPayloadValue = Infer<typeof RequestPayload.codec>;
