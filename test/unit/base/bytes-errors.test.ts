/** Byte helpers (hex, compare, concat, UTF-8) and the typed error base classes. */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  InvalidArgumentError, InvalidStateError, TimeoutError, ToxError, bytesEqual, compareBytes, concatBytes, fromHex, isToxError, toHex,
  utf8Decode, utf8Encode,
} from '../../../src/base/index.js';

describe('hex', () => {
  it('formats lower or upper case and parses either', () => {
    expect(toHex(Uint8Array.of(0x00, 0x0f, 0xa0, 0xff))).toBe('000fa0ff');
    expect(toHex(Uint8Array.of(0xab, 0xcd), true)).toBe('ABCD');
    expect(fromHex('00Ff7a')).toEqual(Uint8Array.of(0x00, 0xff, 0x7a));
    expect(fromHex('')).toEqual(new Uint8Array(0));
  });

  it('formats only the viewed bytes of a subarray', () => {
    const buf = Uint8Array.of(1, 2, 3, 4, 5);
    expect(toHex(buf.subarray(1, 3))).toBe('0203');
  });

  it('round-trips any bytes', () => {
    fc.assert(fc.property(fc.uint8Array({ maxLength: 64 }), fc.boolean(), (b, upper) => {
      expect(fromHex(toHex(b, upper))).toEqual(b);
    }));
  });

  it('rejects odd lengths and non-hex characters', () => {
    for (const bad of ['a', 'abc', 'zz', '0x12', '12 34', 'g0']) {
      expect(() => fromHex(bad), bad).toThrow(InvalidArgumentError);
    }
  });
});

describe('byte comparisons', () => {
  it('bytesEqual compares length and content', () => {
    expect(bytesEqual(Uint8Array.of(1, 2), Uint8Array.of(1, 2))).toBe(true);
    expect(bytesEqual(Uint8Array.of(1, 2), Uint8Array.of(1, 3))).toBe(false);
    expect(bytesEqual(Uint8Array.of(1, 2), Uint8Array.of(1, 2, 0))).toBe(false);
    expect(bytesEqual(new Uint8Array(0), new Uint8Array(0))).toBe(true);
  });

  it('compareBytes orders lexicographically, shorter prefix first', () => {
    expect(compareBytes(Uint8Array.of(1, 2), Uint8Array.of(1, 3))).toBeLessThan(0);
    expect(compareBytes(Uint8Array.of(2), Uint8Array.of(1, 255))).toBeGreaterThan(0);
    expect(compareBytes(Uint8Array.of(1), Uint8Array.of(1, 0))).toBeLessThan(0);
    expect(compareBytes(Uint8Array.of(7, 7), Uint8Array.of(7, 7))).toBe(0);
    fc.assert(fc.property(fc.uint8Array({ maxLength: 8 }), fc.uint8Array({ maxLength: 8 }), (a, b) => {
      expect(Math.sign(compareBytes(a, b))).toBe(Math.sign(Buffer.compare(a, b)));
    }));
  });

  it('concatBytes joins parts in order', () => {
    expect(concatBytes()).toEqual(new Uint8Array(0));
    expect(concatBytes(Uint8Array.of(1), new Uint8Array(0), Uint8Array.of(2, 3).subarray(1))).toEqual(Uint8Array.of(1, 3));
  });
});

describe('utf8', () => {
  it('encodes and decodes text, replacing invalid sequences', () => {
    expect(utf8Encode('hé✓')).toEqual(Uint8Array.of(0x68, 0xc3, 0xa9, 0xe2, 0x9c, 0x93));
    expect(utf8Decode(utf8Encode('tox 🦊'))).toBe('tox 🦊');
    expect(utf8Decode(Uint8Array.of(0x61, 0xff, 0x62))).toBe('a\ufffdb');
  });
});

describe('errors', () => {
  it('carry stable codes, details and the subclass name', () => {
    const cases: Array<[ToxError, string, string]> = [
      [new InvalidArgumentError('m', { x: 1 }), 'INVALID_ARGUMENT', 'InvalidArgumentError'],
      [new InvalidStateError('m'), 'INVALID_STATE', 'InvalidStateError'],
      [new TimeoutError('m'), 'TIMEOUT', 'TimeoutError'],
      [new ToxError('CUSTOM', 'm'), 'CUSTOM', 'ToxError'],
    ];
    for (const [err, code, name] of cases) {
      expect(err).toBeInstanceOf(Error);
      expect(err.code).toBe(code);
      expect(err.name).toBe(name);
      expect(isToxError(err)).toBe(true);
      expect(isToxError(err, code)).toBe(true);
      expect(isToxError(err, 'OTHER')).toBe(false);
    }
    expect(new InvalidArgumentError('m', { x: 1 }).details).toEqual({ x: 1 });
    expect(new ToxError('C', 'm', {}, { cause: 'root' }).cause).toBe('root');
    expect(isToxError(new Error('plain'))).toBe(false);
    expect(isToxError({ code: 'TIMEOUT' })).toBe(false);
  });
});
