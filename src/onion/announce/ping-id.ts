/**
 * Node D's ping ids: a keyed SHA-256 over (300 s window, requester key, node C's
 * address) under a random secret. Only we verify them; an id is issued for the
 * next window and accepted in that and the current one (valid 300–600 s), bound
 * to the path's last hop as c-toxcore's are.
 */
import type { Random } from '../../base/index.js';
import { bytesEqual, concatBytes, utf8Encode } from '../../base/index.js';
import { sha256 } from '../../crypto/index.js';
import { formatIpPort, type IpPort } from '../../net/index.js';
import { PING_ID_WINDOW_MS } from '../constants.js';

export class PingIds {
  private readonly secret: Uint8Array;

  constructor(random: Random) {
    this.secret = random.bytes(32);
  }

  private compute(window: number, publicKey: Uint8Array, from: IpPort): Uint8Array {
    const w = new Uint8Array(8);
    new DataView(w.buffer).setBigUint64(0, BigInt(window));
    return sha256(concatBytes(this.secret, w, publicKey, utf8Encode(formatIpPort(from))));
  }

  /** A fresh id for `publicKey` asking through `from`. */
  issue(publicKey: Uint8Array, from: IpPort, now: number): Uint8Array {
    return this.compute(Math.floor(now / PING_ID_WINDOW_MS) + 1, publicKey, from);
  }

  verify(pingId: Uint8Array, publicKey: Uint8Array, from: IpPort, now: number): boolean {
    const window = Math.floor(now / PING_ID_WINDOW_MS);
    return bytesEqual(pingId, this.compute(window, publicKey, from)) || bytesEqual(pingId, this.compute(window + 1, publicKey, from));
  }
}
