import { ProtocolError } from '@runnel/shared';

/**
 * Most NAL units we accept in one access unit. A real frame carries a handful
 * (AUD, SEI, parameter sets, slices); the H.264 A.3.3 slice-rate limit keeps
 * Main/High streams under ~1 400 slices per picture even at level 6.2, and
 * x264/x265/NVENC use at most a few dozen. This bounds the work and the array
 * a garbage frame of 1-byte NAL units could make us build.
 */
export const MAX_NALUS_PER_ACCESS_UNIT = 4096;

/** The NAL unit length field sizes ISO/IEC 14496-15 allows (lengthSizeMinusOne 0, 1, 3). */
export type NaluLengthSize = 1 | 2 | 4;

export function isNaluLengthSize(n: number): n is NaluLengthSize {
  return n === 1 || n === 2 || n === 4;
}

/**
 * Splits a length-prefixed ("AVCC", ISO/IEC 14496-15 5.3.2 / 8.3.2) access
 * unit into its NAL units, as subarrays of the input (no copy). A length of 0
 * or one larger than the bytes left is a `ProtocolError` (bad-inputs row 37):
 * the frame is dropped, never read out of range.
 *
 * @example
 * for (const nal of splitAvcc(frame, config.lengthSize)) if ((nal[0]! & 0x1f) === 5) keyframe = true;
 */
export function splitAvcc(data: Uint8Array, lengthSize: NaluLengthSize): Uint8Array[] {
  const out: Uint8Array[] = [];
  forEachAvccNalu(data, lengthSize, (nal) => {
    out.push(nal);
  });
  return out;
}

/**
 * Calls `visit` for each NAL unit without building an array; `visit` returns
 * `true` to stop early. Same bounds and errors as `splitAvcc`.
 */
export function forEachAvccNalu(
  data: Uint8Array,
  lengthSize: NaluLengthSize,
  visit: (nal: Uint8Array) => boolean | void,
): void {
  let pos = 0;
  let count = 0;
  while (pos < data.length) {
    if (data.length - pos < lengthSize) throw new ProtocolError('avcc_truncated', `${data.length - pos} bytes left, NALU length needs ${lengthSize}`);
    let len = 0;
    for (let i = 0; i < lengthSize; i++) len = len * 256 + data[pos + i]!;
    pos += lengthSize;
    if (len === 0) throw new ProtocolError('avcc_empty_nalu', 'NALU length 0');
    if (len > data.length - pos) throw new ProtocolError('avcc_nalu_overrun', `NALU length ${len} > ${data.length - pos} bytes left`);
    if (++count > MAX_NALUS_PER_ACCESS_UNIT) throw new ProtocolError('too_many_nalus', `more than ${MAX_NALUS_PER_ACCESS_UNIT} NALUs in one access unit`);
    const stop = visit(data.subarray(pos, pos + len));
    pos += len;
    if (stop === true) return;
  }
}

/** Length-prefixes NAL units into one access unit (the inverse of `splitAvcc`). */
export function joinAvcc(nalus: readonly Uint8Array[], lengthSize: NaluLengthSize): Uint8Array {
  const max = 2 ** (8 * lengthSize) - 1;
  let total = 0;
  for (const n of nalus) {
    if (n.length === 0 || n.length > max) throw new ProtocolError('avcc_nalu_size', `NALU of ${n.length} bytes does not fit a ${lengthSize}-byte length`);
    total += lengthSize + n.length;
  }
  const out = new Uint8Array(total);
  let pos = 0;
  for (const n of nalus) {
    let len = n.length;
    for (let i = lengthSize - 1; i >= 0; i--) {
      out[pos + i] = len & 0xff;
      len = Math.floor(len / 256);
    }
    out.set(n, pos + lengthSize);
    pos += lengthSize + n.length;
  }
  return out;
}
