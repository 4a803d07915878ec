/**
 * A growable big-endian byte writer for encoders (AMF, MP4 boxes, ...):
 * doubles its buffer as needed and hands out the written bytes as a subarray
 * (no final copy). The counterpart of ByteReader.
 *
 * @example
 * const w = new ByteWriter();
 * w.u8(0x02); w.u16(5); w.bytes(new TextEncoder().encode('hello'));
 * const out = w.finish();
 */
export class ByteWriter {
  private buf: Uint8Array;
  private view: DataView;
  private at = 0;

  constructor(initialCapacity = 256) {
    this.buf = new Uint8Array(Math.max(16, initialCapacity));
    this.view = new DataView(this.buf.buffer);
  }

  /** Bytes written so far. */
  get length(): number {
    return this.at;
  }

  /** The written bytes (a view of the internal buffer: stop writing once taken). */
  finish(): Uint8Array {
    return this.buf.subarray(0, this.at);
  }

  u8(v: number): void {
    this.ensure(1);
    this.buf[this.at++] = v;
  }

  u16(v: number): void {
    this.ensure(2);
    this.view.setUint16(this.at, v);
    this.at += 2;
  }

  u24(v: number): void {
    this.ensure(3);
    this.buf[this.at++] = (v >>> 16) & 0xff;
    this.buf[this.at++] = (v >>> 8) & 0xff;
    this.buf[this.at++] = v & 0xff;
  }

  u32(v: number): void {
    this.ensure(4);
    this.view.setUint32(this.at, v);
    this.at += 4;
  }

  i32(v: number): void {
    this.ensure(4);
    this.view.setInt32(this.at, v);
    this.at += 4;
  }

  u64(v: number): void {
    this.ensure(8);
    this.view.setBigUint64(this.at, BigInt(v));
    this.at += 8;
  }

  f64(v: number): void {
    this.ensure(8);
    this.view.setFloat64(this.at, v);
    this.at += 8;
  }

  bytes(b: Uint8Array): void {
    this.ensure(b.length);
    this.buf.set(b, this.at);
    this.at += b.length;
  }

  /** Overwrite a big-endian u32 already written at `offset` (box sizes, lengths known afterwards). */
  patchU32(offset: number, v: number): void {
    if (offset < 0 || offset + 4 > this.at) throw new RangeError(`patch at ${offset} outside 0..${this.at}`);
    this.view.setUint32(offset, v);
  }

  private ensure(n: number): void {
    if (this.at + n <= this.buf.length) return;
    let size = this.buf.length * 2;
    while (size < this.at + n) size *= 2;
    const next = new Uint8Array(size);
    next.set(this.buf.subarray(0, this.at));
    this.buf = next;
    this.view = new DataView(next.buffer);
  }
}
