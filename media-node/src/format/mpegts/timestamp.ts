import { PTS_MODULO, TS_CLOCK_HZ } from './constants.ts';

/** Milliseconds (FLV/RTMP time) to 90 kHz clock ticks. */
export function msTo90k(ms: number): number {
  return Math.round(ms * (TS_CLOCK_HZ / 1000));
}

/** Any tick count (even negative or past 2^33) reduced to the 33 bits PTS/DTS/PCR carry. */
export function wrap33(ticks: number): number {
  const v = Math.floor(ticks) % PTS_MODULO;
  return v < 0 ? v + PTS_MODULO : v;
}

/**
 * Undoes the 33-bit wrap (every 26.5 hours): the value congruent to `ticks`
 * mod 2^33 that is nearest to `reference` (the previous unwrapped value).
 *
 * @example
 * let last = 0;
 * last = unwrap33(last, pes.pts); // keeps increasing across 2^33
 */
export function unwrap33(reference: number, ticks: number): number {
  const base = reference - wrap33(reference);
  let v = base + wrap33(ticks);
  if (v - reference > PTS_MODULO / 2) v -= PTS_MODULO;
  else if (reference - v > PTS_MODULO / 2) v += PTS_MODULO;
  return v;
}
