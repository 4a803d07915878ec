/**
 * Real HEVCDecoderConfigurationRecords written by FFmpeg 6 + x265 3.5 (the
 * `hvcC` box of a one-frame MP4), with what ffprobe reports for the same file:
 *   ffmpeg -f lavfi -i testsrc=size=WxH:rate=25 -frames:v 1 -pix_fmt P -c:v libx265 -x265-params info=0 out.mp4
 * (`info=0` keeps x265's 2 KB version SEI out of the record; hevc-1920x1080-x265.hvcC keeps it.)
 */
export interface HevcSample {
  readonly name: string;
  readonly hvcC: string;
  readonly profile: string;
  readonly level: string;
  readonly width: number;
  readonly height: number;
  readonly chromaFormatIdc: number;
  readonly bitDepth: number;
}

export const HEVC_SAMPLES: readonly HevcSample[] = [
  {
    name: '1280x720 Main 3.1',
    hvcC: '0101600000009000000000005df000fcfdf8f800000f03200001001840010c01ffff01600000030090000003000003005d959809210001002b42010101600000030090000003000003005da00280802d165959a4932bc05a02000003000200000300321022000100074401c172b46240',
    profile: 'Main', level: '3.1', width: 1280, height: 720, chromaFormatIdc: 1, bitDepth: 8,
  },
  {
    name: '1920x1080 Main10 4 (yuv420p10le, cropped from 1088)',
    hvcC: '01022000000090000000000078f000fcfdfafa00000f03200001001840010c01ffff022000000300900000030000030078959809210001002c420101022000000300900000030000030078a003c08010e4d96566924caf016808000003000800000300f04022000100074401c172b46240',
    profile: 'Main10', level: '4', width: 1920, height: 1080, chromaFormatIdc: 1, bitDepth: 10,
  },
  {
    name: '640x360 Rext 2.1 (yuv422p)',
    hvcC: '0104080000009d08000000003ff000fcfef8f800000f03200001001740010c01ffff0408000003009d0800000300003f95980921000100294201010408000003009d0800000300003fb00502016965959a4932bc05a0200000030020000003032122000100074401c172b46240',
    profile: 'Rext', level: '2.1', width: 640, height: 360, chromaFormatIdc: 2, bitDepth: 8,
  },
  {
    name: '854x480 Main 3 (cropped from 856)',
    hvcC: '0101600000009000000000005af000fcfdf8f800000f03200001001840010c01ffff01600000030090000003000003005a959809210001002a42010101600000030090000003000003005aa006b201e1d796566924caf0168080000003008000000c8422000100074401c172b46240',
    profile: 'Main', level: '3', width: 854, height: 480, chromaFormatIdc: 1, bitDepth: 8,
  },
  {
    name: '3840x2160 Main 5 (-preset ultrafast)',
    hvcC: '01016000000090000000000096f000fcfdf8f800000f03200001001840010c01ffff016000000300900000030000030096959409210001002c420101016000000300900000030000030096a001e020021c5965654a4c2f016808000003000800000300c84022000100064401c073c189',
    profile: 'Main', level: '5', width: 3840, height: 2160, chromaFormatIdc: 1, bitDepth: 8,
  },
];
