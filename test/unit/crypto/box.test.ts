/** Authenticated encryption: precomputed keys both ways, tamper and length rules, c-toxcore's empty-plaintext rule. */
import { beforeAll, describe, expect, it } from 'vitest';
import { SeededRandom, isToxError } from '../../../src/base/index.js';
import {
  MAC_SIZE, asKey, generateKeyPair, open, openFrom, precompute, tryPrecompute, randomNonce, seal, sealTo, secretboxOpen, secretboxSeal, sodium,
  type DhtPublicKey, type DhtSecretKey, type SharedKey,
} from '../../../src/crypto/index.js';

type Pair = { publicKey: DhtPublicKey; secretKey: DhtSecretKey };
const random = new SeededRandom(2024);
let alice: Pair;
let bob: Pair;

// Key generation needs libsodium, which test/support/setup.ts readies in its own beforeAll.
beforeAll(() => {
  alice = generateKeyPair<DhtPublicKey, DhtSecretKey>(random);
  bob = generateKeyPair<DhtPublicKey, DhtSecretKey>(random);
});
const plain = new TextEncoder().encode('hello over tox');

describe('box with precomputed keys', () => {
  it('computes the same shared key on both sides', () => {
    expect(precompute(bob.publicKey, alice.secretKey)).toEqual(precompute(alice.publicKey, bob.secretKey));
    expect(precompute(bob.publicKey, alice.secretKey)).not.toEqual(precompute(bob.publicKey, bob.secretKey));
  });

  it('opens in both directions and adds exactly the MAC', () => {
    const nonce = randomNonce(random);
    const aliceSide = precompute(bob.publicKey, alice.secretKey);
    const bobSide = precompute(alice.publicKey, bob.secretKey);
    const toBob = seal(aliceSide, nonce, plain);
    expect(toBob.length).toBe(plain.length + MAC_SIZE);
    expect(open(bobSide, nonce, toBob)).toEqual(plain);
    const toAlice = seal(bobSide, nonce, plain);
    expect(open(aliceSide, nonce, toAlice)).toEqual(plain);
  });

  it('matches libsodium crypto_box_easy (MAC first, then ciphertext)', () => {
    const nonce = randomNonce(random);
    expect(sealTo(bob.publicKey, alice.secretKey, nonce, plain)).toEqual(sodium().crypto_box_easy(plain, nonce, bob.publicKey, alice.secretKey));
    const sealed = sodium().crypto_box_easy(plain, nonce, alice.publicKey, bob.secretKey);
    expect(openFrom(bob.publicKey, alice.secretKey, nonce, sealed)).toEqual(plain);
  });

  it('returns undefined for tampered, wrongly keyed or wrongly nonced ciphertexts', () => {
    const nonce = randomNonce(random);
    const key = precompute(bob.publicKey, alice.secretKey);
    const sealed = seal(key, nonce, plain);
    for (const at of [0, MAC_SIZE - 1, MAC_SIZE, sealed.length - 1]) {
      const bad = new Uint8Array(sealed);
      bad[at]! ^= 0x01;
      expect(open(key, nonce, bad), `flip at ${at}`).toBeUndefined();
    }
    expect(open(precompute(alice.publicKey, alice.secretKey), nonce, sealed)).toBeUndefined();
    const otherNonce = new Uint8Array(nonce);
    otherNonce[23]! ^= 1;
    expect(open(key, otherNonce as typeof nonce, sealed)).toBeUndefined();
    expect(open(key, nonce, sealed.subarray(0, sealed.length - 1))).toBeUndefined();
  });

  it('never opens 16 bytes or fewer, and rejects bad key or nonce sizes quietly', () => {
    const nonce = randomNonce(random);
    const key = precompute(bob.publicKey, alice.secretKey);
    for (const n of [0, 1, MAC_SIZE]) expect(open(key, nonce, new Uint8Array(n))).toBeUndefined();
    const sealed = seal(key, nonce, plain);
    expect(open(key.subarray(0, 31) as SharedKey, nonce, sealed)).toBeUndefined();
    expect(open(key, nonce.subarray(0, 23) as typeof nonce, sealed)).toBeUndefined();
  });

  it('refuses to seal an empty plaintext or with bad key material', () => {
    const nonce = randomNonce(random);
    const key = precompute(bob.publicKey, alice.secretKey);
    let err: unknown;
    try {
      seal(key, nonce, new Uint8Array(0));
    } catch (e) {
      err = e;
    }
    expect(isToxError(err, 'EMPTY_PLAINTEXT')).toBe(true);
    expect(() => seal(key.subarray(1) as SharedKey, nonce, plain)).toThrow(expect.objectContaining({ code: 'BAD_KEY' }));
    expect(() => seal(key, nonce.subarray(1) as typeof nonce, plain)).toThrow(expect.objectContaining({ code: 'BAD_KEY' }));
  });
});

describe('low-order public keys from the network', () => {
  it('precompute throws WeakPublicKeyError (an untrusted-input error); tryPrecompute returns undefined', () => {
    const zero = new Uint8Array(32) as DhtPublicKey;
    expect(() => precompute(zero, alice.secretKey)).toThrow(expect.objectContaining({ code: 'WEAK_PUBLIC_KEY' }));
    expect(tryPrecompute(zero, alice.secretKey)).toBeUndefined();
    expect(tryPrecompute(bob.publicKey, alice.secretKey)).toEqual(precompute(bob.publicKey, alice.secretKey));
  });

  it('reports wrong key lengths as API misuse, not as a weak key', () => {
    expect(() => precompute(new Uint8Array(31) as DhtPublicKey, alice.secretKey)).toThrow(expect.objectContaining({ code: 'BAD_KEY' }));
  });
});

describe('secretbox with a random symmetric key', () => {
  it('round-trips and matches libsodium crypto_secretbox_easy', () => {
    const key = asKey<SharedKey>(random.bytes(32));
    const nonce = randomNonce(random);
    const sealed = secretboxSeal(key, nonce, plain);
    expect(sealed).toEqual(sodium().crypto_secretbox_easy(plain, nonce, key));
    expect(secretboxOpen(key, nonce, sealed)).toEqual(plain);
    const bad = new Uint8Array(sealed);
    bad[5]! ^= 0x80;
    expect(secretboxOpen(key, nonce, bad)).toBeUndefined();
  });
});
