import { describe, expect, it } from 'vitest';
import { hex } from '@runnel/shared';
import { describeAvc, describeHevc } from './describe.ts';
import { decodeAvcConfig } from './h264/avc-config.ts';
import { decodeHevcConfig } from './hevc/hevc-config.ts';
import { AVC_SAMPLES } from './testdata/h264-samples.ts';
import { HEVC_SAMPLES } from './testdata/hevc-samples.ts';

describe('describe (SRS API codec objects)', () => {
  it.each(AVC_SAMPLES)('describes $name as ffprobe does', (s) => {
    expect(describeAvc(decodeAvcConfig(hex(s.avcC)))).toEqual({
      codec: 'H264',
      profile: s.profile,
      level: s.level,
      width: s.width,
      height: s.height,
    });
  });

  it.each(HEVC_SAMPLES)('describes $name as ffprobe does', (s) => {
    expect(describeHevc(decodeHevcConfig(hex(s.hvcC)))).toEqual({
      codec: 'HEVC',
      profile: s.profile,
      level: s.level,
      width: s.width,
      height: s.height,
    });
  });
});
