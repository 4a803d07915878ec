import { hex, ProtocolError } from '@runnel/shared';
import { describe, expect, it } from 'vitest';
import { HEVC_SAMPLES } from '../testdata/hevc-samples.ts';
import { decodeHevcConfig, encodeHevcConfig, hevcNalus } from './hevc-config.ts';
import { hevcConfigFromParameterSets } from './hevc-config-from-sps.ts';
import { HEVC_NALU } from './nalu-type.ts';

describe('hevcConfigFromParameterSets', () => {
  it.each(HEVC_SAMPLES)('rebuilds what x265 wrote in its hvcC from the parameter sets alone: $name', (s) => {
    const written = decodeHevcConfig(hex(s.hvcC));
    const [vps, sps, pps] = [HEVC_NALU.VPS, HEVC_NALU.SPS, HEVC_NALU.PPS].map((t) => hevcNalus(written, t));
    const built = hevcConfigFromParameterSets(vps!, sps!, pps!);
    for (const k of ['profileSpace', 'tier', 'profileIdc', 'compatibility', 'constraints', 'levelIdc', 'chromaFormat', 'bitDepthLuma', 'bitDepthChroma', 'numTemporalLayers', 'temporalIdNested'] as const) {
      expect(built[k], k).toEqual(written[k]);
    }
    // And the record it encodes decodes to the same parameter sets.
    const again = decodeHevcConfig(encodeHevcConfig(built));
    expect(hevcNalus(again, HEVC_NALU.SPS)).toEqual(sps);
    expect(again.lengthSize).toBe(4);
  });

  it('refuses a missing parameter set or a NAL unit of the wrong type', () => {
    const written = decodeHevcConfig(hex(HEVC_SAMPLES[0]!.hvcC));
    const [vps, sps, pps] = [HEVC_NALU.VPS, HEVC_NALU.SPS, HEVC_NALU.PPS].map((t) => hevcNalus(written, t));
    expect(() => hevcConfigFromParameterSets([], sps!, pps!)).toThrow(expect.objectContaining({ code: 'hevc_config_missing_parameter_sets' }));
    expect(() => hevcConfigFromParameterSets(vps!, pps!, pps!)).toThrow(expect.objectContaining({ code: 'hevc_config_nalu_type' }));
    expect(() => hevcConfigFromParameterSets(vps!, [sps![0]!.subarray(0, 8)], pps!)).toThrow(ProtocolError);
  });
});
