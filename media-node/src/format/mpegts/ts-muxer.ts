import { ProtocolError } from '@runnel/shared';
import {
  PID_AUDIO,
  PID_PAT,
  PID_PMT,
  PID_VIDEO,
  STREAM_ID_AUDIO,
  STREAM_ID_PRIVATE_1,
  STREAM_ID_VIDEO,
  STREAM_TYPE_AAC_ADTS,
  STREAM_TYPE_H264,
  STREAM_TYPE_HEVC,
  STREAM_TYPE_MPEG1_AUDIO,
  STREAM_TYPE_PRIVATE_PES,
} from './constants.ts';
import { encodeOpusControlHeader } from './opus-access-unit.ts';
import { Packetizer } from './packetizer.ts';
import { encodePat } from './pat.ts';
import { encodePesHeader } from './pes.ts';
import { DESCRIPTOR_EXTENSION, DESCRIPTOR_REGISTRATION, encodePmt, type PmtStream } from './pmt.ts';

export type TsVideoCodec = 'h264' | 'hevc';
export type TsAudioCodec = 'aac' | 'mp3' | 'opus';

export interface TsMuxerOptions {
  readonly video?: TsVideoCodec;
  readonly audio?: TsAudioCodec;
  /** Opus channel count for the PMT's Opus descriptor (default 2). */
  readonly opusChannels?: 1 | 2;
  /**
   * Prefix each video access unit with an access unit delimiter when it has
   * none (default true). H.222.0 2.14.1 / ITU-T H.264 7.4.1.2.3 expect one
   * at the start of every AU in a TS; Apple's HLS validator and some
   * hardware decoders insist on it.
   */
  readonly insertAud?: boolean;
}

/** Access unit delimiters: H.264 nal_unit_type 9 with primary_pic_type 7 (any); HEVC type 35, pic_type 2 (any). */
const AUD_H264 = new Uint8Array([0, 0, 0, 1, 0x09, 0xf0]);
const AUD_HEVC = new Uint8Array([0, 0, 0, 1, 0x46, 0x01, 0x50]);

/**
 * An MPEG-2 transport stream muxer for one program (ISO/IEC 13818-1):
 * PAT/PMT, one PES per access unit (video) or per call (audio), PTS/DTS in
 * 90 kHz ticks wrapped to 33 bits, PCR on the video PID (the audio PID when
 * there is no video) in every first packet of a PES, random_access_indicator
 * on keyframes, per-PID continuity counters. Pure: returns bytes.
 *
 * @example
 * const mux = new TsMuxer({ video: 'h264', audio: 'aac' });
 * file.write(mux.writeTables());
 * file.write(mux.writeVideo(annexB, pts90k, dts90k, true));
 * file.write(mux.writeAudio(adtsFrame, pts90k));
 */
export class TsMuxer {
  readonly video: TsVideoCodec | undefined;
  readonly audio: TsAudioCodec | undefined;
  readonly pcrPid: number;
  private readonly packets = new Packetizer();
  private readonly pat: Uint8Array;
  private readonly pmt: Uint8Array;
  private readonly insertAud: boolean;

  constructor(opts: TsMuxerOptions) {
    if (!opts.video && !opts.audio) throw new ProtocolError('ts_no_streams', 'TsMuxer needs a video or an audio stream');
    this.video = opts.video;
    this.audio = opts.audio;
    this.insertAud = opts.insertAud ?? true;
    this.pcrPid = opts.video ? PID_VIDEO : PID_AUDIO;
    const streams: PmtStream[] = [];
    if (opts.video) {
      streams.push({ streamType: opts.video === 'h264' ? STREAM_TYPE_H264 : STREAM_TYPE_HEVC, pid: PID_VIDEO, descriptors: [] });
    }
    if (opts.audio) streams.push(audioStream(opts.audio, opts.opusChannels ?? 2));
    this.pat = encodePat({ transportStreamId: 1, version: 0, programs: [{ programNumber: 1, pid: PID_PMT }] });
    this.pmt = encodePmt({ programNumber: 1, version: 0, pcrPid: this.pcrPid, programDescriptors: [], streams });
  }

  /** PAT + PMT (two packets). Write them at the start of every segment / file. */
  writeTables(): Uint8Array {
    const pat = this.packets.section(PID_PAT, this.pat);
    const pmt = this.packets.section(PID_PMT, this.pmt);
    const out = new Uint8Array(pat.length + pmt.length);
    out.set(pat, 0);
    out.set(pmt, pat.length);
    return out;
  }

  /**
   * One video access unit in Annex B form (start codes; parameter sets
   * in-band on keyframes are the caller's job). `pts`/`dts` in 90 kHz ticks.
   */
  writeVideo(annexB: Uint8Array, pts: number, dts: number, keyframe: boolean): Uint8Array {
    if (!this.video) throw new ProtocolError('ts_no_streams', 'TsMuxer has no video stream');
    const aud = this.insertAud && !startsWithAud(annexB, this.video) ? (this.video === 'h264' ? AUD_H264 : AUD_HEVC) : undefined;
    const esLength = annexB.length + (aud?.length ?? 0);
    // 2.4.3.7: PES_packet_length 0 (unbounded) is allowed for video in TS; frames often exceed 64 KiB.
    const header = encodePesHeader({ streamId: STREAM_ID_VIDEO, pts, dts, payloadLength: esLength, unbounded: true });
    const parts = aud ? [header, aud, annexB] : [header, annexB];
    return this.packets.pes(PID_VIDEO, parts, { pcr: dts, randomAccess: keyframe });
  }

  /**
   * Audio: ADTS frame(s) for AAC, MPEG audio frame(s) for MP3, one Opus
   * packet for Opus (the muxer adds its control header). `pts` in 90 kHz.
   */
  writeAudio(frame: Uint8Array, pts: number): Uint8Array {
    if (!this.audio) throw new ProtocolError('ts_no_streams', 'TsMuxer has no audio stream');
    const opus = this.audio === 'opus';
    const prefix = opus ? encodeOpusControlHeader(frame.length) : undefined;
    const esLength = frame.length + (prefix?.length ?? 0);
    const header = encodePesHeader({ streamId: opus ? STREAM_ID_PRIVATE_1 : STREAM_ID_AUDIO, pts, payloadLength: esLength });
    const audioOnly = this.pcrPid === PID_AUDIO;
    // Every audio frame is a random access point; flag it when audio is all there is (as FFmpeg does).
    return this.packets.pes(PID_AUDIO, prefix ? [header, prefix, frame] : [header, frame], audioOnly ? { pcr: pts, randomAccess: true } : {});
  }
}

function audioStream(codec: TsAudioCodec, channels: number): PmtStream {
  if (codec === 'aac') return { streamType: STREAM_TYPE_AAC_ADTS, pid: PID_AUDIO, descriptors: [] };
  if (codec === 'mp3') return { streamType: STREAM_TYPE_MPEG1_AUDIO, pid: PID_AUDIO, descriptors: [] };
  return {
    streamType: STREAM_TYPE_PRIVATE_PES,
    pid: PID_AUDIO,
    descriptors: [
      // registration_descriptor format_identifier 'Opus' (Opus-in-TS 5.1)
      { tag: DESCRIPTOR_REGISTRATION, data: new Uint8Array([0x4f, 0x70, 0x75, 0x73]) },
      // DVB extension descriptor, opus_audio_descriptor (extension 0x80), channel_config_code = channel count
      { tag: DESCRIPTOR_EXTENSION, data: new Uint8Array([0x80, channels]) },
    ],
  };
}

/** Whether the first NAL unit after the leading start code is an access unit delimiter. */
function startsWithAud(b: Uint8Array, codec: TsVideoCodec): boolean {
  let i = 0;
  while (i < b.length && i < 4 && b[i] === 0) i++;
  if (i < 2 || b[i] !== 1 || i + 1 >= b.length) return false;
  const nal = b[i + 1]!;
  return codec === 'h264' ? (nal & 0x1f) === 9 : ((nal >> 1) & 0x3f) === 35;
}
