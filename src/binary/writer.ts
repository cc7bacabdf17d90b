/** Fixed-capacity big/little-endian writer; codecs size the buffer exactly before writing. */

export class Writer {
  offset = 0;
  readonly bytes: Uint8Array;
  private readonly view: DataView;

  constructor(size: number) {
    this.bytes = new Uint8Array(size);
    this.view = new DataView(this.bytes.buffer);
  }

  u8(v: number): void {
    this.bytes[this.offset++] = v;
  }

  u16(v: number, littleEndian: boolean): void {
    this.view.setUint16(this.offset, v, littleEndian);
    this.offset += 2;
  }

  u32(v: number, littleEndian: boolean): void {
    this.view.setUint32(this.offset, v, littleEndian);
    this.offset += 4;
  }

  u64(v: bigint, littleEndian: boolean): void {
    this.view.setBigUint64(this.offset, v, littleEndian);
    this.offset += 8;
  }

  raw(b: Uint8Array): void {
    this.bytes.set(b, this.offset);
    this.offset += b.length;
  }
}
