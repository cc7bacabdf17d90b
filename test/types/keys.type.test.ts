/** Compile-only: branded key types keep long-term, DHT, ephemeral and shared keys apart. */
import { describe, expectTypeOf, it } from 'vitest';
import type {
  DhtPublicKey, DhtSecretKey, EphemeralPublicKey, EphemeralSecretKey, LongTermPublicKey, LongTermSecretKey, Nonce, PublicKey, SharedKey,
} from '../../src/crypto/index.js';
import { open, precompute, publicKeyOf } from '../../src/crypto/index.js';

/** Stands in for any API that wants a long-term key (a Tox ID, a friend). */
type TakesLongTermKey = (key: LongTermPublicKey) => void;

describe('branded keys', () => {
  it('are distinct types that all remain byte arrays', () => {
    expectTypeOf<DhtPublicKey>().not.toEqualTypeOf<LongTermPublicKey>();
    expectTypeOf<DhtPublicKey>().toMatchTypeOf<Uint8Array>();
    expectTypeOf<DhtPublicKey>().toMatchTypeOf<PublicKey>();
    expectTypeOf<SharedKey>().not.toMatchTypeOf<PublicKey>();
  });

  it('reject mixing key kinds and plain bytes', () => {
    expectTypeOf<TakesLongTermKey>().toBeCallableWith({} as LongTermPublicKey);
    // @ts-expect-error a DHT key is not a long-term key
    expectTypeOf<TakesLongTermKey>().toBeCallableWith({} as DhtPublicKey);
    // @ts-expect-error plain bytes must go through asKey
    expectTypeOf<TakesLongTermKey>().toBeCallableWith(new Uint8Array(32));
    expectTypeOf(open).toBeCallableWith({} as SharedKey, {} as Nonce, new Uint8Array(0));
    // @ts-expect-error a shared key is not a nonce
    expectTypeOf(open).toBeCallableWith({} as SharedKey, {} as SharedKey, new Uint8Array(0));
  });

  it('publicKeyOf maps each secret kind to its public kind', () => {
    expectTypeOf(publicKeyOf<LongTermSecretKey>).returns.toEqualTypeOf<LongTermPublicKey>();
    expectTypeOf(publicKeyOf<DhtSecretKey>).returns.toEqualTypeOf<DhtPublicKey>();
    expectTypeOf(publicKeyOf<EphemeralSecretKey>).returns.toEqualTypeOf<EphemeralPublicKey>();
    expectTypeOf(precompute).returns.toEqualTypeOf<SharedKey>();
  });
});
