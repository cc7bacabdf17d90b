/**
 * Codec shape → fast-check arbitrary of VALUES of that codec. Walks the `Shape`
 * metadata every combinator in src/binary/codec.ts carries, so any packet added
 * to a registry gets generators for free. Variable-length parts share a byte
 * budget (default 2 KiB per sample) so property tests stay fast; `map` shapes
 * generate their inner value and keep only those their `decode` accepts.
 */
import fc from 'fast-check';
import type { Codec, CountSpec, Shape } from '../../src/binary/index.js';

/** Default byte budget for the variable-length parts of one generated value. */
export const DEFAULT_BUDGET = 2048;
/** Upper bound on the item count of variable-count arrays (before the budget split). */
const MAX_ITEMS = 64;

/** Thrown by the `fail` callback handed to a map's `decode`; marks the value as rejected. */
class Rejected extends Error {}

function reject(reason: string): never {
  throw new Rejected(reason);
}

/** Smallest encoded size of any value of `shape`. */
export function minSize(shape: Shape): number {
  switch (shape.type) {
    case 'uint':
    case 'literal':
      return shape.width;
    case 'u64':
      return 8;
    case 'bytes':
      return shape.length;
    case 'varBytes':
      return minSize(shape.prefix);
    case 'rest':
      return 0;
    case 'array': {
      const c = shape.count;
      if (c.kind === 'prefix') return minSize(c.prefix);
      return c.kind === 'fixed' ? c.count * minSize(shape.item) : 0;
    }
    case 'struct':
      return shape.fields.reduce((sum, [, f]) => sum + minSize(f), 0);
    case 'union':
      return minSize(shape.tag) + Math.min(...shape.variants.map(([, v]) => minSize(v)));
    case 'map':
      return minSize(shape.inner);
  }
}

/** True when every value of `shape` encodes to the same number of bytes. */
function isFixed(shape: Shape): boolean {
  switch (shape.type) {
    case 'uint':
    case 'literal':
    case 'u64':
    case 'bytes':
      return true;
    case 'varBytes':
    case 'rest':
    case 'union':
      return false;
    case 'array':
      return shape.count.kind === 'fixed' && isFixed(shape.item);
    case 'struct':
      return shape.fields.every(([, f]) => isFixed(f));
    case 'map':
      return isFixed(shape.inner);
  }
}

/** Largest length a length/count prefix can carry. */
function prefixLimit(prefix: Shape): number {
  switch (prefix.type) {
    case 'uint':
      return prefix.max;
    case 'literal':
      return prefix.value;
    default:
      throw new Error(`arbitraries: unsupported length prefix shape '${prefix.type}'`);
  }
}

/** A length in [min, max], with both ends reachable. */
function lengthArb(min: number, max: number): fc.Arbitrary<number> {
  return fc.integer({ min, max: Math.max(min, max) });
}

function byteArrayArb(min: number, max: number): fc.Arbitrary<Uint8Array> {
  return lengthArb(min, max).chain((n) => fc.uint8Array({ minLength: n, maxLength: n }));
}

function countRange(count: CountSpec, itemMin: number, budget: number): [number, number] {
  if (count.kind === 'fixed') return [count.count, count.count];
  const declared = count.kind === 'prefix' ? Math.min(count.max, prefixLimit(count.prefix)) : count.max;
  const affordable = itemMin > 0 ? Math.floor(budget / itemMin) : MAX_ITEMS;
  return [0, Math.max(0, Math.min(declared, affordable, MAX_ITEMS))];
}

function arrayArb(shape: Extract<Shape, { type: 'array' }>, budget: number): fc.Arbitrary<unknown[]> {
  const itemMin = minSize(shape.item);
  const overhead = shape.count.kind === 'prefix' ? minSize(shape.count.prefix) : 0;
  const [lo, hi] = countRange(shape.count, itemMin, budget - overhead);
  return lengthArb(lo, hi).chain((n) => {
    // Variable-size items split what is left of the budget between them.
    const itemBudget = n === 0 ? 0 : Math.max(itemMin, Math.floor((budget - overhead) / n));
    const item = arbitraryOf(shape.item, itemBudget);
    return fc.array(item, { minLength: n, maxLength: n });
  });
}

function structArb(shape: Extract<Shape, { type: 'struct' }>, budget: number): fc.Arbitrary<Record<string, unknown>> {
  const fixedBytes = shape.fields.reduce((sum, [, f]) => sum + (isFixed(f) ? minSize(f) : 0), 0);
  const variable = shape.fields.filter(([, f]) => !isFixed(f)).length;
  const share = variable === 0 ? 0 : Math.max(0, Math.floor((budget - fixedBytes) / variable));
  const model: Record<string, fc.Arbitrary<unknown>> = {};
  for (const [name, field] of shape.fields) model[name] = arbitraryOf(field, isFixed(field) ? minSize(field) : share);
  return fc.record(model, { noNullPrototype: true });
}

function unionArb(shape: Extract<Shape, { type: 'union' }>, budget: number): fc.Arbitrary<unknown> {
  const inner = budget - minSize(shape.tag);
  const variants = shape.variants.map(([tag, variant]) =>
    arbitraryOf(variant, inner).map((v) => ({ [shape.key]: tag, ...(v as object) })),
  );
  return fc.oneof(...variants);
}

function mapArb(shape: Extract<Shape, { type: 'map' }>, budget: number): fc.Arbitrary<unknown> {
  const decode = shape.decode as (inner: unknown, fail: (reason: string) => never) => unknown;
  return arbitraryOf(shape.inner, budget)
    .map((inner) => {
      try {
        return { ok: true as const, value: decode(inner, reject) };
      } catch (err) {
        if (err instanceof Rejected) return { ok: false as const };
        throw err;
      }
    })
    .filter((r) => r.ok)
    .map((r) => (r as { value: unknown }).value);
}

/** Arbitrary of values of `shape`, keeping variable-length parts within about `budget` bytes. */
export function arbitraryOf(shape: Shape, budget = DEFAULT_BUDGET): fc.Arbitrary<unknown> {
  switch (shape.type) {
    case 'uint':
      return fc.integer({ min: 0, max: shape.max });
    case 'u64':
      return fc.bigInt({ min: 0n, max: 0xffff_ffff_ffff_ffffn });
    case 'literal':
      return fc.constant(shape.value);
    case 'bytes':
      return fc.uint8Array({ minLength: shape.length, maxLength: shape.length });
    case 'varBytes': {
      const room = budget - minSize(shape.prefix);
      return byteArrayArb(0, Math.min(shape.max, prefixLimit(shape.prefix), room));
    }
    case 'rest':
      return byteArrayArb(0, Math.min(shape.max, budget));
    case 'array':
      return arrayArb(shape, budget);
    case 'struct':
      return structArb(shape, budget);
    case 'union':
      return unionArb(shape, budget);
    case 'map':
      return mapArb(shape, budget);
  }
}

/** Typed convenience wrapper: arbitrary of values of `codec`. */
export function arbitraryFor<T>(codec: Codec<T>, budget = DEFAULT_BUDGET): fc.Arbitrary<T> {
  return arbitraryOf(codec.shape, budget) as fc.Arbitrary<T>;
}
