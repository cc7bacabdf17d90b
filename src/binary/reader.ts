/**
 * Cursor over untrusted bytes. Every read is bounds-checked and fails with a
 * DecodeError naming the packet, the field path being read and the offset.
 */
import { DecodeError } from './errors.js';

export class Reader {
  offset = 0;
  private readonly path: (string | number)[] = [];
  /** Made on first use: only 64-bit fields need one, and every received packet is decoded. */
  private view: DataView | undefined;

  constructor(
    readonly bytes: Uint8Array,
    readonly context: string,
  ) {}

  remaining(): number {
    return this.bytes.length - this.offset;
  }

  /** Runs `fn` with `segment` appended to the field path used in error messages. */
  within<T>(segment: string, fn: () => T): T {
    this.enter(segment);
    const value = fn();
    this.leave();
    return value;
  }

  /**
   * Appends a field name, or an array index (shown as `[i]`), to the error path.
   * Hot decoders pair `enter`/`leave` instead of `within` to avoid a closure per field;
   * after a failure the path is left as it was, which is what the error reports.
   */
  enter(segment: string | number): void {
    this.path.push(segment);
  }

  leave(): void {
    this.path.pop();
  }

  fail(reason: string, at = this.offset): never {
    const path = this.path.map((s) => (typeof s === 'number' ? `[${s}]` : s)).join('.');
    throw new DecodeError(this.context, path, at, reason);
  }

  need(n: number): void {
    if (n > this.remaining()) this.fail(`needs ${n} bytes, ${this.remaining()} left`);
  }

  u8(): number {
    this.need(1);
    return this.bytes[this.offset++]!;
  }

  u16(littleEndian: boolean): number {
    this.need(2);
    const b = this.bytes;
    const o = this.offset;
    this.offset = o + 2;
    return littleEndian ? b[o]! | (b[o + 1]! << 8) : (b[o]! << 8) | b[o + 1]!;
  }

  u32(littleEndian: boolean): number {
    this.need(4);
    const b = this.bytes;
    const o = this.offset;
    this.offset = o + 4;
    const v = littleEndian ? b[o]! | (b[o + 1]! << 8) | (b[o + 2]! << 16) | (b[o + 3]! << 24) : (b[o]! << 24) | (b[o + 1]! << 16) | (b[o + 2]! << 8) | b[o + 3]!;
    return v >>> 0;
  }

  u64(littleEndian: boolean): bigint {
    this.need(8);
    this.view ??= new DataView(this.bytes.buffer, this.bytes.byteOffset, this.bytes.byteLength);
    const v = this.view.getBigUint64(this.offset, littleEndian);
    this.offset += 8;
    return v;
  }

  /** Copies `n` bytes out (decoded values never alias the input buffer). */
  take(n: number): Uint8Array {
    this.need(n);
    const out = this.bytes.slice(this.offset, this.offset + n);
    this.offset += n;
    return out;
  }
}
