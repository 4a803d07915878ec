import { describe, expect, it } from 'vitest';
import { test as fcTest, fc } from '@fast-check/vitest';
import { ProtocolError, hex } from '@runnel/shared';
import { MAX_OPUS_PACKET_SAMPLES, decodeOpusToc, opusPacketSamples } from './toc.ts';

describe('Opus TOC (RFC 6716 3.1)', () => {
  it('reads the TOC libopus writes for 20 ms fullband stereo CELT (0xfc)', () => {
    expect(decodeOpusToc(0xfc)).toEqual({ config: 31, mode: 'CELT', bandwidth: 'FB', frameSamples: 960, stereo: true, code: 0 });
  });

  it.each([
    { config: 0, mode: 'SILK', bw: 'NB', ms: 10 },
    { config: 3, mode: 'SILK', bw: 'NB', ms: 60 },
    { config: 5, mode: 'SILK', bw: 'MB', ms: 20 },
    { config: 10, mode: 'SILK', bw: 'WB', ms: 40 },
    { config: 12, mode: 'Hybrid', bw: 'SWB', ms: 10 },
    { config: 15, mode: 'Hybrid', bw: 'FB', ms: 20 },
    { config: 16, mode: 'CELT', bw: 'NB', ms: 2.5 },
    { config: 21, mode: 'CELT', bw: 'WB', ms: 5 },
    { config: 26, mode: 'CELT', bw: 'SWB', ms: 10 },
    { config: 31, mode: 'CELT', bw: 'FB', ms: 20 },
  ])('config $config is $mode $bw $ms ms (Table 2)', (c) => {
    const t = decodeOpusToc(c.config << 3);
    expect([t.mode, t.bandwidth, t.frameSamples / 48]).toEqual([c.mode, c.bw, c.ms]);
  });

  it.each([
    { name: 'one 20 ms frame', hex: 'fc b4', samples: 960 },
    { name: 'two equal 10 ms frames (code 1)', hex: '01 0000', samples: 960 },
    { name: 'two 60 ms SILK frames = 120 ms', hex: '19', samples: 5760 },
    { name: 'two different 20 ms frames (code 2)', hex: 'fe 01 00', samples: 1920 },
    { name: 'code 3 with 6 frames of 20 ms = 120 ms', hex: 'ff 06 00', samples: 5760 },
    { name: 'code 3 with 3 frames of 2.5 ms', hex: '83 03', samples: 360 },
  ])('$name lasts $samples samples', (c) => {
    expect(opusPacketSamples(hex(c.hex))).toBe(c.samples);
  });

  it.each([
    { name: 'empty packet', hex: '', code: 'opus_empty_packet' },
    { name: 'code 3 without a count', hex: 'ff', code: 'truncated' },
    { name: 'code 3 with 0 frames', hex: 'ff 00', code: 'opus_frame_count' },
    { name: 'code 3 over 120 ms (7 x 20 ms)', hex: 'ff 07', code: 'opus_packet_too_long' },
    { name: 'code 3 with 3 x 60 ms', hex: '1b 03', code: 'opus_packet_too_long' },
  ])('rejects $name', (c) => {
    expect(() => opusPacketSamples(hex(c.hex))).toThrow(expect.objectContaining({ code: c.code }));
  });

  fcTest.prop([fc.uint8Array({ maxLength: 8 })])('any packet lasts 2.5..120 ms or throws ProtocolError', (b) => {
    try {
      const n = opusPacketSamples(b);
      expect(n).toBeGreaterThanOrEqual(120);
      expect(n).toBeLessThanOrEqual(MAX_OPUS_PACKET_SAMPLES);
    } catch (e) {
      expect(e).toBeInstanceOf(ProtocolError);
    }
  });
});
