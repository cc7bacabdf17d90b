/**
 * Codec combinators: each value describes one wire format once and yields its
 * TypeScript type (`Infer`), exact size, encoder and decoder, plus a `shape`
 * that tests walk to generate arbitrary values. Decoders throw only
 * DecodeError; encoders throw EncodeError when handed a value the format
 * cannot represent (API misuse, never untrusted input). Struct, array, union
 * and mapped codecs get their methods generated per codec (compile.ts).
 */
import { InvalidArgumentError } from '../base/index.js';
import { compileArray, compileMapped, compileStruct, compileUnion, inlinable } from './compile.js';
import { EncodeError } from './errors.js';
import type { Reader } from './reader.js';
import type { Writer } from './writer.js';

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
  const codec: Codec<number> = {
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
  // Without a bound of its own, the value needs no check beyond the Reader's: generated code reads and writes it directly.
  if (max < limit) return codec;
  return inlinable(
    codec,
    width === 1
      ? { read: 'r.u8()', write: (x) => `w.u8(${x});` }
      : { read: `r.u${8 * width}(${littleEndian})`, write: (x) => `w.u${8 * width}(${x}, ${littleEndian});` },
  );
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
  const codec: Codec<bigint> = {
    shape: { type: 'u64', littleEndian },
    fixedSize: 8,
    size(v) {
      if (typeof v !== 'bigint' || v < 0n || v > 0xffff_ffff_ffff_ffffn) throw new EncodeError(`u64 ${String(v)} out of range`);
      return 8;
    },
    write: (w, v) => w.u64(v, littleEndian),
    read: (r) => r.u64(littleEndian),
  };
  return inlinable(codec, { read: `r.u64(${littleEndian})`, write: (x) => `w.u64(${x}, ${littleEndian});` });
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

// ---------------------------------------------------------------- byte strings

/** Exactly `length` bytes. */
export function bytes(length: number): Codec<Uint8Array> {
  if (!Number.isSafeInteger(length) || length < 0) throw new InvalidArgumentError(`bytes(${length}): not a byte count`);
  const codec: Codec<Uint8Array> = {
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
  return inlinable(codec, { read: `r.take(${length})`, write: (x) => `w.raw(${x});` });
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
    ...compileArray(item, count),
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
    ...compileStruct<StructValue<F>>(entries),
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
  return {
    shape: { type: 'union', key, tag: tag.shape, variants: [...table].map(([t, c]) => [t, c.shape] as const) },
    fixedSize: undefined,
    ...compileUnion<UnionValue<K, V>>(key, tag, [...table]),
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
  return {
    shape: { type: 'map', inner: inner.shape, decode: decode as (x: never, fail: (reason: string) => never) => unknown, encode: encode as (x: never) => unknown },
    fixedSize: inner.fixedSize,
    ...compileMapped(inner, decode, encode),
  };
}
