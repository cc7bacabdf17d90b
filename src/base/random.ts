/**
 * Randomness for the whole node: the `Random` port, a cryptographic source for
 * production and a seeded deterministic one (xoshiro128**) for simulations.
 * This file and scheduler.ts are the only places in src/ that may touch real
 * randomness.
 */
import { randomFillSync } from 'node:crypto';
import { InvalidArgumentError } from './errors.js';

export interface Random {
  /** `n` random bytes. */
  bytes(n: number): Uint8Array;
  /** Uniform 32-bit unsigned integer. */
  u32(): number;
  /** Uniform integer in [0, bound). */
  int(bound: number): number;
  /** Uniform float in [0, 1). */
  float(): number;
  /** True when the source is deterministic (tests and simulations only). */
  readonly deterministic: boolean;
}

abstract class RandomBase implements Random {
  abstract bytes(n: number): Uint8Array;
  abstract u32(): number;
  abstract readonly deterministic: boolean;

  int(bound: number): number {
    if (!Number.isInteger(bound) || bound <= 0 || bound > 2 ** 32) {
      throw new InvalidArgumentError(`random bound must be an integer in 1..2^32, got ${bound}`);
    }
    // Rejection sampling keeps the result unbiased.
    const limit = 2 ** 32 - (2 ** 32 % bound);
    for (;;) {
      const x = this.u32();
      if (x < limit) return x % bound;
    }
  }

  float(): number {
    return this.u32() / 2 ** 32;
  }
}

/** Bytes fetched from the OS at once: one call per nonce is measurable when many identities share a process. */
const POOL_BYTES = 4096;

/**
 * Operating-system randomness (node:crypto), fetched in batches of 4 KiB;
 * bytes handed out are wiped from the batch, and requests of a batch or more
 * go to the OS directly.
 */
export class CryptoRandom extends RandomBase {
  readonly deterministic = false;
  private readonly pool = new Uint8Array(POOL_BYTES);
  private offset = POOL_BYTES;
  private readonly word = new Uint8Array(4);

  bytes(n: number): Uint8Array {
    const out = new Uint8Array(n);
    if (n >= POOL_BYTES) randomFillSync(out);
    else this.take(out);
    return out;
  }

  u32(): number {
    const w = this.word;
    this.take(w);
    return ((w[0]! << 24) | (w[1]! << 16) | (w[2]! << 8) | w[3]!) >>> 0;
  }

  private take(out: Uint8Array): void {
    let filled = 0;
    while (filled < out.length) {
      if (this.offset === POOL_BYTES) {
        randomFillSync(this.pool);
        this.offset = 0;
      }
      const k = Math.min(out.length - filled, POOL_BYTES - this.offset);
      out.set(this.pool.subarray(this.offset, this.offset + k), filled);
      this.pool.fill(0, this.offset, this.offset + k);
      this.offset += k;
      filled += k;
    }
  }
}

/** Deterministic xoshiro128** seeded through splitmix32; `fork()` derives independent streams. */
export class SeededRandom extends RandomBase {
  readonly deterministic = true;
  private s0: number;
  private s1: number;
  private s2: number;
  private s3: number;

  constructor(readonly seed: number) {
    super();
    let x = seed >>> 0;
    const next = (): number => {
      x = (x + 0x9e3779b9) >>> 0;
      let z = x;
      z = Math.imul(z ^ (z >>> 16), 0x85ebca6b) >>> 0;
      z = Math.imul(z ^ (z >>> 13), 0xc2b2ae35) >>> 0;
      return (z ^ (z >>> 16)) >>> 0;
    };
    this.s0 = next();
    this.s1 = next();
    this.s2 = next();
    this.s3 = next();
  }

  u32(): number {
    const result = Math.imul(rotl(Math.imul(this.s1, 5) >>> 0, 7), 9) >>> 0;
    const t = (this.s1 << 9) >>> 0;
    this.s2 ^= this.s0;
    this.s3 ^= this.s1;
    this.s1 ^= this.s2;
    this.s0 ^= this.s3;
    this.s2 ^= t;
    this.s3 = rotl(this.s3, 11);
    this.s0 >>>= 0;
    this.s1 >>>= 0;
    this.s2 >>>= 0;
    return result;
  }

  bytes(n: number): Uint8Array {
    const out = new Uint8Array(n);
    for (let i = 0; i < n; i += 4) {
      let w = this.u32();
      for (let j = i; j < Math.min(n, i + 4); j++) {
        out[j] = w & 0xff;
        w >>>= 8;
      }
    }
    return out;
  }

  /** An independent deterministic stream, e.g. one per simulated node. */
  fork(): SeededRandom {
    return new SeededRandom(this.u32());
  }
}

function rotl(x: number, k: number): number {
  return ((x << k) | (x >>> (32 - k))) >>> 0;
}
