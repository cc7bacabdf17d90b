/**
 * Drop accounting shared by the onion engines: untrusted input that fails a
 * check is counted by reason and logged at debug, never thrown; `tryEncode`
 * turns a value the wire format cannot carry (a hostile size) into a drop, and
 * `tryShared` a low-order key from the network into a failed decryption.
 */
import type { Logger } from '../base/index.js';
import { EncodeError, type PacketDef } from '../binary/index.js';
import { WeakPublicKeyError, type PublicKey, type SharedKey, type SharedKeyCache } from '../crypto/index.js';
import { formatIpPort, type IpPort } from '../net/index.js';

export class DropCounter {
  readonly byReason = new Map<string, number>();

  constructor(private readonly log: Logger) {}

  get total(): number {
    let n = 0;
    for (const v of this.byReason.values()) n += v;
    return n;
  }

  count(reason: string): number {
    return this.byReason.get(reason) ?? 0;
  }

  drop(reason: string, from?: IpPort): void {
    this.byReason.set(reason, this.count(reason) + 1);
    if (this.log.enabled('debug')) this.log.debug('dropped onion packet', { reason, from: from ? formatIpPort(from) : undefined });
  }
}

/** Encodes `value`, or returns undefined when it does not fit the format (sizes out of range). */
export function tryEncode<T>(def: PacketDef<T>, value: T): Uint8Array | undefined {
  try {
    return def.encode(value);
  } catch (err) {
    if (err instanceof EncodeError) return undefined;
    throw err;
  }
}

/** The cached shared key with `publicKey`, or undefined for a low-order key from the network. */
export function tryShared(cache: SharedKeyCache, publicKey: Uint8Array): SharedKey | undefined {
  try {
    return cache.get(publicKey as PublicKey);
  } catch (err) {
    if (err instanceof WeakPublicKeyError) return undefined;
    throw err;
  }
}
