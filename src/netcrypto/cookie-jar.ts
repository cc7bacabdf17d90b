/**
 * Our cookies (tox-protocol.md §5.1): minted under a random per-instance key,
 * carrying the time (monotonic seconds) and the peer's real and DHT keys, and
 * valid for COOKIE_TIMEOUT_S. Only we ever open our cookies, so the time field
 * is our own encoding.
 */
import type { Clock, Random } from '../base/index.js';
import { randomNonce, secretboxOpen, secretboxSeal, type DhtPublicKey, type LongTermPublicKey, type Nonce } from '../crypto/index.js';
import { COOKIE_TIMEOUT_S } from './constants.js';
import { Cookie, CookiePlain } from './wire/index.js';

export interface CookieContents {
  readonly realPk: LongTermPublicKey;
  readonly dhtPk: DhtPublicKey;
}

export type CookieCheck = CookieContents | 'badCookie' | 'staleCookie';

export class CookieJar {
  private readonly key: Uint8Array;

  constructor(
    private readonly clock: Clock,
    private readonly random: Random,
  ) {
    this.key = random.bytes(32);
  }

  private seconds(): number {
    return Math.floor(this.clock.now() / 1000);
  }

  mint(realPk: Uint8Array, dhtPk: Uint8Array): Uint8Array {
    const nonce = randomNonce(this.random);
    const plain = CookiePlain.encode({ time: BigInt(this.seconds()), realPk, dhtPk });
    return Cookie.encode({ nonce, sealed: secretboxSeal(this.key, nonce, plain) });
  }

  /** Opens a 112-byte cookie; refuses forged, expired and future ones. */
  open(cookie: Uint8Array): CookieCheck {
    const outer = Cookie.tryDecode(cookie);
    if (!outer.ok) return 'badCookie';
    const plain = secretboxOpen(this.key, outer.value.nonce as Nonce, outer.value.sealed);
    if (!plain) return 'badCookie';
    const contents = CookiePlain.decode(plain);
    const minted = Number(contents.time);
    const now = this.seconds();
    if (minted + COOKIE_TIMEOUT_S < now || now < minted) return 'staleCookie';
    return { realPk: contents.realPk as LongTermPublicKey, dhtPk: contents.dhtPk as DhtPublicKey };
  }
}
