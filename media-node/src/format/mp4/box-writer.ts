import { ProtocolError } from '@runnel/shared';

/**
 * A growable big-endian writer for ISO BMFF boxes (ISO/IEC 14496-12 4.2):
 * `box(type, body)` writes the 32-bit size and the type, runs `body`, then
 * patches the size, so nested boxes need no size arithmetic. `fullBox` adds
 * the version byte and 24-bit flags of a FullBox.
 *
 * @example
 * const w = new BoxWriter();
 * w.box('moov', () => w.fullBox('mvhd', 0, 0, () => w.u32(1000)));
 * const bytes = w.bytes();
 */
export class BoxWriter {
  private buf: Uint8Array;
  private view: DataView;
  private pos = 0;

  constructor(initialBytes = 1024) {
    this.buf = new Uint8Array(initialBytes);
    this.view = new DataView(this.buf.buffer);
  }

  /** Bytes written so far. */
  get length(): number {
    return this.pos;
  }

  /** A copy-free view of what was written (valid until the next write). */
  bytes(): Uint8Array {
    return this.buf.subarray(0, this.pos);
  }

  box(type: string, body: () => void): void {
    const start = this.pos;
    this.u32(0);
    this.fourCc(type);
    body();
    const size = this.pos - start;
    // A box over 4 GiB would need a largesize; moov and sample entries never get near it.
    if (size > 0xffffffff) throw new ProtocolError('mp4_box_too_large', `${type} box of ${size} bytes`);
    this.view.setUint32(start, size);
  }

  /** ISO/IEC 14496-12 4.2: FullBox = Box + version UI8 + flags UI24. */
  fullBox(type: string, version: number, flags: number, body: () => void): void {
    this.box(type, () => {
      this.u8(version);
      this.u24(flags);
      body();
    });
  }

  u8(v: number): void {
    this.ensure(1);
    this.buf[this.pos++] = v;
  }

  u16(v: number): void {
    this.ensure(2);
    this.view.setUint16(this.pos, v);
    this.pos += 2;
  }

  i16(v: number): void {
    this.ensure(2);
    this.view.setInt16(this.pos, v);
    this.pos += 2;
  }

  u24(v: number): void {
    this.ensure(3);
    this.buf[this.pos] = v >>> 16;
    this.buf[this.pos + 1] = v >>> 8;
    this.buf[this.pos + 2] = v;
    this.pos += 3;
  }

  u32(v: number): void {
    this.ensure(4);
    this.view.setUint32(this.pos, v);
    this.pos += 4;
  }

  i32(v: number): void {
    this.ensure(4);
    this.view.setInt32(this.pos, v);
    this.pos += 4;
  }

  /** A non-negative integer up to 2^53 as 64 bits. */
  u64(v: number): void {
    this.ensure(8);
    this.view.setBigUint64(this.pos, BigInt(v));
    this.pos += 8;
  }

  fourCc(s: string): void {
    if (s.length !== 4) throw new ProtocolError('mp4_bad_fourcc', `four-character code ${JSON.stringify(s)}`);
    for (let i = 0; i < 4; i++) this.u8(s.charCodeAt(i));
  }

  zeros(n: number): void {
    this.ensure(n);
    this.buf.fill(0, this.pos, this.pos + n);
    this.pos += n;
  }

  raw(b: Uint8Array): void {
    this.ensure(b.length);
    this.buf.set(b, this.pos);
    this.pos += b.length;
  }

  private ensure(n: number): void {
    if (this.pos + n <= this.buf.length) return;
    let size = this.buf.length * 2;
    while (size < this.pos + n) size *= 2;
    const next = new Uint8Array(size);
    next.set(this.buf.subarray(0, this.pos));
    this.buf = next;
    this.view = new DataView(next.buffer);
  }
}
