/**
 * Real AV1CodecConfigurationRecords (the `av1C` box of a one-frame MP4) from
 * three encoders, with what ffprobe reports:
 *   ffmpeg -f lavfi -i testsrc=size=WxH -frames:v 1 -pix_fmt P -c:v libaom-av1|libsvtav1|librav1e out.mp4
 */
export interface Av1Sample {
  readonly name: string;
  readonly av1C: string;
  readonly seqProfile: number;
  readonly seqLevelIdx0: number;
  readonly bitDepth: number;
  readonly monochrome: boolean;
  readonly subsampling: [boolean, boolean];
  readonly width: number;
  readonly height: number;
}

export const AV1_SAMPLES: readonly Av1Sample[] = [
  { name: 'libaom 320x240 Main 4:2:0', av1C: '81000c000a0b000000043cffbcdaf90040', seqProfile: 0, seqLevelIdx0: 0, bitDepth: 8, monochrome: false, subsampling: [true, true], width: 320, height: 240 },
  { name: 'SVT-AV1 1280x720 Main 10-bit', av1C: '81054c000a0b0000002d4cffb3c02f8404', seqProfile: 0, seqLevelIdx0: 5, bitDepth: 10, monochrome: false, subsampling: [true, true], width: 1280, height: 720 },
  { name: 'libaom 640x360 High 4:4:4', av1C: '812100000a0b2000000cc4ff6736be4080', seqProfile: 1, seqLevelIdx0: 1, bitDepth: 8, monochrome: false, subsampling: [false, false], width: 640, height: 360 },
  { name: 'libaom 1920x1080 Main monochrome', av1C: '81081c000a0b00000042abbfc3732be4a8', seqProfile: 0, seqLevelIdx0: 8, bitDepth: 8, monochrome: true, subsampling: [true, true], width: 1920, height: 1080 },
  { name: 'rav1e 1920x1080 Main, level 31 (unconstrained)', av1C: '811f0c000a0e000000faabbfc371085640808085', seqProfile: 0, seqLevelIdx0: 31, bitDepth: 8, monochrome: false, subsampling: [true, true], width: 1920, height: 1080 },
];
