/**
 * SRT sequence numbers are 31-bit counters that wrap
 * (draft-sharabayko-srt 3.1: "Packet Sequence Number: 31 bits"). Comparisons
 * treat two numbers less than 2^30 apart as ordered the short way round, as
 * libsrt's CSeqNo does.
 */

/** Largest sequence number; the next one is 0. */
export const MAX_SEQ = 0x7fffffff;

const HALF = 0x40000000;
const MODULUS = 0x80000000;

/** `seq + n` modulo 2^31 (`n` may be negative). */
export function seqAdd(seq: number, n: number): number {
  return (((seq + n) % MODULUS) + MODULUS) % MODULUS;
}

export function seqInc(seq: number): number {
  return seq === MAX_SEQ ? 0 : seq + 1;
}

export function seqDec(seq: number): number {
  return seq === 0 ? MAX_SEQ : seq - 1;
}

/** Signed distance from `a` to `b` (`b - a`), the short way round the 31-bit circle. */
export function seqDiff(a: number, b: number): number {
  let d = b - a;
  if (d >= HALF) d -= MODULUS;
  else if (d < -HALF) d += MODULUS;
  return d;
}

/** True when `a` comes before `b`. */
export function seqLess(a: number, b: number): boolean {
  return seqDiff(a, b) > 0;
}

/** Number of sequence numbers in the inclusive range `from..to` (1 when equal). */
export function seqRangeLength(from: number, to: number): number {
  return seqDiff(from, to) + 1;
}
