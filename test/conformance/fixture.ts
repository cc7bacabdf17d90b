/**
 * The contract between the conformance suites and an implementation under
 * test: two stacks that can reach each other, the addresses to bind, and the
 * few time helpers whose meaning differs (real polling vs virtual time).
 */
import type { NetStack } from '../../src/net/index.js';

export interface NetFixture {
  /** Two stacks that reach each other (the real stack is the same object twice). */
  readonly a: NetStack;
  readonly b: NetStack;
  /** A specific address of the family under test, on `a` and on `b`. */
  readonly hostA: string;
  readonly hostB: string;
  /** The wildcard of the family under test (`0.0.0.0` or `::`). */
  readonly wildcard: string;
  /** An address of the family under test that neither stack has. */
  readonly foreignHost: string;
  /**
   * Size of the bulk echo: large enough that `write()` must refuse at some
   * point (real sockets only do once the kernel's buffers, several MB on
   * loopback, are full).
   */
  readonly bulkBytes: number;
  /** For IPv6 fixtures: IPv4 addresses of `a` and `b`, to test dual-stack `::`. */
  readonly ipv4?: { readonly hostA: string; readonly hostB: string };
  /** Resolves once `pred()` holds; rejects after `timeoutMs` (real or virtual). */
  waitFor(pred: () => boolean, what: string, timeoutMs?: number): Promise<void>;
  /** Lets `ms` of time pass. */
  pass(ms: number): Promise<void>;
  /** Awaits `promise`, moving time along while it is pending. */
  settle<T>(promise: Promise<T>, timeoutMs?: number): Promise<T>;
  /** Checks that nothing was left open or scheduled, then releases the fixture. */
  teardown(): Promise<void>;
}

export type FixtureFactory = () => Promise<NetFixture>;

/** A promise's outcome, to assert on rejections after `settle`. */
export async function outcome<T>(promise: Promise<T>): Promise<{ ok: true; value: T } | { ok: false; error: unknown }> {
  try {
    return { ok: true, value: await promise };
  } catch (error) {
    return { ok: false, error };
  }
}

/** Deterministic test bytes: a simple affine pattern that makes misordering visible. */
export function pattern(length: number, seed = 1): Uint8Array {
  const out = new Uint8Array(length);
  let x = seed & 0xff;
  for (let i = 0; i < length; i++) {
    x = (x * 73 + 41 + (i >> 8)) & 0xff;
    out[i] = x;
  }
  return out;
}
