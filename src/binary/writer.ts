/** Fixed-capacity big/little-endian writer; codecs size the buffer exactly before writing. */

export class Writer {
  offset = 0;
  readonly bytes: Uint8Array;
  /** Made on first use: only 64-bit fields need one, and a packet is encoded on every send. */
  private view: DataView | undefined;

  constructor(size: number) {
    this.bytes = new Uint8Array(size);
  }

  u8(v: number): void {
    this.bytes[this.offset++] = v;
  }

  u16(v: number, littleEndian: boolean): void {
    const b = this.bytes;
    const o = this.offset;
    if (littleEndian) {
      b[o] = v & 0xff;
      b[o + 1] = v >>> 8;
    } else {
      b[o] = v >>> 8;
      b[o + 1] = v & 0xff;
    }
    this.offset = o + 2;
  }

  u32(v: number, littleEndian: boolean): void {
    const b = this.bytes;
    const o = this.offset;
    if (littleEndian) {
      b[o] = v;
      b[o + 1] = v >>> 8;
      b[o + 2] = v >>> 16;
      b[o + 3] = v >>> 24;
    } else {
      b[o] = v >>> 24;
      b[o + 1] = v >>> 16;
      b[o + 2] = v >>> 8;
      b[o + 3] = v;
    }
    this.offset = o + 4;
  }

  u64(v: bigint, littleEndian: boolean): void {
    this.view ??= new DataView(this.bytes.buffer, this.bytes.byteOffset, this.bytes.byteLength);
    this.view.setBigUint64(this.offset, v, littleEndian);
    this.offset += 8;
  }

  raw(b: Uint8Array): void {
    this.bytes.set(b, this.offset);
    this.offset += b.length;
  }
}
