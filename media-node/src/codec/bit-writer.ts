/**
 * An MSB-first bit writer for the small bit-packed headers we encode (AAC
 * AudioSpecificConfig, ADTS). Grows as needed; `finish()` pads the last byte
 * with zero bits and returns exactly the bytes written.
 */
export class BitWriter {
  private buf = new Uint8Array(16);
  private bit = 0;

  /** Writes the low `n` (0..32) bits of `value`, most significant first. */
  u(n: number, value: number): void {
    for (let i = n - 1; i >= 0; i--) {
      const byte = this.bit >>> 3;
      if (byte >= this.buf.length) {
        const bigger = new Uint8Array(this.buf.length * 2);
        bigger.set(this.buf);
        this.buf = bigger;
      }
      // Divide rather than shift so values up to 2^32-1 keep their top bit.
      const b = Math.floor(value / 2 ** i) & 1;
      if (b) this.buf[byte]! |= 0x80 >>> (this.bit & 7);
      this.bit++;
    }
  }

  flag(v: boolean): void {
    this.u(1, v ? 1 : 0);
  }

  /** Unsigned Exp-Golomb (H.264 9.1), for values 0..2^32-2. */
  ue(value: number): void {
    const v = value + 1;
    const bits = Math.floor(Math.log2(v)) + 1;
    this.u(bits - 1, 0);
    this.u(bits, v);
  }

  /** Signed Exp-Golomb (H.264 9.1.1). */
  se(value: number): void {
    this.ue(value > 0 ? 2 * value - 1 : -2 * value);
  }

  get bitLength(): number {
    return this.bit;
  }

  finish(): Uint8Array {
    return this.buf.slice(0, (this.bit + 7) >>> 3);
  }
}
