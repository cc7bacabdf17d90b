/** Key material: public keys from secrets (RFC 7748 vector), deterministic generation, validation helpers. */
import { describe, expect, it } from 'vitest';
import { InvalidArgumentError, SeededRandom, fromHex, toHex } from '../../../src/base/index.js';
import {
  asKey, asNonce, generateKeyPair, keyId, keyPairFromSecret, keysEqual, publicKeyOf, publicKeyValid, sodium,
  type LongTermSecretKey,
} from '../../../src/crypto/index.js';

// RFC 7748 section 6.1 (X25519): Alice's and Bob's private and public keys.
const RFC7748 = [
  ['77076d0a7318a57d3c16c17251b26645df4c2f87ebc0992ab177fba51db92c2a', '8520f0098930a754748b7ddcb43ef75a0dbf3a0d26381af4eba4a98eaa9b4e6a'],
  ['5dab087e624a8a4b79e17f8b83800ee66f3bb1292618b6fd1c2f8b27ff88e0eb', 'de9edb7d7b7dc1b4d35b61c2ece435373f8343c85b78674dadfc7e146f882b4f'],
] as const;

describe('public keys', () => {
  it('publicKeyOf matches the RFC 7748 X25519 vectors', () => {
    for (const [secret, expected] of RFC7748) {
      expect(toHex(publicKeyOf(fromHex(secret) as LongTermSecretKey))).toBe(expected);
    }
  });

  it('publicKeyOf rejects secrets that are not 32 bytes', () => {
    expect(() => publicKeyOf(new Uint8Array(31) as LongTermSecretKey)).toThrow(InvalidArgumentError);
  });

  it('keyPairFromSecret pairs a secret with its public key', () => {
    const secret = fromHex(RFC7748[1][0]) as LongTermSecretKey;
    const pair = keyPairFromSecret(secret);
    expect(toHex(pair.publicKey)).toBe(RFC7748[1][1]);
    expect(pair.secretKey).toBe(secret);
    expect(() => keyPairFromSecret(new Uint8Array(33) as LongTermSecretKey)).toThrow(InvalidArgumentError);
  });
});

describe('generateKeyPair', () => {
  it('is deterministic under a seeded random source and differs across seeds', () => {
    const a = generateKeyPair(new SeededRandom(9));
    const b = generateKeyPair(new SeededRandom(9));
    const c = generateKeyPair(new SeededRandom(10));
    expect(a).toEqual(b);
    expect(a.secretKey).not.toEqual(c.secretKey);
    expect(a.publicKey).toEqual(publicKeyOf(a.secretKey));
    expect(a.publicKey.length).toBe(32);
  });

  it('gives consecutive pairs from one source distinct keys', () => {
    const random = new SeededRandom(1);
    const first = generateKeyPair(random);
    const second = generateKeyPair(random);
    expect(first.secretKey).not.toEqual(second.secretKey);
  });

  it('produces key pairs libsodium agrees on', () => {
    const random = new SeededRandom(77);
    const a = generateKeyPair(random);
    const b = generateKeyPair(random);
    expect(sodium().crypto_scalarmult(a.secretKey, b.publicKey)).toEqual(sodium().crypto_scalarmult(b.secretKey, a.publicKey));
  });
});

describe('helpers', () => {
  it('asKey and asNonce check lengths', () => {
    const k = new Uint8Array(32);
    expect(asKey(k)).toBe(k);
    expect(() => asKey(new Uint8Array(16), 'peer key')).toThrow(/peer key must be 32 bytes/);
    expect(() => asKey('x' as unknown as Uint8Array)).toThrow(InvalidArgumentError);
    expect(asNonce(new Uint8Array(24)).length).toBe(24);
    expect(() => asNonce(new Uint8Array(32))).toThrow(InvalidArgumentError);
  });

  it('publicKeyValid requires 32 bytes with the top bit of the last byte clear', () => {
    const pk = new Uint8Array(32);
    pk[31] = 0x7f;
    expect(publicKeyValid(pk)).toBe(true);
    pk[31] = 0x80;
    expect(publicKeyValid(pk)).toBe(false);
    expect(publicKeyValid(new Uint8Array(31))).toBe(false);
  });

  it('keysEqual and keyId compare and name keys by content', () => {
    const a = Uint8Array.of(1, 2, 3);
    expect(keysEqual(a, Uint8Array.of(1, 2, 3))).toBe(true);
    expect(keysEqual(a, Uint8Array.of(1, 2, 4))).toBe(false);
    expect(keysEqual(a, Uint8Array.of(1, 2))).toBe(false);
    expect(keyId(Uint8Array.of(0xab, 0x01))).toBe('ab01');
  });
});
