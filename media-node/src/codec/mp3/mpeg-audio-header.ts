import { ProtocolError } from '@runnel/shared';

/** The 4-byte MPEG audio frame header (ISO/IEC 11172-3 2.4.1.3, 13818-3 2.4.2.3, and the MPEG 2.5 extension). */
export const MPEG_AUDIO_HEADER_BYTES = 4;

export type MpegAudioVersion = '1' | '2' | '2.5';

/** One MPEG-1/2/2.5 Layer I/II/III frame header: what an FLV MP3 tag or a TS MP3 stream needs. */
export interface MpegAudioHeader {
  readonly version: MpegAudioVersion;
  readonly layer: 1 | 2 | 3;
  readonly crc: boolean;
  /** kbit/s. */
  readonly bitrate: number;
  readonly sampleRate: number;
  readonly padding: boolean;
  /** 1 for mono (channel_mode 3), 2 otherwise. */
  readonly channels: 1 | 2;
  readonly samplesPerFrame: number;
  /** Whole frame, header included. */
  readonly frameLength: number;
}

/** Bitrates in kbit/s by bitrate_index (11172-3 Table 2.4.2.3, 13818-3 Table 2.4.2.3 for the lower rates). */
const BITRATES: Readonly<Record<string, readonly number[]>> = {
  '1-1': [0, 32, 64, 96, 128, 160, 192, 224, 256, 288, 320, 352, 384, 416, 448],
  '1-2': [0, 32, 48, 56, 64, 80, 96, 112, 128, 160, 192, 224, 256, 320, 384],
  '1-3': [0, 32, 40, 48, 56, 64, 80, 96, 112, 128, 160, 192, 224, 256, 320],
  '2-1': [0, 32, 48, 56, 64, 80, 96, 112, 128, 144, 160, 176, 192, 224, 256],
  '2-2': [0, 8, 16, 24, 32, 40, 48, 56, 64, 80, 96, 112, 128, 144, 160],
  '2-3': [0, 8, 16, 24, 32, 40, 48, 56, 64, 80, 96, 112, 128, 144, 160],
};

const SAMPLE_RATES: Readonly<Record<MpegAudioVersion, readonly number[]>> = {
  '1': [44100, 48000, 32000],
  '2': [22050, 24000, 16000],
  '2.5': [11025, 12000, 8000],
};

/**
 * Decodes the MPEG audio frame header at the start of `b`. A missing sync
 * word, reserved version/layer/rate, the "free" bitrate (index 0: frame size
 * unknown without scanning) and index 15 are `ProtocolError`s.
 *
 * @example
 * const h = decodeMpegAudioHeader(tag.subarray(1)); // FLV SoundFormat 2 body
 */
export function decodeMpegAudioHeader(b: Uint8Array): MpegAudioHeader {
  if (b.length < MPEG_AUDIO_HEADER_BYTES) throw new ProtocolError('truncated', `MPEG audio header of ${b.length} bytes`);
  if (b[0] !== 0xff || (b[1]! & 0xe0) !== 0xe0) throw new ProtocolError('mpa_no_sync', 'no MPEG audio frame sync');
  const versionBits = (b[1]! >>> 3) & 3;
  const layerBits = (b[1]! >>> 1) & 3;
  if (versionBits === 1) throw new ProtocolError('mpa_reserved', 'reserved MPEG audio version');
  if (layerBits === 0) throw new ProtocolError('mpa_reserved', 'reserved MPEG audio layer');
  const version: MpegAudioVersion = versionBits === 3 ? '1' : versionBits === 2 ? '2' : '2.5';
  const layer = (4 - layerBits) as 1 | 2 | 3;
  const bitrateIndex = b[2]! >>> 4;
  const rateIndex = (b[2]! >>> 2) & 3;
  if (bitrateIndex === 0 || bitrateIndex === 15) throw new ProtocolError('mpa_bitrate', `bitrate_index ${bitrateIndex} (free or bad)`);
  if (rateIndex === 3) throw new ProtocolError('mpa_reserved', 'reserved sampling_frequency');
  const bitrate = BITRATES[`${version === '1' ? 1 : 2}-${layer}`]![bitrateIndex]!;
  const sampleRate = SAMPLE_RATES[version][rateIndex]!;
  const padding = (b[2]! & 0x02) !== 0;
  const samplesPerFrame = layer === 1 ? 384 : layer === 3 && version !== '1' ? 576 : 1152;
  // 11172-3 2.4.3.1: Layer I counts 4-byte slots, Layers II/III bytes.
  const frameLength =
    layer === 1
      ? (Math.floor((12 * bitrate * 1000) / sampleRate) + (padding ? 1 : 0)) * 4
      : Math.floor(((samplesPerFrame / 8) * bitrate * 1000) / sampleRate) + (padding ? 1 : 0);
  return {
    version,
    layer,
    crc: (b[1]! & 1) === 0,
    bitrate,
    sampleRate,
    padding,
    channels: b[3]! >>> 6 === 3 ? 1 : 2,
    samplesPerFrame,
    frameLength,
  };
}
