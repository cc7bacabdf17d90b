/**
 * Packets: a named codec, optionally behind a one-byte packet id, with whole-
 * buffer encode/decode. Decoding is strict: the codec must consume every byte
 * (formats that end in `rest` consume everything by construction).
 */
import { ToxError } from '../base/index.js';
import type { Codec } from './codec.js';
import { DecodeError } from './errors.js';
import { Reader } from './reader.js';
import { Writer } from './writer.js';

export type DecodeResult<T> = { ok: true; value: T } | { ok: false; error: DecodeError };

export interface PacketDef<T> {
  /** Dotted name, e.g. `dht.PingRequest`; used in DecodeError and registries. */
  readonly name: string;
  /** First byte on the wire, when the format starts with a packet id. */
  readonly id: number | undefined;
  readonly codec: Codec<T>;
  /** Set when two byte strings may decode to one value (re-encode property relaxed). */
  readonly nonCanonical: boolean;
  size(value: T): number;
  encode(value: T): Uint8Array;
  /** Throws DecodeError on any malformed input. */
  decode(bytes: Uint8Array): T;
  tryDecode(bytes: Uint8Array): DecodeResult<T>;
}

export interface PacketOptions {
  id?: number;
  nonCanonical?: boolean;
}

export function definePacket<T>(name: string, codec: Codec<T>, options: PacketOptions = {}): PacketDef<T> {
  const id = options.id;
  const prefix = id === undefined ? 0 : 1;
  const def: PacketDef<T> = {
    name,
    id,
    codec,
    nonCanonical: options.nonCanonical ?? false,
    size: (value) => prefix + codec.size(value),
    encode(value) {
      const w = new Writer(prefix + codec.size(value));
      if (id !== undefined) w.u8(id);
      codec.write(w, value);
      return w.bytes;
    },
    decode(bytes) {
      const r = new Reader(bytes, name);
      try {
        if (id !== undefined) {
          r.enter('id');
          const got = r.u8();
          r.leave();
          if (got !== id) r.fail(`packet id ${got}, expected ${id}`, 0);
        }
        const value = codec.read(r);
        if (r.remaining() > 0) r.fail(`${r.remaining()} unexpected trailing bytes`);
        return value;
      } catch (err) {
        if (err instanceof DecodeError) throw err;
        // A codec bug must still surface as DecodeError to the packet router, but loudly.
        throw new DecodeError(name, '', r.offset, `internal decoder failure: ${err instanceof ToxError ? err.message : String(err)}`);
      }
    },
    tryDecode(bytes) {
      try {
        return { ok: true, value: def.decode(bytes) };
      } catch (err) {
        return { ok: false, error: err as DecodeError };
      }
    },
  };
  return def;
}

/** The packets one layer defines, so tests can iterate all of them. */
export class PacketRegistry {
  private readonly defs: PacketDef<unknown>[] = [];

  constructor(readonly layer: string) {}

  add<T>(def: PacketDef<T>): PacketDef<T> {
    if (this.defs.some((d) => d.name === def.name)) throw new ToxError('DUPLICATE_PACKET', `packet ${def.name} registered twice`);
    this.defs.push(def as PacketDef<unknown>);
    return def;
  }

  /** Shorthand for `add(definePacket(...))`. */
  define<T>(name: string, codec: Codec<T>, options: PacketOptions = {}): PacketDef<T> {
    return this.add(definePacket(`${this.layer}.${name}`, codec, options));
  }

  all(): readonly PacketDef<unknown>[] {
    return this.defs;
  }
}
