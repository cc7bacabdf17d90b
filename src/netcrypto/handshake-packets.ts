/**
 * Building and opening the connection-setup packets (tox-protocol.md §5.1,
 * §5.2): cookie request and response under the DHT shared key, and the
 * handshake under the long-term shared key. Pure functions over keys and the
 * cookie jar; failures come back as drop reasons, never exceptions.
 */
import type { Random } from '../base/index.js';
import {
  WeakPublicKeyError,
  keysEqual,
  open,
  randomNonce,
  seal,
  sha512,
  type DhtPublicKey,
  type EphemeralPublicKey,
  type LongTermPublicKey,
  type Nonce,
  type SharedKey,
} from '../crypto/index.js';
import type { CookieJar } from './cookie-jar.js';
import type { NetCryptoDropReason } from './counters.js';
import { CookieRequest, CookieRequestPlain, CookieResponse, CookieResponsePlain, Handshake, HandshakePlain } from './wire/index.js';

const ZERO_PADDING = new Uint8Array(32);

/** A shared key from a peer-supplied public key; undefined for a low-order key. */
function derive(compute: () => SharedKey): SharedKey | undefined {
  try {
    return compute();
  } catch (err) {
    if (err instanceof WeakPublicKeyError) return undefined;
    throw err;
  }
}

/** [0x18] from our DHT key to the peer's: asks for a cookie carrying our real key. */
export function createCookieRequest(random: Random, ourDhtPk: DhtPublicKey, dhtSharedKey: SharedKey, ourRealPk: LongTermPublicKey, echoId: Uint8Array): Uint8Array {
  const nonce = randomNonce(random);
  const plain = CookieRequestPlain.encode({ realPk: ourRealPk, padding: ZERO_PADDING, echoId });
  return CookieRequest.encode({ senderDhtPk: ourDhtPk, nonce, sealed: seal(dhtSharedKey, nonce, plain) });
}

export interface OpenedCookieRequest {
  readonly senderDhtPk: DhtPublicKey;
  readonly senderRealPk: LongTermPublicKey;
  readonly echoId: Uint8Array;
  /** The key to seal the response with. */
  readonly sharedKey: SharedKey;
}

export function openCookieRequest(packet: Uint8Array, sharedKeyFor: (dhtPk: DhtPublicKey) => SharedKey): OpenedCookieRequest | NetCryptoDropReason {
  const decoded = CookieRequest.tryDecode(packet);
  if (!decoded.ok) return 'malformed';
  const senderDhtPk = decoded.value.senderDhtPk as DhtPublicKey;
  const sharedKey = derive(() => sharedKeyFor(senderDhtPk));
  if (sharedKey === undefined) return 'weakKey';
  const plain = open(sharedKey, decoded.value.nonce as Nonce, decoded.value.sealed);
  if (!plain) return 'decryptFailed';
  const request = CookieRequestPlain.decode(plain);
  return { senderDhtPk, senderRealPk: request.realPk as LongTermPublicKey, echoId: request.echoId, sharedKey };
}

/** [0x19]: a fresh cookie for the requester (its real key from the request, its DHT key from the envelope). */
export function createCookieResponse(random: Random, jar: CookieJar, request: OpenedCookieRequest): Uint8Array {
  const cookie = jar.mint(request.senderRealPk, request.senderDhtPk);
  const nonce = randomNonce(random);
  const plain = CookieResponsePlain.encode({ cookie, echoId: request.echoId });
  return CookieResponse.encode({ nonce, sealed: seal(request.sharedKey, nonce, plain) });
}

/** The peer's cookie from a response to our request `echoId`. */
export function openCookieResponse(packet: Uint8Array, dhtSharedKey: SharedKey, echoId: Uint8Array): Uint8Array | NetCryptoDropReason {
  const decoded = CookieResponse.tryDecode(packet);
  if (!decoded.ok) return 'malformed';
  const plain = open(dhtSharedKey, decoded.value.nonce as Nonce, decoded.value.sealed);
  if (!plain) return 'decryptFailed';
  const response = CookieResponsePlain.decode(plain);
  if (!keysEqual(response.echoId, echoId)) return 'echoMismatch';
  return response.cookie;
}

export interface HandshakeParams {
  /** The cookie the peer gave us (from a cookie response or its own handshake). */
  readonly peerCookie: Uint8Array;
  /** Our base send nonce and session key for this connection. */
  readonly baseNonce: Uint8Array;
  readonly sessionPk: EphemeralPublicKey;
  readonly peerRealPk: LongTermPublicKey;
  readonly peerDhtPk: DhtPublicKey;
  /** beforenm(peer real pk, our real sk). */
  readonly realSharedKey: SharedKey;
}

/** [0x1A]: answers the peer's cookie and hands it a cookie of ours so it can answer without a round trip. */
export function createHandshake(random: Random, jar: CookieJar, p: HandshakeParams): Uint8Array {
  const plain = HandshakePlain.encode({
    baseNonce: p.baseNonce,
    sessionPk: p.sessionPk,
    cookieHash: sha512(p.peerCookie),
    otherCookie: jar.mint(p.peerRealPk, p.peerDhtPk),
  });
  const nonce = randomNonce(random);
  return Handshake.encode({ cookie: p.peerCookie, nonce, sealed: seal(p.realSharedKey, nonce, plain) });
}

export interface OpenedHandshake {
  readonly peerRealPk: LongTermPublicKey;
  readonly peerDhtPk: DhtPublicKey;
  /** The peer's base send nonce: our receive nonce. */
  readonly baseNonce: Uint8Array;
  readonly sessionPk: EphemeralPublicKey;
  /** A cookie of the peer's, to answer with our own handshake. */
  readonly otherCookie: Uint8Array;
}

/**
 * Checks the outer cookie (ours, fresh, for `expectedPeer` if given), then
 * opens the body with the long-term key of the peer the cookie names.
 */
export function openHandshake(
  packet: Uint8Array,
  jar: CookieJar,
  realSharedKeyFor: (peer: LongTermPublicKey) => SharedKey,
  expectedPeer?: LongTermPublicKey,
): OpenedHandshake | NetCryptoDropReason {
  const decoded = Handshake.tryDecode(packet);
  if (!decoded.ok) return 'malformed';
  const cookie = jar.open(decoded.value.cookie);
  if (typeof cookie === 'string') return cookie;
  if (expectedPeer && !keysEqual(cookie.realPk, expectedPeer)) return 'wrongPeer';
  const realSharedKey = derive(() => realSharedKeyFor(cookie.realPk));
  if (realSharedKey === undefined) return 'weakKey';
  const plain = open(realSharedKey, decoded.value.nonce as Nonce, decoded.value.sealed);
  if (!plain) return 'decryptFailed';
  const body = HandshakePlain.decode(plain);
  if (!keysEqual(body.cookieHash, sha512(decoded.value.cookie))) return 'cookieHashMismatch';
  return {
    peerRealPk: cookie.realPk,
    peerDhtPk: cookie.dhtPk,
    baseNonce: body.baseNonce,
    sessionPk: body.sessionPk as EphemeralPublicKey,
    otherCookie: body.otherCookie,
  };
}
