/**
 * Cookie request (0x18), cookie response (0x19) and the cookie itself
 * (tox-protocol.md §5.1). Encryption happens in the engine; these codecs frame
 * bytes, exact sizes as c-toxcore requires.
 */
import { bytes, struct, u64be, type Infer } from '../../binary/index.js';
import { MAC_SIZE, NONCE_SIZE, PUBLIC_KEY_SIZE } from '../../crypto/index.js';
import { COOKIE_SIZE, ECHO_ID_SIZE, NET_PACKET_ID } from '../constants.js';
import { netcryptoCodecs } from './registry.js';

/** What a cookie seals: [8 time, seconds (opaque: only we read it)][32 peer real pk][32 peer DHT pk]. */
export const CookiePlain = netcryptoCodecs.define(
  'CookiePlain',
  struct({ time: u64be, realPk: bytes(PUBLIC_KEY_SIZE), dhtPk: bytes(PUBLIC_KEY_SIZE) }),
);

/** The 112-byte cookie: [24 nonce][secretbox under our cookie key (CookiePlain)]. */
export const Cookie = netcryptoCodecs.define(
  'Cookie',
  struct({ nonce: bytes(NONCE_SIZE), sealed: bytes(COOKIE_SIZE - NONCE_SIZE) }),
);

/** Cookie request plaintext: [32 sender real pk][32 padding (ignored)][8 echo id (opaque)]. */
export const CookieRequestPlain = netcryptoCodecs.define(
  'CookieRequestPlain',
  struct({ realPk: bytes(PUBLIC_KEY_SIZE), padding: bytes(PUBLIC_KEY_SIZE), echoId: bytes(ECHO_ID_SIZE) }),
);
const COOKIE_REQUEST_PLAIN_SIZE = 2 * PUBLIC_KEY_SIZE + ECHO_ID_SIZE;

/**
 * Cookie request, 145 bytes: [0x18][32 sender DHT pk][24 nonce][88 sealed
 * CookieRequestPlain], sealed with beforenm(receiver DHT pk, sender DHT sk).
 */
export const CookieRequest = netcryptoCodecs.define(
  'CookieRequest',
  struct({ senderDhtPk: bytes(PUBLIC_KEY_SIZE), nonce: bytes(NONCE_SIZE), sealed: bytes(COOKIE_REQUEST_PLAIN_SIZE + MAC_SIZE) }),
  { id: NET_PACKET_ID.cookieRequest },
);

/** Cookie response plaintext: [112 cookie][8 echoed id]. */
export const CookieResponsePlain = netcryptoCodecs.define(
  'CookieResponsePlain',
  struct({ cookie: bytes(COOKIE_SIZE), echoId: bytes(ECHO_ID_SIZE) }),
);

/** Cookie response, 161 bytes: [0x19][24 nonce][136 sealed CookieResponsePlain], same DHT shared key as the request. */
export const CookieResponse = netcryptoCodecs.define(
  'CookieResponse',
  struct({ nonce: bytes(NONCE_SIZE), sealed: bytes(COOKIE_SIZE + ECHO_ID_SIZE + MAC_SIZE) }),
  { id: NET_PACKET_ID.cookieResponse },
);

export type CookiePlainValue = Infer<typeof CookiePlain.codec>;
