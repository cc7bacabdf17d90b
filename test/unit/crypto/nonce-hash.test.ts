/** Nonce counter arithmetic (big-endian 192-bit, wrapping) and SHA-256/512 known answers. */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { InvalidArgumentError, SeededRandom, toHex } from '../../../src/base/index.js';
import { NONCE_SIZE, asNonce, incrementNonce, incrementNonceBy, nonceAdd, randomNonce, sha256, sha512 } from '../../../src/crypto/index.js';

function asBig(nonce: Uint8Array): bigint {
  return BigInt('0x' + (toHex(nonce) || '0'));
}

function fromBig(value: bigint): Uint8Array {
  return Uint8Array.from(Buffer.from(value.toString(16).padStart(NONCE_SIZE * 2, '0'), 'hex'));
}

const MOD = 2n ** 192n;
const nonceArb = fc.oneof(
  fc.uint8Array({ minLength: NONCE_SIZE, maxLength: NONCE_SIZE }),
  // Long runs of 0xff make carries likely.
  fc.integer({ min: 0, max: NONCE_SIZE }).map((n) => Uint8Array.from({ length: NONCE_SIZE }, (_, i) => (i >= NONCE_SIZE - n ? 0xff : 0x42))),
);

describe('incrementNonce', () => {
  it('adds one to the last byte', () => {
    const n = new Uint8Array(NONCE_SIZE);
    incrementNonce(n);
    expect(n[23]).toBe(1);
    expect(n.subarray(0, 23).every((b) => b === 0)).toBe(true);
  });

  it('carries across bytes', () => {
    const n = new Uint8Array(NONCE_SIZE);
    n[21] = 0x01;
    n[22] = 0xff;
    n[23] = 0xff;
    incrementNonce(n);
    expect(toHex(n.subarray(20))).toBe('00020000');
  });

  it('wraps all-ones to zero', () => {
    const n = new Uint8Array(NONCE_SIZE).fill(0xff);
    incrementNonce(n);
    expect(n).toEqual(new Uint8Array(NONCE_SIZE));
  });

  it('is +1 modulo 2^192', () => {
    fc.assert(fc.property(nonceArb, (start) => {
      const n = new Uint8Array(start);
      incrementNonce(n);
      expect(asBig(n)).toBe((asBig(start) + 1n) % MOD);
    }));
  });
});

describe('incrementNonceBy', () => {
  it('adds a u32 with carries, modulo 2^192', () => {
    fc.assert(fc.property(nonceArb, fc.oneof(fc.nat({ max: 0xffff_ffff }), fc.constantFrom(0, 1, 0xff, 0x100, 0xffff_ffff)), (start, by) => {
      const n = new Uint8Array(start);
      incrementNonceBy(n, by);
      expect(asBig(n)).toBe((asBig(start) + BigInt(by)) % MOD);
    }));
  });

  it('carries a full u32 into the fifth byte from the end', () => {
    const n = fromBig(0xffff_ffffn);
    incrementNonceBy(n, 0xffff_ffff);
    expect(toHex(n.subarray(18))).toBe('0001fffffffe');
  });

  it('rejects values that are not u32', () => {
    const n = new Uint8Array(NONCE_SIZE);
    for (const bad of [-1, 1.5, 2 ** 32, Number.NaN]) expect(() => incrementNonceBy(n, bad)).toThrow(InvalidArgumentError);
    expect(n).toEqual(new Uint8Array(NONCE_SIZE));
  });

  it('nonceAdd returns an advanced copy and leaves the input alone', () => {
    const start = asNonce(fromBig(0x01ffn));
    const next = nonceAdd(start, 2);
    expect(asBig(next)).toBe(0x0201n);
    expect(asBig(start)).toBe(0x01ffn);
  });
});

describe('randomNonce', () => {
  it('draws 24 bytes from the injected source', () => {
    expect(randomNonce(new SeededRandom(4))).toEqual(randomNonce(new SeededRandom(4)));
    expect(randomNonce(new SeededRandom(4)).length).toBe(NONCE_SIZE);
  });
});

describe('hashes', () => {
  const abc = new TextEncoder().encode('abc');

  it('sha256 matches the FIPS 180-2 vectors', () => {
    expect(toHex(sha256(abc))).toBe('ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad');
    expect(toHex(sha256(new Uint8Array(0)))).toBe('e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855');
  });

  it('sha512 matches the FIPS 180-2 vectors', () => {
    expect(toHex(sha512(abc))).toBe(
      'ddaf35a193617abacc417349ae20413112e6fa4e89a97ea20a9eeee64b55d39a2192992a274fc1a836ba3c23a3feebbd454d4423643ce80e2a9ac94fa54ca49f',
    );
    expect(toHex(sha512(new Uint8Array(0)))).toBe(
      'cf83e1357eefb8bdf1542850d66d8007d620e4050b5715dc83f4a921d36ce9ce47d0d13c5d85f2b0ff8318d2877eec2f63b931bd47417a81a538327af927da3e',
    );
  });

  it('hash only the viewed bytes of a subarray', () => {
    const backing = new TextEncoder().encode('xxabcxx');
    expect(sha256(backing.subarray(2, 5))).toEqual(sha256(abc));
    expect(sha512(backing.subarray(2, 5))).toEqual(sha512(abc));
  });
});
