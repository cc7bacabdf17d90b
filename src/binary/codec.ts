/**
 * Codec combinators: each value describes one wire format once and yields its
 * TypeScript type (`Infer`), exact size, encoder and decoder, plus a `shape`
 * that tests walk to generate arbitrary values. Decoders throw only
 * DecodeError; encoders throw EncodeError when handed a value the format
 * cannot represent (API misuse, never untrusted input).
 */
import { ToxError } from '../base/index.js';
import type { Reader } from './reader.js';
import type { Writer } from './writer.js';

export class EncodeError extends ToxError {
  constructor(message: string, details: Record<string, unknown> = {}) {
    super('ENCODE_ERROR', message, details);
  }
}

export type UintWidth = 1 | 2 | 4;

export type CountSpec =
  | { kind: 'prefix'; prefix: Shape; max: number }
  | { kind: 'fixed'; count: number }
  | { kind: 'rest'; max: number };

/** Structural description of a codec, for generators and documentation. */
export type Shape =
  | { type: 'uint'; width: UintWidth; littleEndian: boolean; max: number }
  | { type: 'u64'; littleEndian: boolean }
  | { type: 'literal'; value: number; width: UintWidth; littleEndian: boolean }
  | { type: 'bytes'; length: number }
  | { type: 'varBytes'; prefix: Shape; max: number }
  | { type: 'rest'; max: number }
  | { type: 'array'; item: Shape; count: CountSpec }
  | { type: 'struct'; fields: ReadonlyArray<readonly [string, Shape]> }
  | { type: 'union'; key: string; tag: Shape; variants: ReadonlyArray<readonly [number, Shape]> }
  | { type: 'map'; inner: Shape; decode: (inner: never, fail: (reason: string) => never) => unknown; encode: (outer: never) => unknown };

export interface Codec<T> {
  readonly shape: Shape;
  /** Byte length when every value has the same size. */
  readonly fixedSize: number | undefined;
  size(value: T): number;
  write(w: Writer, value: T): void;
  read(r: Reader): T;
}

export type Infer<C> = C extends Codec<infer T> ? T : never;

// ---------------------------------------------------------------- integers

function uint(width: UintWidth, littleEndian: boolean, max = 2 ** (8 * width) - 1): Codec<number> {
  const limit = 2 ** (8 * width) - 1;
  return {
    shape: { type: 'uint', width, littleEndian, max },
    fixedSize: width,
    size(v) {
      if (!Number.isInteger(v) || v < 0 || v > max) throw new EncodeError(`integer ${v} out of range 0..${max}`);
      return width;
    },
    write(w, v) {
      if (width === 1) w.u8(v);
      else if (width === 2) w.u16(v, littleEndian);
      else w.u32(v, littleEndian);
    },
    read(r) {
      const v = width === 1 ? r.u8() : width === 2 ? r.u16(littleEndian) : r.u32(littleEndian);
      if (v > max && max < limit) r.fail(`value ${v} exceeds ${max}`, r.offset - width);
      return v;
    },
  };
}

export const u8 = uint(1, false);
export const u16be = uint(2, false);
export const u16le = uint(2, true);
export const u32be = uint(4, false);
export const u32le = uint(4, true);

/** An unsigned integer bounded by `max` (the decoder rejects larger values). */
export function boundedUint(width: UintWidth, max: number, littleEndian = false): Codec<number> {
  return uint(width, littleEndian, max);
}

function u64(littleEndian: boolean): Codec<bigint> {
  return {
    shape: { type: 'u64', littleEndian },
    fixedSize: 8,
    size(v) {
      if (typeof v !== 'bigint' || v < 0n || v > 0xffff_ffff_ffff_ffffn) throw new EncodeError(`u64 ${String(v)} out of range`);
      return 8;
    },
    write: (w, v) => w.u64(v, littleEndian),
    read: (r) => r.u64(littleEndian),
  };
}

export const u64be = u64(false);
export const u64le = u64(true);

/** A constant integer (packet ids, magic numbers, cookies); decoding any other value fails. */
export function literal<const V extends number>(value: V, width: UintWidth = 1, littleEndian = false): Codec<V> {
  const inner = uint(width, littleEndian);
  return {
    shape: { type: 'literal', value, width, littleEndian },
    fixedSize: width,
    size: () => width,
    write: (w) => inner.write(w, value),
    read(r) {
      const at = r.offset;
      const v = inner.read(r);
      if (v !== value) r.fail(`expected ${value}, got ${v}`, at);
      return value;
    },
  };
}

/** Throws EncodeError unless `v` is a byte array (a missing field must not surface as a TypeError). */
function checkBytes(v: unknown): asserts v is Uint8Array {
  if (!(v instanceof Uint8Array)) throw new EncodeError(`expected a Uint8Array, got ${v === null ? 'null' : typeof v}`);
}

function checkObject(v: unknown, what: string): asserts v is Record<string, unknown> {
  if (typeof v !== 'object' || v === null) throw new EncodeError(`expected ${what}, got ${v === null ? 'null' : typeof v}`);
}

// ---------------------------------------------------------------- byte strings

/** Exactly `length` bytes. */
export function bytes(length: number): Codec<Uint8Array> {
  return {
    shape: { type: 'bytes', length },
    fixedSize: length,
    size(v) {
      checkBytes(v);
      if (v.length !== length) throw new EncodeError(`expected ${length} bytes, got ${v.length}`);
      return length;
    },
    write: (w, v) => w.raw(v),
    read: (r) => r.take(length),
  };
}

/** A length prefix (`prefix` codec) followed by at most `max` bytes. */
export function varBytes(prefix: Codec<number>, max: number): Codec<Uint8Array> {
  return {
    shape: { type: 'varBytes', prefix: prefix.shape, max },
    fixedSize: undefined,
    size(v) {
      checkBytes(v);
      if (v.length > max) throw new EncodeError(`${v.length} bytes exceed the limit of ${max}`);
      return prefix.size(v.length) + v.length;
    },
    write(w, v) {
      prefix.write(w, v.length);
      w.raw(v);
    },
    read(r) {
      const at = r.offset;
      const n = prefix.read(r);
      if (n > max) r.fail(`length ${n} exceeds ${max}`, at);
      return r.take(n);
    },
  };
}

/** Everything left in the buffer (at most `max` bytes); only valid as the last field. */
export function rest(max = Number.MAX_SAFE_INTEGER): Codec<Uint8Array> {
  return {
    shape: { type: 'rest', max },
    fixedSize: undefined,
    size(v) {
      checkBytes(v);
      if (v.length > max) throw new EncodeError(`${v.length} bytes exceed the limit of ${max}`);
      return v.length;
    },
    write: (w, v) => w.raw(v),
    read(r) {
      if (r.remaining() > max) r.fail(`${r.remaining()} trailing bytes exceed ${max}`);
      return r.take(r.remaining());
    },
  };
}

// ---------------------------------------------------------------- composites

export type ArrayCount =
  | { prefix: Codec<number>; max: number }
  | { count: number }
  | { rest: true; max: number };

/** A sequence of `item`: length-prefixed, fixed-count, or filling the rest of the buffer. */
export function array<T>(item: Codec<T>, count: ArrayCount): Codec<T[]> {
  const spec: CountSpec =
    'prefix' in count
      ? { kind: 'prefix', prefix: count.prefix.shape, max: count.max }
      : 'count' in count
        ? { kind: 'fixed', count: count.count }
        : { kind: 'rest', max: count.max };
  return {
    shape: { type: 'array', item: item.shape, count: spec },
    fixedSize: 'count' in count && item.fixedSize !== undefined ? count.count * item.fixedSize : undefined,
    size(v) {
      if (!Array.isArray(v)) throw new EncodeError(`expected an array, got ${typeof v}`);
      let total = 0;
      if ('prefix' in count) {
        if (v.length > count.max) throw new EncodeError(`${v.length} items exceed the limit of ${count.max}`);
        total += count.prefix.size(v.length);
      } else if ('count' in count) {
        if (v.length !== count.count) throw new EncodeError(`expected ${count.count} items, got ${v.length}`);
      } else if (v.length > count.max) {
        throw new EncodeError(`${v.length} items exceed the limit of ${count.max}`);
      }
      for (const x of v) total += item.size(x);
      return total;
    },
    write(w, v) {
      if ('prefix' in count) count.prefix.write(w, v.length);
      for (const x of v) item.write(w, x);
    },
    read(r) {
      const out: T[] = [];
      if ('rest' in count) {
        while (r.remaining() > 0) {
          if (out.length >= count.max) r.fail(`more than ${count.max} items`);
          const i = out.length;
          r.enter(i);
          out.push(item.read(r));
          r.leave();
        }
        return out;
      }
      let n: number;
      if ('prefix' in count) {
        const at = r.offset;
        n = count.prefix.read(r);
        if (n > count.max) r.fail(`count ${n} exceeds ${count.max}`, at);
      } else {
        n = count.count;
      }
      // Reject impossible counts before allocating anything.
      if (item.fixedSize !== undefined && n * item.fixedSize > r.remaining()) {
        r.fail(`${n} items need ${n * item.fixedSize} bytes, ${r.remaining()} left`);
      }
      for (let i = 0; i < n; i++) {
        r.enter(i);
        out.push(item.read(r));
        r.leave();
      }
      return out;
    },
  };
}

type StructFields = Record<string, Codec<any>>;
export type StructValue<F extends StructFields> = { -readonly [K in keyof F]: Infer<F[K]> };

/** Fields in declaration order. */
export function struct<F extends StructFields>(fields: F): Codec<StructValue<F>> {
  const entries = Object.entries(fields);
  let fixed: number | undefined = 0;
  for (const [, c] of entries) fixed = fixed !== undefined && c.fixedSize !== undefined ? fixed + c.fixedSize : undefined;
  return {
    shape: { type: 'struct', fields: entries.map(([k, c]) => [k, c.shape] as const) },
    fixedSize: fixed,
    size(v) {
      checkObject(v, 'a struct object');
      let total = 0;
      for (const [k, c] of entries) total += c.size(v[k]);
      return total;
    },
    write(w, v) {
      for (const [k, c] of entries) c.write(w, (v as Record<string, unknown>)[k]);
    },
    read(r) {
      const out: Record<string, unknown> = {};
      for (const [k, c] of entries) {
        r.enter(k);
        out[k] = c.read(r);
        r.leave();
      }
      return out as StructValue<F>;
    },
  };
}

type UnionValue<K extends string, V extends Record<number, Codec<object>>> = {
  [T in keyof V & number]: { [P in K]: T } & Infer<V[T]>;
}[keyof V & number];

/**
 * A tag followed by the variant it selects. The decoded value is the variant's
 * object with the tag stored under `key`: `union('family', u8, { 2: ipv4, 10: ipv6 })`.
 */
export function union<K extends string, V extends Record<number, Codec<object>>>(
  key: K,
  tag: Codec<number>,
  variants: V,
): Codec<UnionValue<K, V>> {
  const table = new Map<number, Codec<object>>(Object.entries(variants).map(([t, c]) => [Number(t), c]));
  const variantOf = (t: unknown): Codec<object> => {
    const c = typeof t === 'number' ? table.get(t) : undefined;
    if (!c) throw new EncodeError(`unknown ${key} ${String(t)}`);
    return c;
  };
  return {
    shape: { type: 'union', key, tag: tag.shape, variants: [...table].map(([t, c]) => [t, c.shape] as const) },
    fixedSize: undefined,
    size(v) {
      checkObject(v, `an object tagged by ${key}`);
      const t = v[key] as number;
      return tag.size(t) + variantOf(t).size(v);
    },
    write(w, v) {
      const t = (v as Record<string, unknown>)[key] as number;
      tag.write(w, t);
      variantOf(t).write(w, v);
    },
    read(r) {
      const at = r.offset;
      r.enter(key);
      const t = tag.read(r);
      r.leave();
      const c = table.get(t);
      if (!c) return r.fail(`unknown ${key} ${t}`, at);
      return { [key]: t, ...c.read(r) } as UnionValue<K, V>;
    },
  };
}

/**
 * A codec for `O` built on `inner`: `decode` validates and converts (throwing a
 * message string through `fail` for invalid input), `encode` converts back. The
 * pair must be a bijection on accepted values so re-encoding is byte-exact.
 */
export function mapped<I, O>(
  inner: Codec<I>,
  decode: (value: I, fail: (reason: string) => never) => O,
  encode: (value: O) => I,
): Codec<O> {
  // `size` runs before `write` for every value (encoders size the buffer first), so the
  // converted value is kept between the two calls instead of converting twice.
  const converted = new WeakMap<object, I>();
  const convert = (v: O): I => {
    if (typeof v !== 'object' || v === null) return encode(v);
    const hit = converted.get(v);
    if (hit !== undefined) {
      converted.delete(v);
      return hit;
    }
    return encode(v);
  };
  return {
    shape: { type: 'map', inner: inner.shape, decode: decode as (x: never, fail: (reason: string) => never) => unknown, encode: encode as (x: never) => unknown },
    fixedSize: inner.fixedSize,
    size(v) {
      const i = encode(v);
      if (typeof v === 'object' && v !== null) converted.set(v, i);
      return inner.size(i);
    },
    write: (w, v) => inner.write(w, convert(v)),
    read(r) {
      const at = r.offset;
      const value = inner.read(r);
      return decode(value, (reason) => r.fail(reason, at));
    },
  };
}
