import { joinAnnexB } from './annexb.ts';
import { forEachAvccNalu } from './avcc.ts';
import type { NaluLengthSize } from './avcc.ts';

/** What differs between H.264 and H.265 when an access unit goes to Annex B. */
export interface AnnexBRules {
  /** nal_unit_type of a NAL unit. */
  readonly typeOf: (nal: Uint8Array) => number;
  /** The access unit delimiter NAL unit to write first, and its type. */
  readonly aud: Uint8Array;
  readonly audType: number;
  /** Parameter set types a random access point needs in band (SPS+PPS; VPS+SPS+PPS). */
  readonly paramTypes: readonly number[];
  /** Whether a NAL unit of this type makes the access unit a random access point. */
  readonly isKey: (type: number) => boolean;
}

/**
 * Converts one length-prefixed access unit to Annex B for MPEG-TS: one AUD
 * first (any AUD in the input is dropped, since a second one would start a new
 * access unit), then, when the access unit is a random access point missing
 * one of the parameter set types, `paramSets` (from the decoder configuration
 * record), then the access unit's own NAL units. Returns one new buffer.
 */
export function accessUnitToAnnexB(
  au: Uint8Array,
  lengthSize: NaluLengthSize,
  paramSets: readonly Uint8Array[],
  rules: AnnexBRules,
): Uint8Array {
  const nalus: Uint8Array[] = [];
  const seen = new Set<number>();
  let key = false;
  forEachAvccNalu(au, lengthSize, (nal) => {
    const type = rules.typeOf(nal);
    if (type === rules.audType) return;
    seen.add(type);
    if (rules.isKey(type)) key = true;
    nalus.push(nal);
  });
  const parts: Uint8Array[] = [rules.aud];
  if (key && !rules.paramTypes.every((t) => seen.has(t))) parts.push(...paramSets);
  parts.push(...nalus);
  return joinAnnexB(parts);
}
