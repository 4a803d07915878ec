import { NeedMoreBytes, ProtocolError } from '@runnel/shared';

/**
 * Exp-Golomb codes longer than this are malformed: H.264 9.1 / H.265 9.2 code
 * every ue(v) syntax element in at most 32 bits of value (leadingZeroBits ≤ 31),
 * so more zeros can only be garbage and would otherwise overflow the value.
 */
export const MAX_EXP_GOLOMB_LEADING_ZEROS = 31;

/**
 * A bounds-checked MSB-first bit cursor over an RBSP (emulation prevention
 * already removed, see `nalToRbsp`) or any other bit-packed header (AAC ASC,
 * AV1 sequence header). Reading past the end throws `NeedMoreBytes`; an
 * Exp-Golomb code that cannot be valid throws a `ProtocolError`.
 *
 * @example
 * const r = new BitReader(rbsp);
 * const profile = r.u(8); r.skip(16); const id = r.ue();
 */
export class BitReader {
  private readonly buf: Uint8Array;
  private readonly endBit: number;
  private bit = 0;

  constructor(buf: Uint8Array) {
    this.buf = buf;
    this.endBit = buf.length * 8;
  }

  /** Bits not yet read. */
  get bitsLeft(): number {
    return this.endBit - this.bit;
  }

  /** Position in bits from the start of the buffer. */
  get bitPos(): number {
    return this.bit;
  }

  /** Reads `n` (0..32) bits as an unsigned number. */
  u(n: number): number {
    if (n > this.endBit - this.bit) throw new NeedMoreBytes('bitstream');
    let v = 0;
    for (let i = 0; i < n; i++) {
      const b = this.bit++;
      // Multiply rather than shift: a 32-bit value must not turn negative.
      v = v * 2 + ((this.buf[b >>> 3]! >>> (7 - (b & 7))) & 1);
    }
    return v;
  }

  flag(): boolean {
    return this.u(1) === 1;
  }

  skip(n: number): void {
    if (n > this.endBit - this.bit) throw new NeedMoreBytes('bitstream');
    this.bit += n;
  }

  /** Unsigned Exp-Golomb, H.264 9.1 ue(v). */
  ue(): number {
    let zeros = 0;
    while (this.u(1) === 0) {
      zeros++;
      if (zeros > MAX_EXP_GOLOMB_LEADING_ZEROS) throw new ProtocolError('exp_golomb_overflow', 'Exp-Golomb code longer than 32 bits');
    }
    return 2 ** zeros - 1 + this.u(zeros);
  }

  /** Signed Exp-Golomb, H.264 9.1.1 se(v). */
  se(): number {
    const k = this.ue();
    return k % 2 === 1 ? (k + 1) / 2 : k === 0 ? 0 : -(k / 2);
  }

  /** Skips to the next byte boundary. */
  align(): void {
    this.bit = Math.min(this.endBit, (this.bit + 7) & ~7);
  }
}
