/**
 * Crypto handshake 0x1A, 385 bytes (tox-protocol.md §5.2): the cookie the peer
 * gave us, a random nonce, and the sealed HandshakePlain, sealed with
 * beforenm(peer real pk, our real sk).
 */
import { bytes, struct, type Infer } from '../../binary/index.js';
import { MAC_SIZE, NONCE_SIZE, PUBLIC_KEY_SIZE } from '../../crypto/index.js';
import { COOKIE_SIZE, NET_PACKET_ID } from '../constants.js';
import { netcryptoCodecs } from './registry.js';

const SHA512_SIZE = 64;

/** [24 our base send nonce][32 our session pk][64 SHA-512 of the outer cookie][112 a cookie for the peer]. */
export const HandshakePlain = netcryptoCodecs.define(
  'HandshakePlain',
  struct({
    baseNonce: bytes(NONCE_SIZE),
    sessionPk: bytes(PUBLIC_KEY_SIZE),
    cookieHash: bytes(SHA512_SIZE),
    otherCookie: bytes(COOKIE_SIZE),
  }),
);
const HANDSHAKE_PLAIN_SIZE = NONCE_SIZE + PUBLIC_KEY_SIZE + SHA512_SIZE + COOKIE_SIZE;

/** [0x1A][112 cookie from the peer][24 nonce][248 sealed HandshakePlain]. */
export const Handshake = netcryptoCodecs.define(
  'Handshake',
  struct({ cookie: bytes(COOKIE_SIZE), nonce: bytes(NONCE_SIZE), sealed: bytes(HANDSHAKE_PLAIN_SIZE + MAC_SIZE) }),
  { id: NET_PACKET_ID.handshake },
);

export type HandshakePlainValue = Infer<typeof HandshakePlain.codec>;
