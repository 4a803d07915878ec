import { ProtocolError } from '@runnel/shared';

/** Opus always decodes at 48 kHz: durations are counted in 48 kHz samples. */
export const OPUS_SAMPLE_RATE = 48000;
/** RFC 6716 3.2.5: a packet never holds more than 120 ms of audio. */
export const MAX_OPUS_PACKET_SAMPLES = 120 * 48;

export type OpusMode = 'SILK' | 'Hybrid' | 'CELT';
export type OpusBandwidth = 'NB' | 'MB' | 'WB' | 'SWB' | 'FB';

/** The fields of an Opus TOC byte (RFC 6716 3.1). */
export interface OpusToc {
  readonly config: number;
  readonly mode: OpusMode;
  readonly bandwidth: OpusBandwidth;
  /** Samples per frame at 48 kHz (120 = 2.5 ms ... 2880 = 60 ms). */
  readonly frameSamples: number;
  readonly stereo: boolean;
  /** Frame count code c: 0 one frame, 1 two equal, 2 two different, 3 arbitrary (count in byte 2). */
  readonly code: number;
}

/** RFC 6716 Table 2, by config number: mode, bandwidth and frame size in 48 kHz samples. */
function configInfo(config: number): [OpusMode, OpusBandwidth, number] {
  if (config < 12) {
    const bw: OpusBandwidth = config < 4 ? 'NB' : config < 8 ? 'MB' : 'WB';
    return ['SILK', bw, [480, 960, 1920, 2880][config % 4]!];
  }
  if (config < 16) return ['Hybrid', config < 14 ? 'SWB' : 'FB', config % 2 === 0 ? 480 : 960];
  const bw: OpusBandwidth = (['NB', 'WB', 'SWB', 'FB'] as const)[(config - 16) >>> 2]!;
  return ['CELT', bw, [120, 240, 480, 960][config % 4]!];
}

/** Decodes a TOC byte; every value 0..255 is valid. */
export function decodeOpusToc(toc: number): OpusToc {
  const config = toc >>> 3;
  const [mode, bandwidth, frameSamples] = configInfo(config);
  return { config, mode, bandwidth, frameSamples, stereo: (toc & 0x04) !== 0, code: toc & 0x03 };
}

/**
 * The duration of an Opus packet in 48 kHz samples (frame size x frame
 * count, RFC 6716 3.1-3.2). An empty packet, a code-3 packet without its
 * frame count byte, a frame count of 0 or a packet over 120 ms is a `ProtocolError`.
 *
 * @example
 * ts += opusPacketSamples(packet) / 48; // milliseconds
 */
export function opusPacketSamples(packet: Uint8Array): number {
  if (packet.length === 0) throw new ProtocolError('opus_empty_packet', 'empty Opus packet');
  const toc = decodeOpusToc(packet[0]!);
  let frames: number;
  if (toc.code === 0) frames = 1;
  else if (toc.code !== 3) frames = 2;
  else {
    if (packet.length < 2) throw new ProtocolError('truncated', 'Opus code 3 packet without frame count');
    frames = packet[1]! & 0x3f;
    if (frames === 0) throw new ProtocolError('opus_frame_count', 'Opus code 3 packet with 0 frames');
  }
  const samples = frames * toc.frameSamples;
  if (samples > MAX_OPUS_PACKET_SAMPLES) throw new ProtocolError('opus_packet_too_long', `Opus packet of ${samples / 48} ms`);
  return samples;
}
