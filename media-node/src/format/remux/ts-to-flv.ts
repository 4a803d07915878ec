import { ProtocolError } from '@runnel/shared';
import { DESCRIPTOR_EXTENSION } from '../mpegts/pmt.ts';
import type { Pmt } from '../mpegts/pmt.ts';
import { unwrap33 } from '../mpegts/timestamp.ts';
import { codecOf, TsDemuxer, type TsDemuxStats, type TsEvent, type TsPes } from '../mpegts/ts-demuxer.ts';
import { AvInterleaver } from './av-interleaver.ts';
import { TsAudioTrack } from './ts-audio-track.ts';
import { TsVideoTrack } from './ts-video-track.ts';

/** One FLV tag body for the hub, with its decode time in ms. */
export interface FlvMessage {
  readonly kind: 'audio' | 'video';
  readonly timestamp: number;
  readonly payload: Uint8Array;
}

export interface TsToFlvStats {
  videoFrames: number;
  audioFrames: number;
  sequenceHeaders: number;
  /** Video frames that came before the first SPS/PPS (nobody can decode them). */
  waitingForConfig: number;
  /** PES packets dropped, in total and by ProtocolError code (bad parameter sets, Opus framing, no PTS, other codecs). */
  dropped: number;
  readonly dropReasons: Record<string, number>;
  readonly demux: TsDemuxStats;
}

/** opus_audio_descriptor (DVB extension 0x80) channel_config_code for mono. */
const OPUS_MONO = 1;

/**
 * MPEG-TS in (as SRT publishers send it: H.264 or HEVC video, AAC or Opus
 * audio), FLV tag bodies for the live hub out: the inverse of FlvToTs. The
 * first video and the first audio elementary stream of the program are used
 * (other PIDs are counted and skipped). Timestamps are the PES DTS (PTS for
 * audio) in ms, unwrapped across the 33-bit wrap; CompositionTime = PTS - DTS.
 * Audio and video leave in one time order (AvInterleaver): muxers batch
 * audio PES up to ~0.7 s, and the hub's timeline must not go back.
 *
 * Never throws on bad input: the demuxer resyncs and counts, a PES the
 * tracks cannot use is dropped and counted by reason in `stats`, and memory
 * is bounded by the demuxer's limits (MAX_PES_BYTES, MAX_ES_PIDS).
 *
 * @example
 * const remux = new TsToFlv();
 * for (const m of remux.push(srtPayload)) publisher.push(m.kind, m.timestamp, m.payload);
 */
export class TsToFlv {
  private readonly demux = new TsDemuxer();
  readonly stats: TsToFlvStats = { videoFrames: 0, audioFrames: 0, sequenceHeaders: 0, waitingForConfig: 0, dropped: 0, dropReasons: {}, demux: this.demux.stats };
  /** The last reason a PES was dropped, for a log line. */
  lastError: ProtocolError | null = null;
  private videoPid = -1;
  private audioPid = -1;
  private video: TsVideoTrack | null = null;
  private audio: TsAudioTrack | null = null;
  /** Opus channel counts by PID, from the last PMT's opus_audio_descriptors. */
  private readonly opusChannels = new Map<number, 1 | 2>();
  /** Audio and video back in one time order (TS muxers batch audio ahead of or behind video). */
  private readonly order = new AvInterleaver<FlvMessage>();
  /** Last unwrapped 90 kHz time, the reference for the next (33-bit wrap). */
  private ref: number | null = null;

  /** Pushed bytes must not be modified afterwards: frames may alias them. */
  push(bytes: Uint8Array): FlvMessage[] {
    return this.events(this.demux.push(bytes));
  }

  /** End of input: the PES still open (the last video frame). */
  flush(): FlvMessage[] {
    return this.events(this.demux.flush(), true);
  }

  /** The codecs in use (null until their PMT entry is seen). */
  get codecs(): { readonly video: 'h264' | 'hevc' | null; readonly audio: 'aac' | 'opus' | null } {
    return { video: this.videoCodec, audio: this.audio?.codec ?? null };
  }

  private videoCodec: 'h264' | 'hevc' | null = null;

  private events(events: readonly TsEvent[], end = false): FlvMessage[] {
    const out: FlvMessage[] = [];
    for (const e of events) {
      if (e.kind === 'pmt') this.program(e.pmt);
      else if (e.kind === 'pes') this.pes(e.pes);
    }
    if (end) this.order.flush(this.ready);
    const ready = this.ready;
    if (ready.length === 0) return out;
    this.ready = out;
    return ready;
  }

  /** Messages the interleaver released (swapped with the caller's array, not copied). */
  private ready: FlvMessage[] = [];

  private emit(kind: 'audio' | 'video', ticks: number, payload: Uint8Array): void {
    this.order.push(kind, ticks / 90, { kind, timestamp: toMs(ticks), payload }, this.ready);
  }

  /** A (new) PMT: the Opus channel counts it announces. */
  private program(pmt: Pmt): void {
    this.opusChannels.clear();
    const codecs = pmt.streams.map(codecOf);
    this.order.expect({ video: codecs.includes('h264') || codecs.includes('hevc'), audio: codecs.includes('aac') || codecs.includes('opus') });
    for (const s of pmt.streams) {
      const opus = s.descriptors.find((d) => d.tag === DESCRIPTOR_EXTENSION && d.data[0] === 0x80);
      if (opus === undefined) continue;
      const channels = opus.data[1] === OPUS_MONO ? 1 : 2;
      this.opusChannels.set(s.pid, channels);
      if (s.pid === this.audioPid) this.audio?.setOpusChannels(channels);
    }
  }

  private pes(p: TsPes): void {
    try {
      if (p.codec === 'h264' || p.codec === 'hevc') this.videoPes(p, p.codec);
      else if (p.codec === 'aac' || p.codec === 'opus') this.audioPes(p, p.codec);
      else throw new ProtocolError('ts_unsupported_codec', `stream type 0x${p.streamType.toString(16)} on PID ${p.pid} is not carried`);
    } catch (error) {
      if (!(error instanceof ProtocolError)) throw error;
      this.drop(error);
    }
  }

  private videoPes(p: TsPes, codec: 'h264' | 'hevc'): void {
    if (this.videoPid === -1 || this.videoCodec !== codec) {
      if (this.videoPid !== -1 && p.pid !== this.videoPid) throw new ProtocolError('ts_second_video_track', `a second video stream on PID ${p.pid}`);
      this.videoPid = p.pid;
      this.videoCodec = codec;
      this.video = new TsVideoTrack(codec);
    } else if (p.pid !== this.videoPid) throw new ProtocolError('ts_second_video_track', `a second video stream on PID ${p.pid}`);
    if (p.pts === undefined) throw new ProtocolError('ts_no_pts', `video PES without PTS on PID ${p.pid}`);
    const pts = this.unwrap(p.pts);
    const dts = p.dts === undefined ? pts : this.unwrap(p.dts);
    const cts = Math.max(0, toMs(pts) - toMs(dts));
    const v = this.video!.accessUnit(p.data, cts);
    if (v.sequenceHeader !== null) {
      this.stats.sequenceHeaders++;
      this.emit('video', dts, v.sequenceHeader);
    }
    if (v.frame === null) {
      this.stats.waitingForConfig++;
      return;
    }
    this.stats.videoFrames++;
    this.emit('video', dts, v.frame);
  }

  private audioPes(p: TsPes, codec: 'aac' | 'opus'): void {
    if (this.audioPid === -1 || this.audio?.codec !== codec) {
      if (this.audioPid !== -1 && p.pid !== this.audioPid) throw new ProtocolError('ts_second_audio_track', `a second audio stream on PID ${p.pid}`);
      this.audioPid = p.pid;
      this.audio = new TsAudioTrack(codec, this.opusChannels.get(p.pid) ?? 2);
    } else if (p.pid !== this.audioPid) throw new ProtocolError('ts_second_audio_track', `a second audio stream on PID ${p.pid}`);
    if (p.pts === undefined) throw new ProtocolError('ts_no_pts', `audio PES without PTS on PID ${p.pid}`);
    const base = this.unwrap(p.pts);
    for (const a of this.audio.pes(p.data)) {
      if (a.sequenceHeader) this.stats.sequenceHeaders++;
      else this.stats.audioFrames++;
      this.emit('audio', base + a.offset90k, a.body);
    }
  }

  private unwrap(ticks: number): number {
    const t = this.ref === null ? ticks : unwrap33(this.ref, ticks);
    this.ref = t;
    return t;
  }

  private drop(error: ProtocolError): void {
    this.stats.dropped++;
    this.stats.dropReasons[error.code] = (this.stats.dropReasons[error.code] ?? 0) + 1;
    this.lastError = error;
  }
}

/** 90 kHz ticks to FLV ms (32-bit, never negative). */
function toMs(ticks: number): number {
  return Math.max(0, Math.floor(ticks / 90)) % 2 ** 32;
}
