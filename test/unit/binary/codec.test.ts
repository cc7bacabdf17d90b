/** Codec combinators: sizes, byte layout and endianness, limits, and the DecodeError/EncodeError contract. */
import { afterEach, describe, expect, it, vi } from 'vitest';
import { toHex } from '../../../src/base/index.js';
import {
  DecodeError, EncodeError, Reader, array, boundedUint, bytes, definePacket, literal, mapped, rest, struct, u16be, u16le, u32be, u32le,
  u64be, u64le, u8, union, varBytes, type Codec,
} from '../../../src/binary/index.js';

/** Encodes through a one-off packet (no id) and returns hex. */
function hexOf<T>(codec: Codec<T>, value: T): string {
  return toHex(definePacket('t.Value', codec).encode(value));
}

function decodeErrorOf<T>(codec: Codec<T>, hex: string, name = 't.Value'): DecodeError {
  const result = definePacket(name, codec).tryDecode(Uint8Array.from(Buffer.from(hex, 'hex')));
  if (result.ok) throw new Error(`expected ${hex} to be rejected`);
  expect(result.error).toBeInstanceOf(DecodeError);
  return result.error;
}

/** Wraps `codec` so tests can count how often it is asked to read. */
function counting<T>(codec: Codec<T>): { codec: Codec<T>; reads: () => number } {
  let n = 0;
  return {
    codec: { ...codec, read: (r) => (n++, codec.read(r)) },
    reads: () => n,
  };
}

afterEach(() => {
  vi.restoreAllMocks();
});

describe('integers', () => {
  it('have fixed sizes and the declared endianness', () => {
    expect(hexOf(u8, 0xab)).toBe('ab');
    expect(hexOf(u16be, 0x1234)).toBe('1234');
    expect(hexOf(u16le, 0x1234)).toBe('3412');
    expect(hexOf(u32be, 0x01020304)).toBe('01020304');
    expect(hexOf(u32le, 0x01020304)).toBe('04030201');
    expect(hexOf(u64be, 0x0102030405060708n)).toBe('0102030405060708');
    expect(hexOf(u64le, 0x0102030405060708n)).toBe('0807060504030201');
    expect([u8, u16be, u32le, u64be].map((c) => c.fixedSize)).toEqual([1, 2, 4, 8]);
    expect(definePacket('t.U32', u32be).decode(Uint8Array.of(0xff, 0xff, 0xff, 0xfe))).toBe(0xfffffffe);
    expect(definePacket('t.U64', u64le).decode(new Uint8Array(8).fill(0xff))).toBe(2n ** 64n - 1n);
  });

  it('reject out-of-range values with EncodeError', () => {
    for (const bad of [-1, 256, 1.5, Number.NaN]) expect(() => u8.size(bad), String(bad)).toThrow(EncodeError);
    expect(() => u16be.size(0x10000)).toThrow(EncodeError);
    expect(() => u32le.size(2 ** 32)).toThrow(EncodeError);
    expect(() => u64be.size(-1n)).toThrow(EncodeError);
    expect(() => u64be.size(2n ** 64n)).toThrow(EncodeError);
    expect(() => u64be.size(5 as unknown as bigint)).toThrow(EncodeError);
    expect(() => definePacket('t.U8', u8).encode(300)).toThrow(EncodeError);
  });

  it('boundedUint rejects larger values on both sides', () => {
    const small = boundedUint(2, 500);
    expect(hexOf(small, 500)).toBe('01f4');
    expect(() => small.size(501)).toThrow(EncodeError);
    const err = decodeErrorOf(struct({ pad: u8, n: small }), '0001f5');
    expect([err.path, err.offset]).toEqual(['n', 1]);
    expect(err.reason).toContain('exceeds 500');
    expect(hexOf(boundedUint(4, 70_000, true), 70_000)).toBe('70110100');
  });

  it('literal writes its value and rejects any other', () => {
    const magic = literal(0xbeef, 2);
    expect(hexOf(magic, 0xbeef)).toBe('beef');
    expect(hexOf(literal(7, 4, true), 7)).toBe('07000000');
    const err = decodeErrorOf(struct({ a: u8, magic }), '01beee');
    expect([err.path, err.offset]).toEqual(['magic', 1]);
    expect(err.reason).toBe(`expected ${0xbeef}, got ${0xbeee}`);
  });
});

describe('byte strings', () => {
  it('bytes(n) is exactly n bytes and copies out of the input', () => {
    const codec = bytes(3);
    expect(hexOf(codec, Uint8Array.of(1, 2, 3))).toBe('010203');
    expect(() => codec.size(Uint8Array.of(1, 2))).toThrow(EncodeError);
    const input = Uint8Array.of(9, 8, 7);
    const out = definePacket('t.B', codec).decode(input);
    input[0] = 0;
    expect(out).toEqual(Uint8Array.of(9, 8, 7));
    expect(decodeErrorOf(codec, '0102').reason).toBe('needs 3 bytes, 2 left');
  });

  it('varBytes writes its length prefix and enforces max', () => {
    const codec = varBytes(u16le, 4);
    expect(hexOf(codec, Uint8Array.of(0xaa, 0xbb))).toBe('0200aabb');
    expect(codec.size(new Uint8Array(4))).toBe(6);
    expect(() => codec.size(new Uint8Array(5))).toThrow(EncodeError);
    expect(hexOf(varBytes(u8, 10), new Uint8Array(0))).toBe('00');
  });

  it('varBytes rejects an oversized length before taking any bytes', () => {
    const take = vi.spyOn(Reader.prototype, 'take');
    const err = decodeErrorOf(struct({ x: u8, data: varBytes(u16be, 100) }), '07ffff' + '00'.repeat(8));
    expect([err.path, err.offset, err.reason]).toEqual(['data', 1, 'length 65535 exceeds 100']);
    expect(take).not.toHaveBeenCalled();
  });

  it('rest takes everything left, up to max', () => {
    const codec = struct({ a: u8, tail: rest(3) });
    expect(hexOf(codec, { a: 1, tail: Uint8Array.of(2, 3) })).toBe('010203');
    expect(definePacket('t.R', codec).decode(Uint8Array.of(1))).toEqual({ a: 1, tail: new Uint8Array(0) });
    expect(decodeErrorOf(codec, '0102030405').reason).toBe('4 trailing bytes exceed 3');
    expect(() => codec.size({ a: 1, tail: new Uint8Array(4) })).toThrow(EncodeError);
  });
});

describe('arrays', () => {
  it('prefix, fixed and rest counts encode as declared', () => {
    expect(hexOf(array(u16be, { prefix: u8, max: 3 }), [1, 2])).toBe('0200010002');
    expect(hexOf(array(u8, { count: 3 }), [7, 8, 9])).toBe('070809');
    expect(hexOf(array(u8, { rest: true, max: 5 }), [1, 2])).toBe('0102');
    expect(array(u16be, { count: 3 }).fixedSize).toBe(6);
    expect(array(u16be, { prefix: u8, max: 3 }).fixedSize).toBeUndefined();
  });

  it('reject bad item counts on encode', () => {
    expect(() => array(u8, { prefix: u8, max: 2 }).size([1, 2, 3])).toThrow(EncodeError);
    expect(() => array(u8, { count: 2 }).size([1])).toThrow(EncodeError);
    expect(() => array(u8, { rest: true, max: 1 }).size([1, 2])).toThrow(EncodeError);
  });

  it('reject a count above max before reading any item', () => {
    const item = counting(varBytes(u8, 4));
    const err = decodeErrorOf(struct({ list: array(item.codec, { prefix: u16be, max: 3 }) }), '00c8' + '00'.repeat(10));
    expect([err.path, err.offset, err.reason]).toEqual(['list', 0, 'count 200 exceeds 3']);
    expect(item.reads()).toBe(0);
  });

  it('reject counts of fixed-size items that cannot fit before reading any item', () => {
    const item = counting(bytes(32));
    const err = decodeErrorOf(array(item.codec, { prefix: u8, max: 4 }), '03' + 'ab'.repeat(64));
    expect(err.reason).toBe('3 items need 96 bytes, 64 left');
    expect(item.reads()).toBe(0);
  });

  it('rest arrays stop at max items', () => {
    const err = decodeErrorOf(array(u8, { rest: true, max: 2 }), '010203');
    expect([err.offset, err.reason]).toEqual([2, 'more than 2 items']);
  });
});

describe('struct and error paths', () => {
  const friend = struct({ id: u8, name: varBytes(u8, 16) });
  const save = struct({ version: u8, friends: array(friend, { prefix: u8, max: 8 }) });

  it('encodes fields in declaration order with an exact size', () => {
    const value = { version: 1, friends: [{ id: 5, name: Uint8Array.of(0x41) }] };
    expect(hexOf(save, value)).toBe('0101050141');
    expect(save.size(value)).toBe(5);
    expect(struct({ a: u8, b: u32be }).fixedSize).toBe(5);
    expect(save.fixedSize).toBeUndefined();
  });

  it('names the packet, the field path and the offset of a failure', () => {
    // version 1, three friends; the third friend's name claims 5 bytes but only 2 follow.
    const hex = '01' + '03' + '0a0161' + '0b026262' + '0c05' + '6363';
    const err = decodeErrorOf(save, hex, 'storage.Save');
    expect(err.packet).toBe('storage.Save');
    expect(err.path).toBe('friends.[2].name');
    expect(err.offset).toBe(11);
    expect(err.reason).toBe('needs 5 bytes, 2 left');
    expect(err.code).toBe('DECODE_ERROR');
    expect(err.message).toBe('storage.Save.friends.[2].name at offset 11: needs 5 bytes, 2 left');
  });

  it('reports a missing field as EncodeError, not a TypeError', () => {
    expect(() => save.size({ version: 1 } as never)).toThrow(EncodeError);
    expect(() => friend.size({ id: 1 } as never)).toThrow(EncodeError);
    expect(() => save.size(undefined as never)).toThrow(EncodeError);
  });
});

describe('union', () => {
  const addr = union('family', u8, {
    2: struct({ ip: bytes(4) }),
    10: struct({ ip: bytes(16) }),
  });

  it('writes the tag then the selected variant, and decodes back to a tagged object', () => {
    const v4 = { family: 2 as const, ip: Uint8Array.of(127, 0, 0, 1) };
    expect(hexOf(addr, v4)).toBe('027f000001');
    expect(addr.size(v4)).toBe(5);
    expect(definePacket('t.A', addr).decode(Uint8Array.of(2, 127, 0, 0, 1))).toEqual(v4);
  });

  it('rejects an unknown tag on decode and on encode', () => {
    const err = decodeErrorOf(struct({ x: u8, addr }), '0103aabbccdd');
    expect([err.path, err.offset, err.reason]).toEqual(['addr', 1, 'unknown family 3']);
    expect(() => addr.size({ family: 3, ip: new Uint8Array(4) } as never)).toThrow(EncodeError);
  });
});

describe('mapped', () => {
  const even = mapped(u16be, (v, fail) => (v % 2 === 0 ? v / 2 : fail('odd value')), (h: number) => h * 2);

  it('converts both ways and keeps the inner fixed size', () => {
    expect(hexOf(even, 21)).toBe('002a');
    expect(definePacket('t.E', even).decode(Uint8Array.of(0, 42))).toBe(21);
    expect(even.fixedSize).toBe(2);
  });

  it('turns `fail` into a DecodeError at the inner value offset', () => {
    const err = decodeErrorOf(struct({ a: u8, b: even }), '010003');
    expect([err.path, err.offset, err.reason]).toEqual(['b', 1, 'odd value']);
  });

  it('converts each value once per encode, in a field and in array items', () => {
    let conversions = 0;
    const boxed = mapped(u8, (v) => ({ v }), (b: { v: number }) => (conversions++, b.v));
    const packet = definePacket('t.M', struct({ one: boxed, list: array(boxed, { prefix: u8, max: 4 }) }));
    const shared = { v: 9 };
    expect(toHex(packet.encode({ one: { v: 1 }, list: [{ v: 2 }, shared, { v: 3 }, shared] }))).toBe('010402090309');
    expect(conversions).toBe(5);
    // A value sized but never written (size() alone) does not leak into a later encode.
    packet.size({ one: shared, list: [] });
    shared.v = 7;
    expect(toHex(packet.encode({ one: shared, list: [shared, shared] }))).toBe('07020707');
  });
});

describe('generated codecs', () => {
  it('reject field names that are not plain identifiers when declared', () => {
    expect(() => struct({ 'a-b': u8 })).toThrow(/not a plain identifier/);
    expect(() => struct({ ['__proto__']: u8 } as Record<string, Codec<number>>)).toThrow(/not a plain identifier/);
    expect(() => union('x y', u8, { 1: struct({}) })).toThrow(/not a plain identifier/);
  });

  it('call, rather than inline, a copied codec whose read is replaced', () => {
    const item = counting(bytes(2));
    const packet = definePacket('t.C', struct({ a: item.codec, b: array(item.codec, { count: 2 }) }));
    expect(packet.decode(Uint8Array.of(1, 2, 3, 4, 5, 6))).toEqual({ a: Uint8Array.of(1, 2), b: [Uint8Array.of(3, 4), Uint8Array.of(5, 6)] });
    expect(item.reads()).toBe(3);
  });

  it('decode struct variants of a union into one object, tag first, with field paths', () => {
    const node = union('kind', u8, { 1: struct({ id: u16be, key: bytes(2) }), 2: varBytes(u8, 3) as unknown as Codec<object> });
    const decoded = definePacket('t.U', node).decode(Uint8Array.of(1, 0, 5, 0xaa, 0xbb));
    expect(Object.keys(decoded)).toEqual(['kind', 'id', 'key']);
    expect(decoded).toEqual({ kind: 1, id: 5, key: Uint8Array.of(0xaa, 0xbb) });
    const err = decodeErrorOf(node, '010005aa');
    expect([err.path, err.offset, err.reason]).toEqual(['key', 3, 'needs 2 bytes, 1 left']);
  });
});
