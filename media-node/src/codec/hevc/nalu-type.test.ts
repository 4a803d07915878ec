import { describe, expect, it } from 'vitest';
import { hex } from '@runnel/shared';
import { HEVC_NALU, hevcLevelName, hevcNaluType, hevcProfileName, isHevcIrap } from './nalu-type.ts';

describe('H.265 names and types', () => {
  it.each([
    { idc: 1, name: 'Main' },
    { idc: 2, name: 'Main10' },
    { idc: 3, name: 'Main Still Picture' },
    { idc: 4, name: 'Rext' },
    { idc: 9, name: 'Other' },
  ])('profile $idc is $name', (c) => expect(hevcProfileName(c.idc)).toBe(c.name));

  it.each([
    { idc: 30, name: '1' },
    { idc: 60, name: '2' },
    { idc: 63, name: '2.1' },
    { idc: 93, name: '3.1' },
    { idc: 120, name: '4' },
    { idc: 123, name: '4.1' },
    { idc: 156, name: '5.2' },
    { idc: 186, name: '6.2' },
    { idc: 94, name: 'Other' },
    { idc: 0, name: 'Other' },
  ])('level_idc $idc is $name', (c) => expect(hevcLevelName(c.idc)).toBe(c.name));

  it('reads the type from the 2-byte NAL header', () => {
    expect(hevcNaluType(hex('4001'))).toBe(HEVC_NALU.VPS);
    expect(hevcNaluType(hex('4201'))).toBe(HEVC_NALU.SPS);
    expect(hevcNaluType(hex('4401'))).toBe(HEVC_NALU.PPS);
    expect(hevcNaluType(hex('4601'))).toBe(HEVC_NALU.AUD);
    expect(hevcNaluType(hex('2601'))).toBe(HEVC_NALU.IDR_W_RADL);
    expect(hevcNaluType(hex('2801'))).toBe(HEVC_NALU.IDR_N_LP);
    expect(hevcNaluType(hex('2a01'))).toBe(HEVC_NALU.CRA);
    expect(hevcNaluType(hex('4e01'))).toBe(HEVC_NALU.PREFIX_SEI);
  });

  it('treats exactly types 16..23 as IRAP', () => {
    const irap = Array.from({ length: 64 }, (_, t) => t).filter(isHevcIrap);
    expect(irap).toEqual([16, 17, 18, 19, 20, 21, 22, 23]);
  });
});
