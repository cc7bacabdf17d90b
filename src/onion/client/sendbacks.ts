/**
 * Outstanding announce requests, keyed by the 8-byte sendback echoed in the
 * response: which target (self or a friend) asked which node D through which
 * path. At most 256 live for 10 s, as c-toxcore's ping array.
 */
import type { Random } from '../../base/index.js';
import { toHex } from '../../base/index.js';
import type { DhtPublicKey } from '../../crypto/index.js';
import type { IpPort } from '../../net/index.js';
import { MAX_SENDBACKS, SENDBACK_SIZE, SENDBACK_TIMEOUT_MS } from '../constants.js';

export interface Sendback {
  /** '' for our own announces, else the friend's key id. */
  readonly target: string;
  readonly nodePk: DhtPublicKey;
  readonly address: IpPort;
  readonly pathNum: number;
  readonly sentAt: number;
}

export class Sendbacks {
  private readonly pending = new Map<string, Sendback>();

  constructor(private readonly random: Random) {}

  get size(): number {
    return this.pending.size;
  }

  add(entry: Sendback): Uint8Array {
    const id = this.random.bytes(SENDBACK_SIZE);
    this.pending.set(toHex(id), entry);
    while (this.pending.size > MAX_SENDBACKS) this.pending.delete(this.pending.keys().next().value as string);
    return id;
  }

  /** The request a response answers (once), unless unknown or older than 10 s. */
  take(id: Uint8Array, now: number): Sendback | undefined {
    const key = toHex(id);
    const entry = this.pending.get(key);
    if (!entry) return undefined;
    this.pending.delete(key);
    return entry.sentAt + SENDBACK_TIMEOUT_MS > now ? entry : undefined;
  }

  clear(): void {
    this.pending.clear();
  }
}
