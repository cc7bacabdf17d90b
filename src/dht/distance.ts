/**
 * The DHT metric (tox-protocol.md §1.3): XOR distance compared byte-wise, and
 * the bucket index = number of leading equal bits.
 */

/** c-toxcore's `id_closest`: 1 if `a` is closer to `base`, 2 if `b` is, 0 if equal. */
export function closer(base: Uint8Array, a: Uint8Array, b: Uint8Array): 0 | 1 | 2 {
  for (let i = 0; i < 32; i++) {
    const da = base[i]! ^ a[i]!;
    const db = base[i]! ^ b[i]!;
    if (da < db) return 1;
    if (da > db) return 2;
  }
  return 0;
}

/** Sort comparator: negative when `a` is closer to `base` than `b`. */
export function compareDistance(base: Uint8Array, a: Uint8Array, b: Uint8Array): number {
  const c = closer(base, a, b);
  return c === 1 ? -1 : c === 2 ? 1 : 0;
}

/** c-toxcore's `bit_by_bit_cmp`: leading bits (MSB first) that `a` and `b` share, 0..256. */
export function commonPrefixBits(a: Uint8Array, b: Uint8Array): number {
  for (let i = 0; i < 32; i++) {
    const x = a[i]! ^ b[i]!;
    if (x !== 0) return i * 8 + Math.clz32(x) - 24;
  }
  return 256;
}
