/** Splitting and truncating text at UTF-8 byte limits without breaking characters or grapheme clusters. */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { splitMessage, truncateUtf8, utf8Length } from '../../../../src/runtime/bot/index.js';

const LONE_SURROGATE = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/;
const bytes = (s: string): number => new TextEncoder().encode(s).length;

describe('utf8Length', () => {
  it('matches TextEncoder, lone surrogates included', () => {
    fc.assert(fc.property(fc.string({ unit: 'binary' }), (s) => utf8Length(s) === bytes(s)));
    expect(utf8Length('\ud800x')).toBe(4);
  });
});

describe('splitMessage', () => {
  it('keeps short text whole and gives nothing for empty text', () => {
    expect(splitMessage('hello', 1372)).toEqual(['hello']);
    expect(splitMessage('x'.repeat(1372), 1372)).toEqual(['x'.repeat(1372)]);
    expect(splitMessage('', 1372)).toEqual([]);
  });

  it('cuts at the last whitespace and drops it', () => {
    expect(splitMessage('aaaa bbbb cccc', 10)).toEqual(['aaaa bbbb', 'cccc']);
    expect(splitMessage('aaaa bbbbbb cc', 10)).toEqual(['aaaa', 'bbbbbb cc']);
  });

  it('prefers a line break in the second half of a part', () => {
    expect(splitMessage('aaaaaa\nbb cc dd', 12)).toEqual(['aaaaaa', 'bb cc dd']);
  });

  it('hard-cuts a word longer than the limit', () => {
    expect(splitMessage('x'.repeat(25), 10)).toEqual(['x'.repeat(10), 'x'.repeat(10), 'x'.repeat(5)]);
  });

  it('never splits a multi-byte character or an emoji sequence', () => {
    const family = '👨‍👩‍👧'; // 18 bytes, one grapheme
    const parts = splitMessage(family.repeat(5), 40);
    expect(parts).toEqual([family.repeat(2), family.repeat(2), family]);
    const text = 'é'.repeat(1000); // 2000 bytes
    const p = splitMessage(text, 1372);
    expect(p.map(bytes)).toEqual([1372, 628]);
    expect(p.join('')).toBe(text);
  });

  it('splits a single grapheme bigger than the limit by code points', () => {
    const zalgo = `a${'\u0301'.repeat(10)}`; // 21 bytes, one grapheme
    const parts = splitMessage(zalgo, 8);
    expect(parts.every((p) => bytes(p) <= 8)).toBe(true);
    expect(parts.join('')).toBe(zalgo);
  });

  it('property: parts fit, lose only whitespace at cuts, and never contain broken surrogates', () => {
    fc.assert(
      fc.property(fc.string({ unit: 'grapheme', maxLength: 400 }), fc.integer({ min: 4, max: 60 }), (text, max) => {
        const parts = splitMessage(text, max);
        for (const p of parts) {
          expect(bytes(p)).toBeLessThanOrEqual(max);
          expect(p.length).toBeGreaterThan(0);
          expect(LONE_SURROGATE.test(p)).toBe(false);
        }
        const strip = (s: string): string => s.replace(/\s/g, '');
        expect(strip(parts.join(''))).toBe(strip(text));
      }),
    );
  });
});

describe('truncateUtf8', () => {
  it('keeps what fits, on a grapheme boundary', () => {
    expect(truncateUtf8('short', 128)).toBe('short');
    expect(truncateUtf8('ééé', 5)).toBe('éé');
    expect(truncateUtf8(`ab${'👍🏽'}`, 8)).toBe('ab');
  });
});
