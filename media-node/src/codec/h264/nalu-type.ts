/** H.264 Table 7-1: the nal_unit_type values the server acts on. */
export const AVC_NALU = {
  SLICE: 1,
  IDR: 5,
  SEI: 6,
  SPS: 7,
  PPS: 8,
  AUD: 9,
  END_OF_SEQUENCE: 10,
  END_OF_STREAM: 11,
  FILLER: 12,
  SPS_EXT: 13,
} as const;

/** nal_unit_type of an H.264 NAL unit (H.264 7.3.1: the low 5 bits of the first byte). */
export function avcNaluType(nal: Uint8Array): number {
  return nal[0]! & 0x1f;
}

/** H.264 A.2 profile_idc values with names in SRS's spelling (`srs_avc_profile2str`). */
const PROFILE_NAMES: Readonly<Record<number, string>> = {
  66: 'Baseline',
  77: 'Main',
  88: 'Extended',
  100: 'High',
  110: 'High(10)',
  122: 'High(422)',
  144: 'High(444)',
  244: 'High(444+Predictive)',
  44: 'High(444+Intra)',
  83: 'Scalable Baseline',
  86: 'Scalable High',
  118: 'Multiview High',
  128: 'Stereo High',
};

/** constraint_set1_flag / constraint_set3_flag in the profile_compatibility byte (H.264 7.4.2.1.1). */
const CONSTRAINT_SET1 = 0x40;
const CONSTRAINT_SET3 = 0x10;

/**
 * The profile name SRS's HTTP API reports, refined by the constraint flags
 * (A.2.1.1 Constrained Baseline, A.2.8-A.2.10 the Intra profiles).
 * Unknown profiles are 'Other', as in SRS.
 */
export function avcProfileName(profileIdc: number, compatibility = 0): string {
  if (profileIdc === 66 && compatibility & CONSTRAINT_SET1) return 'Baseline(Constrained)';
  if (compatibility & CONSTRAINT_SET3) {
    if (profileIdc === 110) return 'High(10+Intra)';
    if (profileIdc === 122) return 'High(422+Intra)';
  }
  return PROFILE_NAMES[profileIdc] ?? 'Other';
}

/**
 * level_idc as the dotted level string ('3.1' for 31, '4' for 40). Level 1b is
 * level_idc 9, or 11 with constraint_set3_flag in Baseline/Main/Extended (A.3.1).
 */
export function avcLevelName(levelIdc: number, profileIdc = 0, compatibility = 0): string {
  if (levelIdc === 9) return '1b';
  if (levelIdc === 11 && compatibility & CONSTRAINT_SET3 && (profileIdc === 66 || profileIdc === 77 || profileIdc === 88)) return '1b';
  if (levelIdc <= 0) return 'Other';
  const major = Math.floor(levelIdc / 10);
  const minor = levelIdc % 10;
  return minor === 0 ? `${major}` : `${major}.${minor}`;
}
