/** Compile-only: the value types codec combinators infer, and packet definitions that carry them. */
import { describe, expectTypeOf, it } from 'vitest';
import {
  array, bytes, definePacket, literal, mapped, rest, struct, u16be, u64le, u8, union, varBytes, type Codec, type Infer, type PacketDef,
} from '../../src/binary/index.js';

describe('codec inference', () => {
  it('infers scalar and byte-string types', () => {
    expectTypeOf<Infer<typeof u8>>().toEqualTypeOf<number>();
    expectTypeOf<Infer<typeof u64le>>().toEqualTypeOf<bigint>();
    expectTypeOf(literal(0x20)).toEqualTypeOf<Codec<0x20>>();
    expectTypeOf(bytes(32)).toEqualTypeOf<Codec<Uint8Array>>();
    expectTypeOf(varBytes(u16be, 10)).toEqualTypeOf<Codec<Uint8Array>>();
    expectTypeOf(rest()).toEqualTypeOf<Codec<Uint8Array>>();
  });

  it('infers structs and arrays field by field', () => {
    const friend = struct({ id: u8, key: bytes(32), tags: array(u16be, { prefix: u8, max: 4 }) });
    expectTypeOf<Infer<typeof friend>>().toEqualTypeOf<{ id: number; key: Uint8Array; tags: number[] }>();
    expectTypeOf(friend.size).toBeCallableWith({ id: 1, key: new Uint8Array(32), tags: [] });
    // @ts-expect-error a missing field is a compile error
    expectTypeOf(friend.size).toBeCallableWith({ id: 1, key: new Uint8Array(32) });
  });

  it('infers unions as tagged objects the tag narrows', () => {
    const addr = union('family', u8, { 2: struct({ v4: bytes(4) }), 10: struct({ v6: bytes(16) }) });
    type Addr = Infer<typeof addr>;
    expectTypeOf<Addr>().toEqualTypeOf<({ family: 2 } & { v4: Uint8Array }) | ({ family: 10 } & { v6: Uint8Array })>();
    const check = (a: Addr): Uint8Array => (a.family === 2 ? a.v4 : a.v6);
    expectTypeOf(check).returns.toEqualTypeOf<Uint8Array>();
  });

  it('infers mapped codecs from their decode function', () => {
    const flag = mapped(u8, (v, fail) => (v > 1 ? fail('not a boolean') : v === 1), (b: boolean) => (b ? 1 : 0));
    expectTypeOf(flag).toEqualTypeOf<Codec<boolean>>();
  });

  it('carries the value type into packet definitions', () => {
    const ping = definePacket('t.Ping', struct({ id: u16be }), { id: 1 });
    expectTypeOf(ping).toEqualTypeOf<PacketDef<{ id: number }>>();
    expectTypeOf(ping.decode).returns.toEqualTypeOf<{ id: number }>();
    // @ts-expect-error encode takes the packet's value type
    expectTypeOf(ping.encode).toBeCallableWith({ id: 'x' });
  });
});
