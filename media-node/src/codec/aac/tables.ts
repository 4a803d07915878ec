/** ISO/IEC 14496-3 Table 1.18: samplingFrequencyIndex 0..12 (13, 14 reserved, 15 = explicit 24-bit rate). */
export const AAC_SAMPLE_RATES: readonly number[] = [96000, 88200, 64000, 48000, 44100, 32000, 24000, 22050, 16000, 12000, 11025, 8000, 7350];

/** samplingFrequencyIndex 15: the rate follows as a 24-bit number. */
export const AAC_EXPLICIT_FREQUENCY_INDEX = 15;

/** ISO/IEC 14496-3 Table 1.17 audio object types the server names. */
export const AAC_OBJECT = {
  MAIN: 1,
  LC: 2,
  SSR: 3,
  LTP: 4,
  SBR: 5,
  PS: 29,
} as const;

/** The index of a rate in Table 1.18, or 15 (explicit) when it has none. */
export function aacFrequencyIndex(sampleRate: number): number {
  const i = AAC_SAMPLE_RATES.indexOf(sampleRate);
  return i < 0 ? AAC_EXPLICIT_FREQUENCY_INDEX : i;
}

/**
 * Object type as the profile name SRS reports (`srs_aac_object2str`:
 * Main, LC, SSR, HE, HEv2), plus LTP; anything else is 'Other'.
 */
export function aacProfileName(objectType: number): string {
  switch (objectType) {
    case AAC_OBJECT.MAIN:
      return 'Main';
    case AAC_OBJECT.LC:
      return 'LC';
    case AAC_OBJECT.SSR:
      return 'SSR';
    case AAC_OBJECT.LTP:
      return 'LTP';
    case AAC_OBJECT.SBR:
      return 'HE';
    case AAC_OBJECT.PS:
      return 'HEv2';
    default:
      return 'Other';
  }
}

/** ISO/IEC 14496-3 Table 1.19: channelConfiguration 1..6 is that many channels, 7 is 7.1 (8 channels). */
export function aacChannelCount(channelConfiguration: number): number {
  return channelConfiguration === 7 ? 8 : channelConfiguration;
}
