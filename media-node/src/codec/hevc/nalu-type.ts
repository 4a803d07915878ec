/** H.265 Table 7-1: the nal_unit_type values the server acts on. */
export const HEVC_NALU = {
  TRAIL_R: 1,
  BLA_W_LP: 16,
  IDR_W_RADL: 19,
  IDR_N_LP: 20,
  CRA: 21,
  /** Last of the IRAP range 16..23 (22, 23 reserved IRAP). */
  RSV_IRAP_23: 23,
  VPS: 32,
  SPS: 33,
  PPS: 34,
  AUD: 35,
  EOS: 36,
  EOB: 37,
  FILLER: 38,
  PREFIX_SEI: 39,
  SUFFIX_SEI: 40,
} as const;

/** nal_unit_type of an H.265 NAL unit (H.265 7.3.1.2: bits 1..6 of the 2-byte header). */
export function hevcNaluType(nal: Uint8Array): number {
  return (nal[0]! >>> 1) & 0x3f;
}

/** IRAP pictures (BLA, IDR, CRA; H.265 3.73): a decoder can start here. */
export function isHevcIrap(type: number): boolean {
  return type >= HEVC_NALU.BLA_W_LP && type <= HEVC_NALU.RSV_IRAP_23;
}

/** general_profile_idc (H.265 A.3) in SRS's spelling (`srs_hevc_profile2str`). */
export function hevcProfileName(profileIdc: number): string {
  switch (profileIdc) {
    case 1:
      return 'Main';
    case 2:
      return 'Main10';
    case 3:
      return 'Main Still Picture';
    case 4:
      return 'Rext';
    default:
      return 'Other';
  }
}

/**
 * general_level_idc as the dotted level: H.265 A.4.1 codes level X.Y as
 * 30 * X.Y (93 = '3.1', 120 = '4'). Values that are not a multiple of 3 are 'Other'.
 */
export function hevcLevelName(levelIdc: number): string {
  if (levelIdc <= 0 || levelIdc % 3 !== 0) return 'Other';
  const tenths = levelIdc / 3;
  const major = Math.floor(tenths / 10);
  const minor = tenths % 10;
  return minor === 0 ? `${major}` : `${major}.${minor}`;
}
