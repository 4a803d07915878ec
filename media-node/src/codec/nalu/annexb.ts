import { ProtocolError } from '@runnel/shared';
import { MAX_NALUS_PER_ACCESS_UNIT } from './avcc.ts';

/** The 4-byte start code (H.264 B.1.1 zero_byte + start_code_prefix_one_3bytes). */
export const START_CODE = Uint8Array.of(0, 0, 0, 1);

/**
 * Splits an Annex B byte stream (H.264 B.1 / H.265 B.2) into NAL units, as
 * subarrays (no copy). Accepts 3- and 4-byte start codes; bytes before the
 * first start code are ignored (a stream may be cut anywhere); trailing zero
 * bytes of a NAL unit (trailing_zero_8bits, or the zero_byte of the next
 * 4-byte start code) are dropped; empty NAL units are skipped.
 *
 * @example
 * const [aud, sps, pps, idr] = splitAnnexB(pes);
 */
export function splitAnnexB(data: Uint8Array): Uint8Array[] {
  const out: Uint8Array[] = [];
  let start = nextStartCode(data, 0);
  while (start >= 0) {
    const payload = start + 3;
    const next = nextStartCode(data, payload);
    let end = next < 0 ? data.length : next;
    while (end > payload && data[end - 1] === 0) end--;
    if (end > payload) {
      if (out.length >= MAX_NALUS_PER_ACCESS_UNIT) throw new ProtocolError('too_many_nalus', `more than ${MAX_NALUS_PER_ACCESS_UNIT} NALUs in one access unit`);
      out.push(data.subarray(payload, end));
    }
    start = next;
  }
  return out;
}

/** Joins NAL units into an Annex B stream with 4-byte start codes. */
export function joinAnnexB(nalus: readonly Uint8Array[]): Uint8Array {
  let total = 0;
  for (const n of nalus) total += 4 + n.length;
  const out = new Uint8Array(total);
  let pos = 0;
  for (const n of nalus) {
    out.set(START_CODE, pos);
    out.set(n, pos + 4);
    pos += 4 + n.length;
  }
  return out;
}

/** Index of the next `00 00 01` at or after `from`, or -1. */
function nextStartCode(b: Uint8Array, from: number): number {
  for (let i = from; i + 2 < b.length; i++) {
    const c = b[i + 2]!;
    if (c > 1) {
      i += 2; // no `00 00 01` can start at i, i+1 or i+2
      continue;
    }
    if (c === 1 && b[i] === 0 && b[i + 1] === 0) return i;
  }
  return -1;
}
