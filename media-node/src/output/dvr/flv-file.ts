import { isAmf0Object, type Amf0Value } from '../../format/amf0.ts';
import { flvStreamStart } from '../../format/flv/flv-header.ts';
import { decodeOnMetaData, encodeOnMetaData } from '../../format/flv/script-data.ts';
import { FLV_TAG_AUDIO, FLV_TAG_HEADER_BYTES, FLV_TAG_SCRIPT, FLV_TAG_VIDEO, flvTagParts } from '../../format/flv/tag-header.ts';
import { FLV_CODED_FRAME, classifyVideo } from '../../hub/flv-classify.ts';
import type { FileEnding, FileMuxer, MuxFlags, MuxResult } from './file-muxer.ts';

/**
 * One FLV recording (Adobe FLV spec v10.1 annex E): the header, an
 * onMetaData tag whose `duration` and `filesize` are written as 0 and
 * patched when the file ends (SRS `SrsDvrFlvSegmenter` refreshes the same
 * two), then the tags as the hub carries them (legacy or enhanced RTMP
 * bodies, no re-encoding) with timestamps from the file's start. The same
 * validity rules as the MP4 file: video starts at a keyframe, coded frames
 * need their sequence header first, a changed header asks for a new file.
 */

/** SoundFormat values whose frames a decoder cannot read without a sequence header (AAC 10, SRS Opus 13, E-RTMP ExHeader 9). */
const AUDIO_NEEDS_HEADER = new Set([9, 10, 13]);

/** AMF0 string marker + length + 'duration' / 'filesize' + number marker: where the patched doubles start. */
function numberOffset(body: Uint8Array, key: string): number {
  const pattern = [0, key.length, ...Array.from(key, (c) => c.charCodeAt(0)), 0];
  outer: for (let i = 0; i + pattern.length + 8 <= body.length; i++) {
    for (let k = 0; k < pattern.length; k++) if (body[i + k] !== pattern[k]) continue outer;
    return i + pattern.length;
  }
  return -1;
}

function sameBytes(a: Uint8Array, b: Uint8Array): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}

function f64(v: number): Uint8Array {
  const out = new Uint8Array(8);
  new DataView(out.buffer).setFloat64(0, v);
  return out;
}

export interface FlvFileOptions {
  readonly hasAudio: boolean;
  readonly hasVideo: boolean;
  /** The stream's onMetaData body (without @setDataFrame), copied into the file with duration and filesize set. */
  readonly metadata?: Uint8Array | null;
}

export class FlvFile implements FileMuxer {
  private readonly opts: FlvFileOptions;
  private size = 0;
  private durationAt = -1;
  private filesizeAt = -1;
  private readonly headers: { audio: Uint8Array | null; video: Uint8Array | null } = { audio: null, video: null };
  private readonly frames = { audio: 0, video: 0 };
  private readonly lastT = { audio: -1, video: -1 };
  private readonly step = { audio: 0, video: 0 };
  private videoStarted = false;
  lastError: unknown = null;

  constructor(opts: FlvFileOptions) {
    this.opts = opts;
  }

  get bytes(): number {
    return this.size;
  }

  /** FLV has no sample tables: only the byte cap applies. */
  get full(): boolean {
    return false;
  }

  get empty(): boolean {
    return this.frames.audio + this.frames.video === 0;
  }

  get frameCounts(): { readonly audio: number; readonly video: number } {
    return this.frames;
  }

  header(): Uint8Array[] {
    const none = !this.opts.hasAudio && !this.opts.hasVideo;
    const start = flvStreamStart({ hasAudio: this.opts.hasAudio || none, hasVideo: this.opts.hasVideo || none });
    const meta = encodeOnMetaData({ duration: 0, filesize: 0, ...this.sourceMetadata() });
    const tag = flvTagParts(FLV_TAG_SCRIPT, 0, meta);
    const base = start.length + FLV_TAG_HEADER_BYTES;
    this.durationAt = base + numberOffset(meta, 'duration');
    this.filesizeAt = base + numberOffset(meta, 'filesize');
    const parts = [start, ...tag];
    this.size = parts.reduce((n, p) => n + p.length, 0);
    return parts;
  }

  push(kind: 'audio' | 'video', t: number, payload: Uint8Array, flags: MuxFlags): MuxResult {
    const ts = Math.max(0, Math.floor(t));
    if (flags.sequenceHeader) {
      const current = this.headers[kind];
      if (current !== null && sameBytes(current, payload)) return { kind: 'skip' };
      if (current !== null && this.frames[kind] > 0) return { kind: 'restart', reason: 'codec_changed' };
      this.headers[kind] = payload;
      return this.tag(kind, ts, payload, false);
    }
    if (kind === 'video') {
      if (this.headers.video === null) return { kind: 'drop', reason: 'no_sequence_header' };
      if ((classifyVideo(payload) & FLV_CODED_FRAME) === 0) {
        // end of sequence, command, metadata: kept in place once the video runs, never counted as frames
        return this.videoStarted ? this.tag(kind, ts, payload, false) : { kind: 'skip' };
      }
      if (!this.videoStarted && !flags.keyframe) return { kind: 'drop', reason: 'wait_keyframe' };
      this.videoStarted = true;
    } else if (this.headers.audio === null && AUDIO_NEEDS_HEADER.has(payload[0]! >> 4)) {
      return { kind: 'drop', reason: 'no_sequence_header' };
    }
    const last = this.lastT[kind];
    if (last >= 0 && ts > last) this.step[kind] = ts - last;
    this.lastT[kind] = Math.max(last, ts);
    this.frames[kind]++;
    return this.tag(kind, ts, payload, true);
  }

  /** Ends at `endMs` (the next file's first frame) or one frame step after the last frame. */
  finish(endMs?: number): FileEnding {
    let end = 0;
    for (const k of ['audio', 'video'] as const) if (this.lastT[k] >= 0) end = Math.max(end, this.lastT[k] + this.step[k]);
    const durationMs = endMs !== undefined && endMs >= Math.max(this.lastT.audio, this.lastT.video) ? endMs : end;
    const patches = [];
    if (this.durationAt >= 0) patches.push({ offset: this.durationAt, bytes: f64(durationMs / 1000) });
    if (this.filesizeAt >= 0) patches.push({ offset: this.filesizeAt, bytes: f64(this.size) });
    return { tail: [], patches, durationMs, fileBytes: this.size };
  }

  private tag(kind: 'audio' | 'video', ts: number, payload: Uint8Array, frame: boolean): MuxResult {
    const parts = flvTagParts(kind === 'video' ? FLV_TAG_VIDEO : FLV_TAG_AUDIO, ts, payload);
    this.size += FLV_TAG_HEADER_BYTES + payload.length + 4;
    return { kind: 'written', parts, frame };
  }

  /** The publisher's metadata minus what the file states itself; nothing when it does not decode. */
  private sourceMetadata(): Record<string, Amf0Value> {
    const body = this.opts.metadata;
    if (body === null || body === undefined) return {};
    try {
      const meta = decodeOnMetaData(body);
      if (meta === null || !isAmf0Object(meta)) return {};
      const out: Record<string, Amf0Value> = {};
      for (const [k, v] of Object.entries(meta)) if (k !== 'duration' && k !== 'filesize') out[k] = v;
      return out;
    } catch (e) {
      this.lastError = e;
      return {};
    }
  }
}
