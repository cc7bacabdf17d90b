/**
 * The three properties every registered packet must satisfy (round trip,
 * byte-exact re-encode, hostile input), written as functions over a PacketDef
 * so the registry-wide test and the self-test of the properties share them.
 * Each runs fast-check's `assert`, which throws (with the seed) on failure.
 */
import fc from 'fast-check';
import { expect } from 'vitest';
import { concatBytes, toHex } from '../../src/base/index.js';
import { DecodeError, type PacketDef } from '../../src/binary/index.js';
import { arbitraryFor } from '../support/arbitraries.js';

/** Runs per property; raise with TOCSIN_FUZZ_RUNS for long fuzzing sessions. */
export function fuzzRuns(fallback = 150): number {
  const raw = process.env['TOCSIN_FUZZ_RUNS'];
  if (raw === undefined || raw === '') return fallback;
  const n = Number(raw);
  if (!Number.isInteger(n) || n <= 0) throw new Error(`TOCSIN_FUZZ_RUNS must be a positive integer, got ${JSON.stringify(raw)}`);
  return n;
}

/**
 * definePacket turns any non-DecodeError thrown by a codec (a decoder bug such
 * as a RangeError) into a DecodeError whose reason starts with this text.
 */
const INTERNAL_FAILURE = 'internal decoder failure';

/** Decodes `bytes`, failing the property on anything but a clean DecodeError; returns whether it decoded. */
function decodesCleanly(def: PacketDef<unknown>, bytes: Uint8Array): boolean {
  const result = def.tryDecode(bytes);
  if (result.ok) return true;
  const err: unknown = result.error;
  if (!(err instanceof DecodeError)) throw new Error(`${def.name}: decode threw a non-DecodeError: ${String(err)}`);
  if (err.reason.startsWith(INTERNAL_FAILURE)) throw new Error(`${def.name}: decoder bug on ${toHex(bytes)}: ${err.message}`);
  if (err.packet !== def.name) throw new Error(`${def.name}: DecodeError names packet ${err.packet}`);
  return false;
}

/**
 * Byte budget of the values whose encodings the hostile property truncates at
 * every length (quadratic in the size, so smaller than the round-trip budget).
 */
const HOSTILE_BUDGET = 512;

type Mutation =
  | { kind: 'flip'; at: number; bit: number }
  | { kind: 'set'; at: number; value: number }
  | { kind: 'truncate'; at: number }
  | { kind: 'delete'; at: number }
  | { kind: 'insert'; at: number; value: number }
  | { kind: 'extend'; tail: Uint8Array };

const mutationArb: fc.Arbitrary<Mutation> = fc.oneof(
  fc.record({ kind: fc.constant('flip' as const), at: fc.nat(), bit: fc.integer({ min: 0, max: 7 }) }),
  fc.record({ kind: fc.constant('set' as const), at: fc.nat(), value: fc.integer({ min: 0, max: 255 }) }),
  fc.record({ kind: fc.constant('truncate' as const), at: fc.nat() }),
  fc.record({ kind: fc.constant('delete' as const), at: fc.nat() }),
  fc.record({ kind: fc.constant('insert' as const), at: fc.nat(), value: fc.integer({ min: 0, max: 255 }) }),
  fc.record({ kind: fc.constant('extend' as const), tail: fc.uint8Array({ minLength: 1, maxLength: 32 }) }),
);

function mutate(input: Uint8Array, m: Mutation): Uint8Array {
  const b = new Uint8Array(input);
  const at = b.length === 0 ? 0 : m.kind === 'insert' ? m.at % (b.length + 1) : 'at' in m ? m.at % b.length : 0;
  switch (m.kind) {
    case 'flip':
      if (b.length > 0) b[at]! ^= 1 << m.bit;
      return b;
    case 'set':
      if (b.length > 0) b[at] = m.value;
      return b;
    case 'truncate':
      return b.slice(0, at);
    case 'delete':
      return b.length === 0 ? b : concatBytes(b.subarray(0, at), b.subarray(at + 1));
    case 'insert':
      return concatBytes(b.subarray(0, at), Uint8Array.of(m.value), b.subarray(at));
    case 'extend':
      return concatBytes(b, m.tail);
  }
}

/** Byte strings worth decoding: random, random behind the packet id, and mutated valid encodings. */
function candidateBytes(def: PacketDef<unknown>): fc.Arbitrary<Uint8Array> {
  const values = arbitraryFor(def.codec);
  const mutated = fc
    .tuple(values, fc.array(mutationArb, { minLength: 1, maxLength: 3 }))
    .map(([v, ms]) => ms.reduce(mutate, def.encode(v)));
  const random = fc.uint8Array({ maxLength: 256 });
  const withId = def.id === undefined ? random : random.map((b) => concatBytes(Uint8Array.of(def.id!), b));
  return fc.oneof({ arbitrary: mutated, weight: 3 }, { arbitrary: random, weight: 1 }, { arbitrary: withId, weight: 1 });
}

/** (a) decode(encode(v)) deep-equals v, encode(v).length === size(v), also from an offset view. */
export function checkRoundTrip(def: PacketDef<unknown>, numRuns = fuzzRuns()): void {
  fc.assert(
    fc.property(arbitraryFor(def.codec), fc.uint8Array({ minLength: 1, maxLength: 7 }), (value, junk) => {
      const encoded = def.encode(value);
      if (encoded.length !== def.size(value)) throw new Error(`${def.name}: encoded ${encoded.length} bytes, size() says ${def.size(value)}`);
      expectSame(def.decode(encoded), value);
      // A view at a non-zero byteOffset into a larger buffer must decode the same.
      const view = concatBytes(junk, encoded).subarray(junk.length);
      expectSame(def.decode(view), value);
    }),
    { numRuns },
  );
}

/**
 * (b) Whenever arbitrary bytes decode, re-encoding gives exactly those bytes.
 * Packets marked `nonCanonical` get the relaxed form: the re-encoding decodes
 * to the same value.
 */
export function checkCanonical(def: PacketDef<unknown>, numRuns = fuzzRuns()): void {
  fc.assert(
    fc.property(candidateBytes(def), (bytes) => {
      const decoded = def.tryDecode(bytes);
      if (!decoded.ok) return;
      const again = def.encode(decoded.value);
      if (def.nonCanonical) expectSame(def.decode(again), decoded.value);
      else if (toHex(again) !== toHex(bytes)) throw new Error(`${def.name}: ${toHex(bytes)} re-encodes as ${toHex(again)}`);
    }),
    { numRuns },
  );
}

/** (c) Truncations, extensions, bit flips and random buffers raise nothing but DecodeError. */
export function checkHostile(def: PacketDef<unknown>, numRuns = fuzzRuns(100)): void {
  fc.assert(
    fc.property(
      arbitraryFor(def.codec, HOSTILE_BUDGET),
      fc.uint8Array({ minLength: 1, maxLength: 64 }),
      fc.nat(),
      fc.uint8Array({ maxLength: 512 }),
      (value, tail, bitSeed, randomBytes) => {
        const encoded = def.encode(value);
        for (let len = 0; len < encoded.length; len++) {
          const accepted = decodesCleanly(def, encoded.subarray(0, len));
          if (accepted && def.codec.fixedSize !== undefined) throw new Error(`${def.name}: fixed-size packet accepted ${len} of ${encoded.length} bytes`);
        }
        decodesCleanly(def, concatBytes(encoded, tail));
        if (encoded.length > 0) {
          const flipped = new Uint8Array(encoded);
          const bit = bitSeed % (encoded.length * 8);
          flipped[bit >> 3]! ^= 1 << (bit & 7);
          decodesCleanly(def, flipped);
        }
        decodesCleanly(def, randomBytes);
        if (def.id !== undefined) decodesCleanly(def, concatBytes(Uint8Array.of(def.id), randomBytes));
      },
    ),
    { numRuns },
  );
}

/** Strict structural equality, fast on large byte arrays (vitest's generic comparison is not). */
function same(a: unknown, b: unknown): boolean {
  if (a instanceof Uint8Array || b instanceof Uint8Array) {
    return a instanceof Uint8Array && b instanceof Uint8Array && a.constructor === b.constructor && Buffer.compare(a, b) === 0;
  }
  if (Array.isArray(a) || Array.isArray(b)) {
    return Array.isArray(a) && Array.isArray(b) && a.length === b.length && a.every((x, i) => same(x, b[i]));
  }
  if (typeof a === 'object' && a !== null && typeof b === 'object' && b !== null) {
    if (Object.getPrototypeOf(a) !== Object.getPrototypeOf(b)) return false;
    const ka = Object.keys(a).sort();
    const kb = Object.keys(b).sort();
    return ka.length === kb.length && ka.every((k, i) => k === kb[i] && same((a as Record<string, unknown>)[k], (b as Record<string, unknown>)[k]));
  }
  return Object.is(a, b);
}

/** Asserts strict structural equality; on a mismatch, vitest's diff explains it. */
function expectSame(actual: unknown, expected: unknown): void {
  if (same(actual, expected)) return;
  expect(actual).toStrictEqual(expected);
  throw new Error('values differ (prototype, -0 or key order of a nested value)');
}

