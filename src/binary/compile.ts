/**
 * Generated `size`/`write`/`read` for struct, array, union and mapped codecs.
 *
 * Why generate code: closures made at one site share one V8 feedback vector, so
 * a generic `for (const [k, c] of fields) out[k] = c.read(r)` loop, shared by the
 * ~120 structs of a node, sees every field name and every codec and turns
 * megamorphic (keyed property lookups, unpredictable calls). Compiling each codec
 * with `new Function` gives it code — and feedback — of its own: fields are named
 * property accesses, a decoded struct is one object literal (one hidden class,
 * keys in declaration order), each inner codec is a captured variable (`c0`, `c1`,
 * …) called from its own site, and fixed-size fields are inlined (`r.take(32)`).
 *
 * Only declared field names (checked to be identifiers), union tags (integers)
 * and fragments written in codec.ts enter the source; every other value is passed
 * in as a captured variable. Behaviour (errors, paths, offsets) is exactly that of
 * the plain combinators in codec.ts.
 */
import { InvalidArgumentError } from '../base/index.js';
import type { ArrayCount, Codec } from './codec.js';
import { EncodeError } from './errors.js';

type Methods<T> = Pick<Codec<T>, 'size' | 'write' | 'read'>;

type Fields = ReadonlyArray<readonly [string, Codec<unknown>]>;

/** How a codec's read and write are pasted into generated code instead of called. */
export interface InlineForm {
  /** An expression reading one value from `r`, failing only through the Reader's own bounds check. */
  readonly read: string;
  /** A statement writing the value of the expression `value` to `w`. */
  write(value: string): string;
}

// Keyed by the method itself, so a copy such as `{ ...codec, read: wrapped }` has its read called, not inlined.
const readForms = new WeakMap<Codec<unknown>['read'], string>();
const writeForms = new WeakMap<Codec<unknown>['write'], InlineForm['write']>();
/** Compiled struct reads, whose fields a union inlines into its own object literal. */
const structReads = new WeakMap<Codec<unknown>['read'], Fields>();

/** Registers `codec`'s inline form. */
export function inlinable<C extends Codec<any>>(codec: C, form: InlineForm): C {
  readForms.set(codec.read, form.read);
  writeForms.set(codec.write, form.write);
  return codec;
}

/** `name` must be usable as `v.name` and `{ name: x }` (`__proto__` would set the prototype). */
function checkName(name: string): void {
  if (!/^[A-Za-z_$][\w$]*$/.test(name) || name === '__proto__') {
    throw new InvalidArgumentError(`codec field name ${JSON.stringify(name)} is not a plain identifier`);
  }
}

function checkObject(v: unknown, what: string): asserts v is Record<string, unknown> {
  if (typeof v !== 'object' || v === null) throw new EncodeError(`expected ${what}, got ${v === null ? 'null' : typeof v}`);
}

/** Compiles `body` (returning `{ size, write, read }`) as a function of `captures`, in a script named `name`. */
function compile<T>(name: string, captures: Record<string, unknown>, body: string): Methods<T> {
  const names = Object.keys(captures);
  const factory = new Function(...names, `'use strict';\n${body}\n//# sourceURL=codec:${name}`) as (...args: unknown[]) => Methods<T>;
  return factory(...Object.values(captures));
}

/** An expression reading one value with codec `c` (captured as `name`). */
function readOf(c: Codec<unknown>, name: string): string {
  return readForms.get(c.read) ?? `${name}.read(r)`;
}

/** A statement writing the value of the expression `value` with codec `c` (captured as `name`). */
function writeOf(c: Codec<unknown>, name: string, value: string): string {
  return writeForms.get(c.write)?.(value) ?? `${name}.write(w, ${value});`;
}

/**
 * Statements reading `fields` (codecs captured as `${prefix}0`, `${prefix}1`, …) into
 * `f0`, `f1`, …, each under its field name in the error path, and the object
 * literal entries (`key: f0`) of the decoded value.
 */
function readFields(fields: Fields, captures: Record<string, unknown>, prefix: string, indent: string): { reads: string; entries: string } {
  const reads = fields.map(([key, codec], i) => {
    captures[`${prefix}${i}`] = codec;
    return `r.enter('${key}'); const f${i} = ${readOf(codec, `${prefix}${i}`)}; r.leave();`;
  });
  return { reads: reads.join(`\n${indent}`), entries: fields.map(([key], i) => `${key}: f${i}`).join(', ') };
}

export function compileStruct<T>(fields: Fields): Methods<T> {
  for (const [key] of fields) checkName(key);
  const captures: Record<string, unknown> = { checkObject };
  const { reads, entries } = readFields(fields, captures, 'c', '    ');
  const sizes = fields.map(([key], i) => `c${i}.size(v.${key})`);
  const writes = fields.map(([key, codec], i) => writeOf(codec, `c${i}`, `v.${key}`));
  const methods = compile<T>(`struct{${fields.map(([k]) => k).join(',')}}`, captures, `return {
  size(v) {
    checkObject(v, 'a struct object');
    return ${sizes.join(' + ') || '0'};
  },
  write(w, v) {
    ${writes.join('\n    ')}
  },
  read(r) {
    ${reads}
    return { ${entries} };
  },
};`);
  structReads.set(methods.read, fields);
  return methods;
}

export function compileArray<T>(item: Codec<T>, count: ArrayCount): Methods<T[]> {
  const captures = {
    EncodeError,
    item,
    itemSize: item.fixedSize,
    prefix: 'prefix' in count ? count.prefix : undefined,
    max: 'max' in count ? count.max : 0,
    n: 'count' in count ? count.count : 0,
  };
  const check =
    'prefix' in count
      ? `if (v.length > max) throw new EncodeError(v.length + ' items exceed the limit of ' + max);
    let total = prefix.size(v.length);`
      : 'count' in count
        ? `if (v.length !== n) throw new EncodeError('expected ' + n + ' items, got ' + v.length);
    let total = 0;`
        : `if (v.length > max) throw new EncodeError(v.length + ' items exceed the limit of ' + max);
    let total = 0;`;
  const readItem = `r.enter(out.length); out.push(${readOf(item, 'item')}); r.leave();`;
  const read =
    'rest' in count
      ? `while (r.remaining() > 0) {
      if (out.length >= max) r.fail('more than ' + max + ' items');
      ${readItem}
    }`
      : `${'prefix' in count ? `const at = r.offset;
    const count = ${readOf(count.prefix, 'prefix')};
    if (count > max) r.fail('count ' + count + ' exceeds ' + max, at);` : 'const count = n;'}
    ${item.fixedSize === undefined ? '' : `// Reject impossible counts before allocating anything.
    if (count * itemSize > r.remaining()) r.fail(count + ' items need ' + count * itemSize + ' bytes, ' + r.remaining() + ' left');`}
    for (let i = 0; i < count; i++) {
      ${readItem}
    }`;
  return compile('array', captures, `return {
  size(v) {
    if (!Array.isArray(v)) throw new EncodeError('expected an array, got ' + typeof v);
    ${check}
    for (let i = 0; i < v.length; i++) total += item.size(v[i]);
    return total;
  },
  write(w, v) {
    ${'prefix' in count ? writeOf(count.prefix, 'prefix', 'v.length') : ''}
    for (let i = 0; i < v.length; i++) ${writeOf(item, 'item', 'v[i]')}
  },
  read(r) {
    const out = [];
    ${read}
    return out;
  },
};`);
}

export function compileUnion<T>(key: string, tag: Codec<number>, variants: ReadonlyArray<readonly [number, Codec<object>]>): Methods<T> {
  checkName(key);
  const captures: Record<string, unknown> = { EncodeError, checkObject, tag };
  const cases = (branch: (c: string, variant: Codec<object>) => string): string =>
    variants
      .map(([t, variant], i) => {
        if (!Number.isInteger(t)) throw new InvalidArgumentError(`union tag ${t} is not an integer`);
        captures[`c${i}`] = variant;
        return `case ${t}: ${branch(`c${i}`, variant)}`;
      })
      .join('\n      ');
  const unknown = `throw new EncodeError('unknown ${key} ' + String(t));`;
  return compile(`union{${key}}`, captures, `return {
  size(v) {
    checkObject(v, 'an object tagged by ${key}');
    const t = v.${key};
    switch (t) {
      ${cases((c) => `return tag.size(t) + ${c}.size(v);`)}
    }
    tag.size(t);
    ${unknown}
  },
  write(w, v) {
    const t = v.${key};
    switch (t) {
      ${cases((c) => `${writeOf(tag, 'tag', 't')} ${c}.write(w, v); return;`)}
    }
    ${writeOf(tag, 'tag', 't')}
    ${unknown}
  },
  read(r) {
    const at = r.offset;
    r.enter('${key}');
    const t = ${readOf(tag, 'tag')};
    r.leave();
    switch (t) {
      ${cases((c, variant) => {
        const fields = structReads.get(variant.read);
        if (!fields) return `return { ${key}: t, ...${c}.read(r) };`;
        // A struct variant's fields go straight into the tagged object (no intermediate object to spread).
        const { reads, entries } = readFields(fields, captures, `${c}_`, '        ');
        return `{\n        ${reads}\n        return { ${key}: t, ${entries} };\n      }`;
      })}
    }
    return r.fail('unknown ${key} ' + t, at);
  },
};`);
}

/**
 * `size` runs before `write` for every value (encoders size the buffer first), so
 * the converted value is kept between the two calls instead of converting twice:
 * the latest in one slot (a struct field: sized, then written), earlier ones — the
 * items of an array, sized before any is written — in a WeakMap.
 */
export function compileMapped<I, O>(inner: Codec<I>, decode: (value: I, fail: (reason: string) => never) => O, encode: (value: O) => I): Methods<O> {
  return compile('mapped', { inner, decode, encode, converted: new WeakMap<object, I>() }, `let slotOuter, slotInner;
return {
  size(v) {
    const i = encode(v);
    if (typeof v === 'object' && v !== null) {
      if (slotOuter !== undefined) converted.set(slotOuter, slotInner);
      slotOuter = v;
      slotInner = i;
    }
    return inner.size(i);
  },
  write(w, v) {
    let i;
    if (typeof v !== 'object' || v === null) {
      i = encode(v);
    } else if (v === slotOuter) {
      i = slotInner;
      slotOuter = slotInner = undefined;
    } else if ((i = converted.get(v)) !== undefined) {
      converted.delete(v);
    } else {
      i = encode(v);
    }
    ${writeOf(inner, 'inner', 'i')}
  },
  read(r) {
    const at = r.offset;
    const value = ${readOf(inner, 'inner')};
    return decode(value, (reason) => r.fail(reason, at));
  },
};`);
}
