import { hex } from '@runnel/shared';
import { describe, expect, it } from 'vitest';
import { AVC_SAMPLES } from '../testdata/h264-samples.ts';
import { decodeAvcConfig } from './avc-config.ts';
import { avcConfigFromParameterSets } from './avc-config-from-sps.ts';

describe('avcConfigFromParameterSets', () => {
  it.each(AVC_SAMPLES)('rebuilds what x264 wrote in its avcC from the parameter sets alone: $name', (s) => {
    const written = decodeAvcConfig(hex(s.avcC));
    const built = avcConfigFromParameterSets(written.sps, written.pps);
    expect([built.profile, built.compatibility, built.level, built.lengthSize]).toEqual([written.profile, written.compatibility, written.level, 4]);
    expect(built.sps).toEqual(written.sps);
    expect(built.pps).toEqual(written.pps);
  });

  it('refuses a missing, truncated or mistyped parameter set', () => {
    const { sps, pps } = decodeAvcConfig(hex(AVC_SAMPLES[0]!.avcC));
    expect(() => avcConfigFromParameterSets([], pps)).toThrow(expect.objectContaining({ code: 'avc_config_missing_parameter_sets' }));
    expect(() => avcConfigFromParameterSets(sps, [])).toThrow(expect.objectContaining({ code: 'avc_config_missing_parameter_sets' }));
    expect(() => avcConfigFromParameterSets([sps[0]!.subarray(0, 3)], pps)).toThrow(expect.objectContaining({ code: 'sps_truncated' }));
    expect(() => avcConfigFromParameterSets(pps, pps)).toThrow(expect.objectContaining({ code: 'avc_config_nalu_type' }));
  });
});
