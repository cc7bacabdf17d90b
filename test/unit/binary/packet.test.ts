/** Packets (id byte, strict whole-buffer decoding, tryDecode) and registries. */
import { describe, expect, it } from 'vitest';
import { ToxError, isToxError, toHex } from '../../../src/base/index.js';
import { DecodeError, PacketRegistry, Reader, Writer, bytes, definePacket, struct, u16be, u8, type Codec } from '../../../src/binary/index.js';

const ping = definePacket('dht.Ping', struct({ kind: u8, id: u16be }), { id: 0x20 });

describe('definePacket', () => {
  it('prefixes the packet id and counts it in size', () => {
    const value = { kind: 1, id: 0xbeef };
    expect(toHex(ping.encode(value))).toBe('2001beef');
    expect(ping.size(value)).toBe(4);
    expect(ping.id).toBe(0x20);
    expect(ping.nonCanonical).toBe(false);
    expect(ping.decode(Uint8Array.of(0x20, 1, 0xbe, 0xef))).toEqual(value);
  });

  it('rejects a wrong packet id at offset 0', () => {
    const result = ping.tryDecode(Uint8Array.of(0x21, 1, 0xbe, 0xef));
    expect(result.ok).toBe(false);
    if (result.ok) return;
    expect(result.error).toBeInstanceOf(DecodeError);
    expect([result.error.packet, result.error.offset, result.error.reason]).toEqual(['dht.Ping', 0, 'packet id 33, expected 32']);
  });

  it('rejects an empty buffer under the id path', () => {
    const err = ping.tryDecode(new Uint8Array(0));
    expect(err.ok ? undefined : [err.error.path, err.error.offset]).toEqual(['id', 0]);
  });

  it('rejects trailing bytes', () => {
    expect(() => ping.decode(Uint8Array.of(0x20, 1, 0xbe, 0xef, 0))).toThrow(DecodeError);
    const err = ping.tryDecode(Uint8Array.of(0x20, 1, 0xbe, 0xef, 0, 0));
    expect(err.ok ? undefined : [err.error.offset, err.error.reason]).toEqual([4, '2 unexpected trailing bytes']);
  });

  it('works without an id', () => {
    const raw = definePacket('t.Raw', bytes(2));
    expect(raw.id).toBeUndefined();
    expect(raw.encode(Uint8Array.of(1, 2))).toEqual(Uint8Array.of(1, 2));
    expect(raw.size(Uint8Array.of(1, 2))).toBe(2);
    expect(raw.tryDecode(Uint8Array.of(1, 2))).toEqual({ ok: true, value: Uint8Array.of(1, 2) });
  });

  it('decodes a view at a non-zero offset of a larger buffer', () => {
    const backing = Uint8Array.of(0xff, 0xff, 0x20, 7, 0x12, 0x34, 0xff);
    expect(ping.decode(backing.subarray(2, 6))).toEqual({ kind: 7, id: 0x1234 });
  });

  it('wraps a codec bug in a DecodeError that says so', () => {
    const buggy: Codec<number> = { ...u8, read: () => { throw new RangeError('oops'); } };
    const err = definePacket('t.Buggy', buggy).tryDecode(Uint8Array.of(1));
    expect(err.ok).toBe(false);
    if (err.ok) return;
    expect(err.error).toBeInstanceOf(DecodeError);
    expect(err.error.reason).toMatch(/^internal decoder failure: .*oops/);
  });

  it('records nonCanonical', () => {
    expect(definePacket('t.N', u8, { nonCanonical: true }).nonCanonical).toBe(true);
  });
});

describe('PacketRegistry', () => {
  it('prefixes names with the layer and lists packets in order', () => {
    const reg = new PacketRegistry('dht');
    const a = reg.define('A', u8, { id: 1 });
    const b = reg.add(definePacket('dht.B', u16be));
    expect(a.name).toBe('dht.A');
    expect(a.id).toBe(1);
    expect(reg.all().map((d) => d.name)).toEqual(['dht.A', 'dht.B']);
    expect(reg.all()[1]).toBe(b);
    expect(reg.layer).toBe('dht');
  });

  it('refuses duplicate names', () => {
    const reg = new PacketRegistry('net');
    reg.define('X', u8);
    let thrown: unknown;
    try {
      reg.define('X', u16be);
    } catch (err) {
      thrown = err;
    }
    expect(thrown).toBeInstanceOf(ToxError);
    expect(isToxError(thrown, 'DUPLICATE_PACKET')).toBe(true);
    expect(() => reg.add(definePacket('net.X', u8))).toThrow(/twice/);
    expect(reg.all()).toHaveLength(1);
  });
});

describe('Reader and Writer', () => {
  it('read and write both endiannesses at the right offsets', () => {
    const w = new Writer(15);
    w.u8(1);
    w.u16(0x0203, false);
    w.u32(0x04050607, true);
    w.u64(0x08090a0b0c0d0e0fn, false);
    expect(w.offset).toBe(15);
    expect(toHex(w.bytes)).toBe('01020307060504' + '08090a0b0c0d0e0f');
    const r = new Reader(w.bytes, 't');
    expect([r.u8(), r.u16(false), r.u32(true), r.u64(false)]).toEqual([1, 0x0203, 0x04050607, 0x08090a0b0c0d0e0fn]);
    expect(r.remaining()).toBe(0);
  });

  it('fails with the current field path and offset', () => {
    const r = new Reader(Uint8Array.of(1, 2), 'p.Kt');
    r.u8();
    let err: unknown;
    try {
      r.within('outer', () => r.within('inner', () => r.u16(false)));
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(DecodeError);
    expect((err as DecodeError).message).toBe('p.Kt.outer.inner at offset 1: needs 2 bytes, 1 left');
  });
});
