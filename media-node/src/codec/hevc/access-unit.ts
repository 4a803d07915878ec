import { accessUnitToAnnexB } from '../nalu/access-unit.ts';
import type { AnnexBRules } from '../nalu/access-unit.ts';
import { forEachAvccNalu } from '../nalu/avcc.ts';
import type { NaluLengthSize } from '../nalu/avcc.ts';
import type { HevcDecoderConfig } from './hevc-config.ts';
import { hevcNalus } from './hevc-config.ts';
import { HEVC_NALU, hevcNaluType, isHevcIrap } from './nalu-type.ts';

/**
 * H.265 7.3.2.5 access_unit_delimiter: NAL header type 35 (layer 0, tid 1),
 * pic_type 2 (I, P or B slices) + rbsp stop bit; what FFmpeg's MPEG-TS muxer writes.
 */
export const HEVC_AUD_NALU = Uint8Array.of(0x46, 0x01, 0x50);

const HEVC_RULES: AnnexBRules = {
  typeOf: hevcNaluType,
  aud: HEVC_AUD_NALU,
  audType: HEVC_NALU.AUD,
  paramTypes: [HEVC_NALU.VPS, HEVC_NALU.SPS, HEVC_NALU.PPS],
  isKey: isHevcIrap,
};

/** True when a length-prefixed access unit contains an IRAP picture (types 16..23). */
export function isHevcKeyframe(au: Uint8Array, lengthSize: NaluLengthSize): boolean {
  let key = false;
  forEachAvccNalu(au, lengthSize, (nal) => {
    key = isHevcIrap(hevcNaluType(nal));
    return key;
  });
  return key;
}

/**
 * Converts one length-prefixed HEVC access unit to Annex B for MPEG-TS
 * (ISO/IEC 13818-1 2.17: HEVC access units in TS start with an AUD): one AUD
 * first, and before an IRAP picture whose access unit lacks a VPS, SPS or PPS,
 * those of `config` (in VPS, SPS, PPS order). Returns one new buffer.
 */
export function hevcToAnnexB(au: Uint8Array, config: Pick<HevcDecoderConfig, 'lengthSize' | 'arrays'>): Uint8Array {
  const sets = [...hevcNalus(config, HEVC_NALU.VPS), ...hevcNalus(config, HEVC_NALU.SPS), ...hevcNalus(config, HEVC_NALU.PPS)];
  return accessUnitToAnnexB(au, config.lengthSize, sets, HEVC_RULES);
}
