// BoxScratch seals into a caller's buffer and opens into a copy, byte for byte like seal/open
// (tox-protocol.md §1.1): same MAC-first layout, the same refusals, and a key change is honoured.
import { describe, expect, it } from 'vitest';
import { SeededRandom } from '../../../src/base/index.js';
import { BoxScratch, generateKeyPair, open, precompute, randomNonce, seal, type Nonce } from '../../../src/crypto/index.js';

function keys() {
  const random = new SeededRandom(4);
  const a = generateKeyPair(random);
  const b = generateKeyPair(random);
  const c = generateKeyPair(random);
  return { random, ab: precompute(b.publicKey, a.secretKey), ac: precompute(c.publicKey, a.secretKey) };
}

describe('BoxScratch', () => {
  it('seals into a buffer at an offset exactly as seal does, for every size and across key changes', () => {
    const { random, ab, ac } = keys();
    const scratch = new BoxScratch(1400);
    for (const [key, size] of [[ab, 1], [ab, 100], [ac, 1400], [ab, 17]] as const) {
      const nonce = randomNonce(random);
      const plain = random.bytes(size);
      const out = new Uint8Array(size + 16 + 5).fill(0xee);
      expect(scratch.sealInto(key, nonce, plain, out, 3)).toBe(size + 16);
      expect([...out.subarray(3, 3 + size + 16)]).toEqual([...seal(key, nonce, plain)]);
      expect([...out.subarray(0, 3)]).toEqual([0xee, 0xee, 0xee]);
      expect(open(key, nonce, out.subarray(3, 3 + size + 16))).toEqual(plain);
      expect(scratch.open(key, nonce, seal(key, nonce, plain))).toEqual(plain);
    }
    scratch.dispose();
  });

  it('refuses what seal/open refuse, returns copies, and throws once disposed', () => {
    const { random, ab, ac } = keys();
    const scratch = new BoxScratch(64);
    const nonce = randomNonce(random) as Nonce;
    expect(() => scratch.sealInto(ab, nonce, new Uint8Array(0), new Uint8Array(32), 0)).toThrow();
    expect(() => scratch.sealInto(ab, nonce, new Uint8Array(65), new Uint8Array(128), 0)).toThrow();
    const sealed = seal(ab, nonce, Uint8Array.of(1, 2, 3));
    const tampered = sealed.slice();
    tampered[0]! ^= 1;
    expect(scratch.open(ab, nonce, tampered)).toBeUndefined();
    expect(scratch.open(ac, nonce, sealed)).toBeUndefined();
    expect(scratch.open(ab, nonce, sealed.subarray(0, 16))).toBeUndefined();
    const opened = scratch.open(ab, nonce, sealed)!;
    scratch.sealInto(ab, nonce, Uint8Array.of(9, 9, 9), new Uint8Array(32), 0);
    expect(opened).toEqual(Uint8Array.of(1, 2, 3)); // a copy: later calls do not touch it
    scratch.dispose();
    expect(() => scratch.sealInto(ab, nonce, Uint8Array.of(1), new Uint8Array(32), 0)).toThrow();
  });
});
