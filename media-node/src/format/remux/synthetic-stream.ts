import { hex } from '@runnel/shared';
import { encodeAsc, makeAsc } from '../../codec/aac/audio-specific-config.ts';
import { joinAvcc } from '../../codec/nalu/avcc.ts';
import { encodeOpusHead, makeOpusHead } from '../../codec/opus/opus-head.ts';
import { aacFrameBody, aacSequenceHeaderBody, encodeAudioData, opusFrameBody, opusSequenceHeaderBody } from '../flv/audio-data.ts';
import { avcFrameBody, avcSequenceHeaderBody, exCodedFramesBody, exSequenceStartBody } from '../flv/video-data.ts';

/**
 * Well-formed FLV tag bodies for tests of the remuxer and of the outputs
 * built on it (HLS, HTTP-TS): real decoder configurations, frames whose NAL
 * unit framing is valid (the slice data is filler, nothing decodes the
 * pictures), and a generator of interleaved A/V streams on a timeline.
 */

/** FFmpeg 6 + x264 avcC of a 320x240 High 1.3 picture (codec/testdata/h264-samples.ts). */
const AVC_C = hex('0164000dffe100196764000dacd94141fb011000000300100000030320f142996001000668ebe3cb22c0fdf8f800');
/** FFmpeg 6 + x265 hvcC of a 1280x720 Main 3.1 picture (codec/testdata/hevc-samples.ts). */
const HVC_C = hex(
  '0101600000009000000000005df000fcfdf8f800000f03200001001840010c01ffff01600000030090000003000003005d959809210001002b42010101600000030090000003000003005da00280802d165959a4932bc05a02000003000200000300321022000100074401c172b46240',
);

function nal(header: readonly number[], size: number): Uint8Array {
  const n = new Uint8Array(Math.max(size, header.length + 1)).fill(0xa5);
  n.set(header);
  return n;
}

export const tag = {
  avcSequenceHeader: (): Uint8Array => avcSequenceHeaderBody(AVC_C),
  /** An IDR (type 5) or non-IDR (type 1) slice NAL unit of `size` bytes, 4-byte lengths. */
  avcFrame: (keyframe: boolean, size = 64, compositionTime = 0): Uint8Array =>
    avcFrameBody(joinAvcc([nal([keyframe ? 0x65 : 0x41, 0x88], size)], 4), keyframe, compositionTime),
  /** AVC frame body with raw AVCC bytes (for malformed-length cases). */
  avcRaw: (keyframe: boolean, avcc: Uint8Array): Uint8Array => avcFrameBody(avcc, keyframe),
  hevcSequenceHeader: (): Uint8Array => exSequenceStartBody('hevc', HVC_C),
  /** IDR_W_RADL (type 19) or TRAIL_R (type 1) NAL unit, enhanced RTMP CodedFrames. */
  hevcFrame: (keyframe: boolean, size = 64): Uint8Array =>
    exCodedFramesBody('hevc', joinAvcc([nal(keyframe ? [0x26, 0x01] : [0x02, 0x01], size)], 4), keyframe),
  aacSequenceHeader: (sampleRate = 44100, channels = 2): Uint8Array => aacSequenceHeaderBody(encodeAsc(makeAsc(2, sampleRate, channels))),
  aacFrame: (size = 24): Uint8Array => aacFrameBody(new Uint8Array(size).fill(0x21)),
  /** One MPEG-1 Layer III frame header (128 kbit/s, 44.1 kHz) and filler: pass-through needs no more. */
  mp3Frame: (): Uint8Array => encodeAudioData({ codec: 'mp3', packetType: 'frame', data: nal([0xff, 0xfb, 0x90, 0x64], 417) }),
  opusSequenceHeader: (channels: 1 | 2 = 2): Uint8Array => opusSequenceHeaderBody(encodeOpusHead(makeOpusHead(channels))),
  /** A 20 ms CELT packet TOC (config 31, stereo flag off, one frame) and filler. */
  opusFrame: (): Uint8Array => opusFrameBody(nal([0xf8], 40)),
};

export interface SyntheticTag {
  readonly kind: 'audio' | 'video';
  readonly timestamp: number;
  readonly payload: Uint8Array;
}

export interface SyntheticStreamOptions {
  readonly durationMs: number;
  readonly video?: 'h264' | 'hevc' | null;
  readonly audio?: 'aac' | 'mp3' | 'opus' | null;
  /** Video frame interval (default 40 ms = 25 fps). */
  readonly frameMs?: number;
  /** Keyframe interval in ms (default 2000). */
  readonly gopMs?: number;
  /** First timestamp (default 0); later ones wrap at 2^32 as RTMP timestamps do. */
  readonly startTs?: number;
  /** Include sequence headers at the start (default true). */
  readonly headers?: boolean;
}

/**
 * An interleaved stream in timestamp order: sequence headers first, then
 * video frames every `frameMs` (keyframe every `gopMs`) and audio frames of
 * 1024 samples at 44.1 kHz (~23.2 ms; 20 ms for Opus, 26.1 ms for MP3).
 */
export function syntheticStream(o: SyntheticStreamOptions): SyntheticTag[] {
  const video = o.video === undefined ? 'h264' : o.video;
  const audio = o.audio === undefined ? 'aac' : o.audio;
  const frameMs = o.frameMs ?? 40;
  const gopFrames = Math.max(1, Math.round((o.gopMs ?? 2000) / frameMs));
  const start = o.startTs ?? 0;
  const out: SyntheticTag[] = [];
  if (o.headers ?? true) {
    if (video) out.push({ kind: 'video', timestamp: start, payload: video === 'h264' ? tag.avcSequenceHeader() : tag.hevcSequenceHeader() });
    if (audio === 'aac') out.push({ kind: 'audio', timestamp: start, payload: tag.aacSequenceHeader() });
    if (audio === 'opus') out.push({ kind: 'audio', timestamp: start, payload: tag.opusSequenceHeader() });
  }
  const audioStep = audio === 'opus' ? 20 : audio === 'mp3' ? 1152_000 / 44100 : 1024_000 / 44100;
  let v = 0;
  let a = 0;
  for (;;) {
    const vt = video ? v * frameMs : Infinity;
    const at = audio ? Math.floor(a * audioStep) : Infinity;
    if (Math.min(vt, at) >= o.durationMs) break;
    if (vt <= at) {
      const key = v % gopFrames === 0;
      const payload = video === 'h264' ? tag.avcFrame(key) : tag.hevcFrame(key);
      out.push({ kind: 'video', timestamp: (start + vt) % 2 ** 32, payload });
      v++;
    } else {
      const payload = audio === 'aac' ? tag.aacFrame() : audio === 'mp3' ? tag.mp3Frame() : tag.opusFrame();
      out.push({ kind: 'audio', timestamp: (start + at) % 2 ** 32, payload });
      a++;
    }
  }
  return out;
}
