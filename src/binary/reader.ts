/**
 * Cursor over untrusted bytes. Every read is bounds-checked and fails with a
 * DecodeError naming the packet, the field path being read and the offset.
 */
import { DecodeError } from './errors.js';

export class Reader {
  offset = 0;
  private readonly path: string[] = [];
  private readonly view: DataView;

  constructor(
    readonly bytes: Uint8Array,
    readonly context: string,
  ) {
    this.view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  }

  remaining(): number {
    return this.bytes.length - this.offset;
  }

  /** Runs `fn` with `segment` appended to the field path used in error messages. */
  within<T>(segment: string, fn: () => T): T {
    this.path.push(segment);
    const value = fn();
    this.path.pop();
    return value;
  }

  fail(reason: string, at = this.offset): never {
    throw new DecodeError(this.context, this.path.join('.'), at, reason);
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
    const v = this.view.getUint16(this.offset, littleEndian);
    this.offset += 2;
    return v;
  }

  u32(littleEndian: boolean): number {
    this.need(4);
    const v = this.view.getUint32(this.offset, littleEndian);
    this.offset += 4;
    return v;
  }

  u64(littleEndian: boolean): bigint {
    this.need(8);
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
