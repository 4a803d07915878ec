import { ProtocolError } from '@runnel/shared';
import { encodeAdtsHeader } from '../../codec/aac/adts.ts';
import { avccToAnnexB } from '../../codec/h264/access-unit.ts';
import { hevcToAnnexB } from '../../codec/hevc/access-unit.ts';
import { decodeAudioData } from '../flv/audio-data.ts';
import { decodeVideoData } from '../flv/video-data.ts';
import { PID_PAT, PID_PMT, TS_PACKET_SIZE } from '../mpegts/constants.ts';
import { Packetizer } from '../mpegts/packetizer.ts';
import { encodePat } from '../mpegts/pat.ts';
import { decodePmt, encodePmt } from '../mpegts/pmt.ts';
import { msTo90k } from '../mpegts/timestamp.ts';
import { decodeTsPacket } from '../mpegts/ts-packet.ts';
import { TsMuxer, type TsAudioCodec, type TsVideoCodec } from '../mpegts/ts-muxer.ts';
import { audioTrackConfig, tsAudioCodec, tsVideoCodec, videoTrackConfig } from './track-config.ts';
import type { AudioTrackConfig, VideoTrackConfig } from './track-config.ts';

/** The TS packets of one FLV frame. */
export interface TsChunk {
  readonly kind: 'video' | 'audio';
  /** Whole 188-byte packets, to be written in order: PAT + PMT first when `withTables`, then the frame's PES. */
  readonly parts: readonly Uint8Array[];
  readonly byteLength: number;
  /** A video random access point (FLV FrameType key); its PES carries random_access_indicator. */
  readonly keyframe: boolean;
  /** Decode / presentation time in 90 kHz ticks, before the 33-bit wrap (FLV ms x 90). */
  readonly dts: number;
  readonly pts: number;
  /** The chunk starts with PAT + PMT, so a reader can start here. */
  readonly withTables: boolean;
  /** Its PMT differs from the previous one (first tables, codec change, a track appeared): a new version_number. */
  readonly tablesChanged: boolean;
  /**
   * A track of the previous program changed codec (H.264 -> HEVC, AAC -> MP3,
   * Opus channel count): decoders must restart here. False when a track was
   * only added (an MP3 or Opus track has no sequence header, so it appears
   * with its first frame, possibly just after the first video frame).
   */
  readonly codecChanged: boolean;
}

export interface FlvToTsStats {
  videoFrames: number;
  audioFrames: number;
  /** Sequence headers accepted. */
  sequenceHeaders: number;
  /** Data messages, video command/metadata frames, end-of-sequence: nothing to put in TS. */
  ignored: number;
  /** Frames and sequence headers dropped, in total and by ProtocolError code. */
  dropped: number;
  readonly dropReasons: Record<string, number>;
  /** Frames whose negative CompositionTime was raised to 0 (a PTS before its DTS is not decodable). */
  clampedCompositionTimes: number;
}

export interface FlvToTsOptions {
  /** Repeat PAT + PMT before every video keyframe (default true) so a reader joining there starts clean. */
  readonly tablesOnKeyframes?: boolean;
}

/** Fixed PAT: one program (number 1) whose PMT is on PID_PMT, as TsMuxer writes it. */
const PAT_SECTION = encodePat({ transportStreamId: 1, version: 0, programs: [{ programNumber: 1, pid: PID_PMT }] });

/**
 * A stateful FLV -> MPEG-TS remuxer for one live stream: hub messages (FLV
 * tag bodies, legacy or enhanced RTMP) in, TS packets out. Keeps the last
 * AVC/HEVC decoder configuration and AAC AudioSpecificConfig / OpusHead;
 * turns AVCC frames into Annex B (AUD first, parameter sets before
 * keyframes), raw AAC into ADTS, passes MP3 and Opus through; PTS = DTS +
 * CompositionTime at 90 kHz. PAT + PMT go out before the first frame, before
 * every video keyframe and whenever the program changes (a codec switch or a
 * track appearing gives a new PMT version_number, ISO/IEC 13818-1 2.4.4.9).
 *
 * Never throws out of `push`/`remux` (bad-inputs rows 36, 37, 40): a frame or
 * header that cannot be used is dropped and counted in `stats`; a refused
 * sequence header also drops the frames that depend on it until a good one.
 *
 * Continuity counters are kept here per PID across the muxer rebuilds a
 * program change needs, so a reader sees one continuous stream.
 *
 * @example
 * const ts = new FlvToTs();
 * for (const m of consumer.take()) { const b = ts.push(m.kind, m.timestamp, m.payload); if (b) res.write(b); }
 */
export class FlvToTs {
  readonly stats: FlvToTsStats = {
    videoFrames: 0, audioFrames: 0, sequenceHeaders: 0, ignored: 0, dropped: 0, dropReasons: {}, clampedCompositionTimes: 0,
  };
  /** The last reason a message was dropped, for a log line. */
  lastError: Error | null = null;

  private readonly tablesOnKeyframes: boolean;
  private videoConfig: VideoTrackConfig | null = null;
  private audioConfig: AudioTrackConfig | null = null;
  /** The program: a track stays in it once seen, even while its configuration is refused. */
  private videoCodec: TsVideoCodec | null = null;
  private audioCodec: TsAudioCodec | null = null;
  private opusChannels: 1 | 2 = 2;
  private mux: TsMuxer | null = null;
  private muxVideo: string | null = null;
  private muxAudio: string | null = null;
  private pmtVersion = -1;
  private pmtSection: Uint8Array | null = null;
  /** Next continuity_counter per PID, ours rather than the muxer's (see restamp). */
  private readonly cc = new Map<number, number>();
  /** Whether the current program's tables are in the stream yet. */
  private tablesWritten = false;
  /** How the program changed since the last chunk (tables() may rebuild it in between). */
  private change: 'none' | 'tracks' | 'codec' = 'none';
  private tablesRequested = false;

  constructor(opts: FlvToTsOptions = {}) {
    this.tablesOnKeyframes = opts.tablesOnKeyframes ?? true;
  }

  /** The codecs of the current program (null until a track is seen). */
  get codecs(): { readonly video: TsVideoCodec | null; readonly audio: TsAudioCodec | null } {
    return { video: this.videoCodec, audio: this.audioCodec };
  }

  /** One FLV message in; the TS bytes of it (contiguous) out, or null for headers, data and dropped frames. */
  push(kind: 'audio' | 'video' | 'data', timestamp: number, payload: Uint8Array): Uint8Array | null {
    const c = this.remux(kind, timestamp, payload);
    if (c === null) return null;
    return c.parts.length === 1 ? c.parts[0]! : concat(c.parts, c.byteLength);
  }

  /** Like push, with the packets left in parts (no copy) and what they are. */
  remux(kind: 'audio' | 'video' | 'data', timestamp: number, payload: Uint8Array): TsChunk | null {
    try {
      if (!Number.isFinite(timestamp)) throw new ProtocolError('ts_bad_timestamp', `timestamp ${timestamp}`);
      if (kind === 'video') return this.video(timestamp, payload);
      if (kind === 'audio') return this.audio(timestamp, payload);
      this.stats.ignored++;
      return null;
    } catch (e) {
      // Anything else is a bug below us; the stream must survive it all the same.
      const code = e instanceof ProtocolError ? e.code : 'ts_remux_failed';
      this.stats.dropped++;
      this.stats.dropReasons[code] = (this.stats.dropReasons[code] ?? 0) + 1;
      this.lastError = e instanceof Error ? e : new Error(String(e));
      return null;
    }
  }

  /**
   * PAT + PMT for a reader that starts now (an HTTP-TS player joining): the
   * current tables with the continuity counters of the last ones written into
   * the stream (a permitted duplicate, 2.4.3.3), so the stream's next tables
   * follow on for this reader and readers already playing are not disturbed.
   * Nothing advances. Empty before any track is known.
   */
  tables(): Uint8Array {
    if (!this.hasTracks()) return new Uint8Array(0);
    this.ensureProgram();
    return this.restamp(this.tablePackets(), false);
  }

  /**
   * PAT + PMT as the next packets of the stream (counters advance): for a
   * segment that starts on something other than a keyframe. Empty before any
   * track is known.
   */
  writeTables(): Uint8Array {
    if (!this.hasTracks()) return new Uint8Array(0);
    this.ensureProgram();
    return this.emitTables();
  }

  /** Make the next chunk start with PAT + PMT. */
  requestTables(): void {
    this.tablesRequested = true;
  }

  /** Forget configurations and the program (a new publish session); counters and the PMT version carry on. */
  reset(): void {
    this.videoConfig = null;
    this.audioConfig = null;
    this.videoCodec = null;
    this.audioCodec = null;
    this.tablesWritten = false;
  }

  private video(timestamp: number, payload: Uint8Array): TsChunk | null {
    const v = decodeVideoData(payload);
    if (v.packetType !== 'sequence-header' && v.packetType !== 'frame') {
      this.stats.ignored++;
      return null;
    }
    const codec = tsVideoCodec(v.codec);
    if (v.packetType === 'sequence-header') {
      this.videoConfig = null; // a refused header must not leave the previous one in force
      this.videoConfig = videoTrackConfig(codec, v.data);
      this.videoCodec = codec;
      this.stats.sequenceHeaders++;
      return null;
    }
    const cfg = this.videoConfig;
    if (cfg === null || cfg.codec !== codec) throw new ProtocolError('ts_no_video_config', `${codec} frame without its sequence header`);
    if (v.data.length === 0) throw new ProtocolError('ts_empty_frame', 'video frame without NAL units');
    const annexB = cfg.codec === 'h264' ? avccToAnnexB(v.data, cfg.avc) : hevcToAnnexB(v.data, cfg.hevc);
    if (v.compositionTime < 0) this.stats.clampedCompositionTimes++;
    const dts = msTo90k(timestamp);
    const pts = dts + msTo90k(Math.max(0, v.compositionTime));
    const chunk = this.emit('video', v.keyframe, dts, pts, (mux) => mux.writeVideo(annexB, pts, dts, v.keyframe));
    this.stats.videoFrames++;
    return chunk;
  }

  private audio(timestamp: number, payload: Uint8Array): TsChunk | null {
    const a = decodeAudioData(payload);
    if (a.packetType !== 'sequence-header' && a.packetType !== 'frame') {
      this.stats.ignored++;
      return null;
    }
    const codec = tsAudioCodec(a.codec);
    if (a.packetType === 'sequence-header') {
      this.audioConfig = null;
      this.audioConfig = audioTrackConfig(codec, a.data);
      this.setAudioCodec(this.audioConfig);
      this.stats.sequenceHeaders++;
      return null;
    }
    if (a.data.length === 0) throw new ProtocolError('ts_empty_frame', 'audio frame without data');
    let cfg = this.audioConfig;
    if (cfg === null || cfg.codec !== codec) {
      // MP3 needs no configuration and Opus frames are self-describing (TOC); AAC cannot do without its ASC.
      if (codec === 'aac') throw new ProtocolError('ts_no_audio_config', 'AAC frame without a usable AudioSpecificConfig');
      cfg = this.audioConfig = codec === 'opus' ? { codec, channels: 2 } : { codec };
      this.setAudioCodec(cfg);
    }
    const es = cfg.codec === 'aac' ? withAdts(cfg.asc, a.data) : a.data;
    const pts = msTo90k(timestamp);
    const chunk = this.emit('audio', false, pts, pts, (mux) => mux.writeAudio(es, pts));
    this.stats.audioFrames++;
    return chunk;
  }

  private setAudioCodec(cfg: AudioTrackConfig): void {
    this.audioCodec = cfg.codec;
    if (cfg.codec === 'opus') this.opusChannels = cfg.channels;
  }

  private emit(kind: 'video' | 'audio', keyframe: boolean, dts: number, pts: number, write: (mux: TsMuxer) => Uint8Array): TsChunk {
    this.ensureProgram();
    const change = this.change;
    this.change = 'none';
    const changed = change !== 'none';
    const frame = this.restamp(write(this.mux!), true);
    const withTables = changed || !this.tablesWritten || this.tablesRequested || (keyframe && this.tablesOnKeyframes);
    const parts = withTables ? [this.emitTables(), frame] : [frame];
    return {
      kind, parts, byteLength: frame.length + (withTables ? parts[0]!.length : 0), keyframe, dts, pts,
      withTables, tablesChanged: changed, codecChanged: change === 'codec',
    };
  }

  private hasTracks(): boolean {
    return this.videoCodec !== null || this.audioCodec !== null;
  }

  /** Builds the muxer and PMT for the current tracks (at least one) if they changed, and notes how in `change`. */
  private ensureProgram(): void {
    const video = this.videoCodec;
    const audio = this.audioCodec === 'opus' ? `opus/${this.opusChannels}` : this.audioCodec;
    if (this.mux !== null && video === this.muxVideo && audio === this.muxAudio) return;
    const codec = (this.muxVideo !== null && video !== this.muxVideo) || (this.muxAudio !== null && audio !== this.muxAudio);
    const mux = new TsMuxer({
      ...(this.videoCodec ? { video: this.videoCodec } : {}),
      ...(this.audioCodec ? { audio: this.audioCodec, opusChannels: this.opusChannels } : {}),
    });
    // The muxer's own PMT is the one description of the program; re-encode it with our version_number.
    const tables = mux.writeTables();
    const pmtPacket = decodeTsPacket(tables.subarray(TS_PACKET_SIZE, 2 * TS_PACKET_SIZE)).payload;
    this.pmtVersion = (this.pmtVersion + 1) & 0x1f; // 5-bit version_number, modulo 32 (2.4.4.9)
    this.pmtSection = encodePmt({ ...decodePmt(pmtPacket.subarray(1 + pmtPacket[0]!)), version: this.pmtVersion });
    this.mux = mux;
    this.muxVideo = video;
    this.muxAudio = audio;
    this.tablesWritten = false;
    if (codec) this.change = 'codec';
    else if (this.change === 'none') this.change = 'tracks';
  }

  private emitTables(): Uint8Array {
    this.tablesRequested = false;
    this.tablesWritten = true;
    return this.restamp(this.tablePackets(), true);
  }

  /** PAT + PMT packets of the current program (one packet each: both sections are far below 183 bytes). */
  private tablePackets(): Uint8Array {
    const p = new Packetizer();
    return concat([p.section(PID_PAT, PAT_SECTION), p.section(PID_PMT, this.pmtSection!)], 2 * TS_PACKET_SIZE);
  }

  /**
   * Writes the continuity_counter of every packet from our own per-PID
   * counters (2.4.3.3), so a program change (which needs a new TsMuxer) does
   * not restart them and readers do not drop the frame in flight as lost.
   * `advance` false repeats the previous counter: a duplicate of the last
   * packet on that PID, which 2.4.3.3 permits, for a reader joining now.
   */
  private restamp(packets: Uint8Array, advance: boolean): Uint8Array {
    for (let off = 0; off + TS_PACKET_SIZE <= packets.length; off += TS_PACKET_SIZE) {
      const pid = ((packets[off + 1]! & 0x1f) << 8) | packets[off + 2]!;
      const next = this.cc.get(pid) ?? 0;
      packets[off + 3] = (packets[off + 3]! & 0xf0) | (advance ? next : (next + 15) & 0x0f);
      if (advance) this.cc.set(pid, (next + 1) & 0x0f);
    }
    return packets;
  }
}

/** ADTS header + raw AAC frame (ISO/IEC 14496-3 1.A.2): what stream_type 0x0F carries. */
function withAdts(asc: Parameters<typeof encodeAdtsHeader>[0], raw: Uint8Array): Uint8Array {
  const header = encodeAdtsHeader(asc, raw.length);
  const out = new Uint8Array(header.length + raw.length);
  out.set(header, 0);
  out.set(raw, header.length);
  return out;
}

function concat(parts: readonly Uint8Array[], total: number): Uint8Array {
  const out = new Uint8Array(total);
  let off = 0;
  for (const p of parts) {
    out.set(p, off);
    off += p.length;
  }
  return out;
}
