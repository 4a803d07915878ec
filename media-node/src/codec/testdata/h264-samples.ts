/**
 * Real AVCDecoderConfigurationRecords written by FFmpeg 6 + x264 (the `avcC`
 * box of a one-frame MP4), with what ffprobe reports for the same file. Made by
 *   ffmpeg -f lavfi -i testsrc=size=WxH:rate=R -frames:v 1 -pix_fmt P -c:v libx264 [opts] out.mp4
 * Shared by the avcC, SPS and describe tests.
 */
export interface AvcSample {
  readonly name: string;
  readonly avcC: string;
  readonly profile: string;
  readonly level: string;
  readonly width: number;
  readonly height: number;
  readonly fps: number;
  readonly chromaFormatIdc: number;
  readonly bitDepth: number;
  readonly frameMbsOnly: boolean;
  /** Whether the record carries the ISO/IEC 14496-15 chroma/bit-depth extension. */
  readonly ext: boolean;
}

export const AVC_SAMPLES: readonly AvcSample[] = [
  {
    name: '320x240 High 1.3 (yuv420p)',
    avcC: '0164000dffe100196764000dacd94141fb011000000300100000030320f142996001000668ebe3cb22c0fdf8f800',
    profile: 'High', level: '1.3', width: 320, height: 240, fps: 25, chromaFormatIdc: 1, bitDepth: 8, frameMbsOnly: true, ext: true,
  },
  {
    name: '1280x720 High 3.1 (yuv420p)',
    avcC: '0164001fffe1001a6764001facd9405005bb011000000300100000030320f183196001000668ebe3cb22c0fdf8f800',
    profile: 'High', level: '3.1', width: 1280, height: 720, fps: 25, chromaFormatIdc: 1, bitDepth: 8, frameMbsOnly: true, ext: true,
  },
  {
    name: '1920x1080 Constrained Baseline 4 (cropped from 1088)',
    avcC: '0142c028ffe1001a6742c028d900780227e5c044000003000400000300f03c60c92001000568cb83cb20',
    profile: 'Baseline(Constrained)', level: '4', width: 1920, height: 1080, fps: 30, chromaFormatIdc: 1, bitDepth: 8, frameMbsOnly: true, ext: false,
  },
  {
    name: '640x360 High 4:2:2 10-bit 3 (yuv422p10le)',
    avcC: '017a001effe1001b677a001eb6cd940a02ff89c044000003000400000300c83c58b65801000668ebe3cb22c0fefafa00',
    profile: 'High(422)', level: '3', width: 640, height: 360, fps: 25, chromaFormatIdc: 2, bitDepth: 10, frameMbsOnly: true, ext: true,
  },
  {
    name: '1280x720 High 4:4:4 Predictive 3.1 (rgb input)',
    avcC: '01f4001fffe1001a67f4001f919b280a00b76022000003000200000300641e30632c01000668ebe3c44844fff8f800',
    profile: 'High(444+Predictive)', level: '3.1', width: 1280, height: 720, fps: 25, chromaFormatIdc: 3, bitDepth: 8, frameMbsOnly: true, ext: true,
  },
  {
    name: '1920x1080 High 4 interlaced (-flags +ildct+ilme, tff)',
    avcC: '01640028ffe1001a67640028acd94078044fde0220000003002000000643e2c5b2c001000668fba3cb22c0fdf8f800',
    profile: 'High', level: '4', width: 1920, height: 1080, fps: 25, chromaFormatIdc: 1, bitDepth: 8, frameMbsOnly: false, ext: true,
  },
  {
    name: '640x480 High 3 at 30000/1001 (cqm=jvt)',
    avcC: '0164001effe100186764001eacd940a03db01100000303e90000ea600f162d9601000768ebe3cb3002c0fdf8f800',
    profile: 'High', level: '3', width: 640, height: 480, fps: 30000 / 1001, chromaFormatIdc: 1, bitDepth: 8, frameMbsOnly: true, ext: true,
  },
  {
    name: '176x144 Main 1 (-profile:v main)',
    avcC: '014d400affe10018674d400aeca162760220000003002000000303c1e244b2c001000568ebe3cb20',
    profile: 'Main', level: '1', width: 176, height: 144, fps: 15, chromaFormatIdc: 1, bitDepth: 8, frameMbsOnly: true, ext: false,
  },
];
