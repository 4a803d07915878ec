import { describe, expect, it } from 'vitest';
import { hex } from '@runnel/shared';
import { AVC_NALU, avcLevelName, avcNaluType, avcProfileName } from './nalu-type.ts';

describe('H.264 names', () => {
  it.each([
    { profile: 66, compat: 0x00, name: 'Baseline' },
    { profile: 66, compat: 0xc0, name: 'Baseline(Constrained)' },
    { profile: 77, compat: 0x40, name: 'Main' },
    { profile: 88, compat: 0x00, name: 'Extended' },
    { profile: 100, compat: 0x00, name: 'High' },
    { profile: 110, compat: 0x00, name: 'High(10)' },
    { profile: 110, compat: 0x10, name: 'High(10+Intra)' },
    { profile: 122, compat: 0x00, name: 'High(422)' },
    { profile: 122, compat: 0x10, name: 'High(422+Intra)' },
    { profile: 244, compat: 0x00, name: 'High(444+Predictive)' },
    { profile: 44, compat: 0x00, name: 'High(444+Intra)' },
    { profile: 7, compat: 0x00, name: 'Other' },
  ])('profile_idc $profile with flags $compat is $name', (c) => {
    expect(avcProfileName(c.profile, c.compat)).toBe(c.name);
  });

  it.each([
    { level: 10, name: '1' },
    { level: 9, name: '1b' },
    { level: 13, name: '1.3' },
    { level: 31, name: '3.1' },
    { level: 40, name: '4' },
    { level: 52, name: '5.2' },
    { level: 62, name: '6.2' },
    { level: 0, name: 'Other' },
  ])('level_idc $level is $name', (c) => {
    expect(avcLevelName(c.level)).toBe(c.name);
  });

  it('reads level 1b from constraint_set3 in Baseline/Main only (H.264 A.3.1)', () => {
    expect(avcLevelName(11, 66, 0x10)).toBe('1b');
    expect(avcLevelName(11, 100, 0x10)).toBe('1.1');
  });

  it('reads the NAL type from the low 5 bits (forbidden bit and nal_ref_idc ignored)', () => {
    expect(avcNaluType(hex('65'))).toBe(AVC_NALU.IDR);
    expect(avcNaluType(hex('67'))).toBe(AVC_NALU.SPS);
    expect(avcNaluType(hex('28'))).toBe(AVC_NALU.PPS);
    expect(avcNaluType(hex('09'))).toBe(AVC_NALU.AUD);
    expect(avcNaluType(hex('06'))).toBe(AVC_NALU.SEI);
  });
});
