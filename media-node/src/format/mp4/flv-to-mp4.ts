import { ProtocolError } from '@runnel/shared';
import { decodeAsc } from '../../codec/aac/audio-specific-config.ts';
import { aacChannelCount } from '../../codec/aac/tables.ts';
import { describeAvc, describeHevc } from '../../codec/describe.ts';
import { decodeAvcConfig } from '../../codec/h264/avc-config.ts';
import { decodeHevcConfig } from '../../codec/hevc/hevc-config.ts';
import { decodeAudioData } from '../flv/audio-data.ts';
import { decodeVideoData } from '../flv/video-data.ts';
import { Mp4Writer, type Mp4Ending } from './mp4-writer.ts';
import type { Mp4AudioEntry, Mp4VideoEntry } from './sample-entry.ts';

/**
 * One MP4 file from FLV tag bodies (what the hub carries): sequence headers
 * become sample entries (avcC / hvcC as they are, the AudioSpecificConfig in
 * an esds), coded frames become samples whose bytes are the tag's own
 * payload subarray (AVCC/HVCC NAL units and raw AAC frames are what MP4
 * stores, so nothing is copied or converted). Pure: the caller writes the
 * returned parts to its file in order and, at the end, the ending's moov and
 * mdat header patch.
 *
 * Rules that keep the file valid whatever comes in:
 * - a video track starts at a keyframe (earlier frames are dropped);
 * - a sequence header that differs from the one in use (codec switch, new
 *   SPS/PPS or ASC) cannot go into the same track: `push` answers `restart`
 *   and the caller starts a new file, then pushes that header again;
 * - decode times never go back within a track (a step back is held at the
 *   last value);
 * - frames of codecs MP4 is not written for here (AV1, VP8/9, Opus, MP3 ...)
 *   and frames before their sequence header are dropped, with a reason.
 */
export type FlvToMp4Result =
  | { readonly kind: 'sample'; readonly parts: readonly Uint8Array[] }
  | { readonly kind: 'skip' }
  | { readonly kind: 'drop'; readonly reason: FlvToMp4DropReason }
  | { readonly kind: 'restart'; readonly reason: 'codec_changed' };

export type FlvToMp4DropReason =
  | 'unsupported_codec'
  | 'bad_sequence_header'
  | 'no_sequence_header'
  | 'wait_keyframe'
  | 'bad_frame'
  | 'file_full';

interface TrackState<E> {
  readonly entry: E;
  /** The sequence header record it was made from, to tell a resend from a change. */
  readonly record: Uint8Array;
  id: number | null;
  lastDts: number;
}

function sameBytes(a: Uint8Array, b: Uint8Array): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}

export class FlvToMp4 {
  private readonly writer: Mp4Writer;
  private video: TrackState<Mp4VideoEntry> | null = null;
  private audio: TrackState<Mp4AudioEntry> | null = null;
  /** The last decode error, for logs. */
  lastError: unknown = null;

  constructor(opts: { creationTimeMs?: number; maxSamples?: number } = {}) {
    this.writer = new Mp4Writer(opts);
  }

  /** ftyp + the mdat placeholder: the first bytes of the file. */
  header(): Uint8Array {
    return this.writer.header();
  }

  get bytes(): number {
    return this.writer.size;
  }

  get samples(): number {
    return this.writer.sampleCount;
  }

  /** The sample cap is reached: the caller should finish this file. */
  get full(): boolean {
    return this.writer.full;
  }

  /** Whether a sample has been written (an empty file is not worth keeping). */
  get empty(): boolean {
    return this.writer.sampleCount === 0;
  }

  /**
   * One FLV tag body at `t` ms on the file's timeline (>= 0, not wrapping).
   * Sequence headers configure tracks (`skip`); frames become samples.
   */
  push(kind: 'audio' | 'video', t: number, payload: Uint8Array): FlvToMp4Result {
    try {
      return kind === 'video' ? this.pushVideo(t, payload) : this.pushAudio(t, payload);
    } catch (e) {
      if (!(e instanceof ProtocolError)) throw e;
      this.lastError = e;
      return { kind: 'drop', reason: 'bad_frame' };
    }
  }

  /** Ends the file; see Mp4Writer.finish for `endMs`. */
  finish(endMs?: number): Mp4Ending {
    return this.writer.finish(endMs);
  }

  private pushVideo(t: number, payload: Uint8Array): FlvToMp4Result {
    const v = decodeVideoData(payload);
    if (v.packetType === 'command' || v.packetType === 'end-of-sequence' || v.packetType === 'metadata') return { kind: 'skip' };
    if (v.codec !== 'h264' && v.codec !== 'hevc') return { kind: 'drop', reason: 'unsupported_codec' };
    if (v.packetType === 'sequence-header') {
      if (this.video !== null) {
        if (this.video.entry.codec === v.codec && sameBytes(this.video.record, v.data)) return { kind: 'skip' };
        if (this.video.id !== null) return { kind: 'restart', reason: 'codec_changed' };
      }
      const entry = this.videoEntry(v.codec, v.data);
      if (entry === null) return { kind: 'drop', reason: 'bad_sequence_header' };
      this.video = { entry, record: v.data.slice(), id: null, lastDts: 0 };
      return { kind: 'skip' };
    }
    const track = this.video;
    if (track === null || track.entry.codec !== v.codec) return { kind: 'drop', reason: 'no_sequence_header' };
    if (track.id === null && !v.keyframe) return { kind: 'drop', reason: 'wait_keyframe' };
    if (v.data.length === 0) return { kind: 'drop', reason: 'bad_frame' };
    return this.sample(track, t, v.compositionTime, v.data, v.keyframe);
  }

  private pushAudio(t: number, payload: Uint8Array): FlvToMp4Result {
    const a = decodeAudioData(payload);
    if (a.codec !== 'aac') return { kind: 'drop', reason: 'unsupported_codec' };
    if (a.packetType === 'sequence-header') {
      if (this.audio !== null) {
        if (sameBytes(this.audio.record, a.data)) return { kind: 'skip' };
        if (this.audio.id !== null) return { kind: 'restart', reason: 'codec_changed' };
      }
      const entry = this.audioEntry(a.data);
      if (entry === null) return { kind: 'drop', reason: 'bad_sequence_header' };
      this.audio = { entry, record: entry.config, id: null, lastDts: 0 };
      return { kind: 'skip' };
    }
    if (a.packetType !== 'frame') return { kind: 'skip' };
    const track = this.audio;
    if (track === null) return { kind: 'drop', reason: 'no_sequence_header' };
    if (a.data.length === 0) return { kind: 'drop', reason: 'bad_frame' };
    return this.sample(track, t, 0, a.data, false);
  }

  private videoEntry(codec: 'h264' | 'hevc', record: Uint8Array): Mp4VideoEntry | null {
    try {
      const size = codec === 'h264' ? describeAvc(decodeAvcConfig(record)) : describeHevc(decodeHevcConfig(record));
      return { kind: 'video', codec, config: record.slice(), width: size.width, height: size.height };
    } catch (e) {
      if (!(e instanceof ProtocolError)) throw e;
      this.lastError = e;
      return null;
    }
  }

  private audioEntry(record: Uint8Array): Mp4AudioEntry | null {
    try {
      const asc = decodeAsc(record);
      return { kind: 'audio', codec: 'aac', config: record.slice(), sampleRate: asc.sampleRate, channels: aacChannelCount(asc.channelConfiguration) };
    } catch (e) {
      if (!(e instanceof ProtocolError)) throw e;
      this.lastError = e;
      return null;
    }
  }

  private sample(track: TrackState<Mp4VideoEntry | Mp4AudioEntry>, t: number, cto: number, data: Uint8Array, keyframe: boolean): FlvToMp4Result {
    if (this.writer.full) return { kind: 'drop', reason: 'file_full' };
    track.id ??= this.writer.addTrack(track.entry);
    const dts = Math.max(track.lastDts, Math.max(0, Math.floor(t)));
    track.lastDts = dts;
    this.writer.addSample(track.id, { dts, cto, size: data.length, keyframe });
    return { kind: 'sample', parts: [data] };
  }
}
