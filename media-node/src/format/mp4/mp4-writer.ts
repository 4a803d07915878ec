import { ProtocolError } from '@runnel/shared';
import { BoxWriter } from './box-writer.ts';
import { encodeMoov, type MoovTrack } from './moov.ts';
import type { Mp4SampleEntry } from './sample-entry.ts';
import { SampleTable } from './sample-table.ts';

/**
 * A progressive MP4 (ISO BMFF) writer for recordings: `ftyp`, one `mdat`
 * whose samples the caller writes as they come (to a file, not memory), and
 * `moov` at the end (ISO/IEC 14496-12; SRS's DVR writes the same layout,
 * `SrsMp4Encoder`). The writer never holds sample data, only the sample
 * tables; it tells the caller where each sample goes and, at the end, the
 * moov to append and the 16-byte mdat header to write over the placeholder.
 * Decode times count from the file's start: a track whose first sample
 * comes later (or is presented later, B-frames) starts with an empty edit,
 * so audio and video keep their offsets.
 *
 * @example
 * const mp4 = new Mp4Writer({ creationTimeMs: Date.now() });
 * file.append(mp4.header());
 * const v = mp4.addTrack({ kind: 'video', codec: 'h264', config: avcC, width: 1280, height: 720 });
 * mp4.addSample(v, { dts: 0, cto: 80, size: frame.length, keyframe: true }); file.append(frame);
 * const end = mp4.finish();
 * file.append(end.moov); file.writeAt(end.mdatHeaderOffset, end.mdatHeader);
 */

/** Ticks per second of the movie and every track: FLV/RTMP timestamps are milliseconds, so 1000 keeps them exact (SRS's DVR uses 1000 too). */
export const MP4_TIMESCALE = 1000;

/**
 * Most samples in one file, all tracks together. The sample tables cost
 * about 24 bytes a sample in the worst case (12 + a chunk each when audio
 * and video alternate), so this bounds a recording's table memory near
 * 25 MiB: 4.3 hours of 25 fps video with 44.1 kHz AAC. The recorder starts
 * a new file when it is reached.
 */
export const MAX_MP4_SAMPLES = 1 << 20;

/** Seconds from 1904-01-01 (the MP4 epoch, 14496-12 8.2.2.3) to 1970-01-01. */
const MP4_EPOCH_OFFSET_S = 2_082_844_800;

/** ftyp (4.3): major brand isom, minor 512, compatible isom iso2 mp41 (FFmpeg's choice for a plain .mp4). */
function encodeFtyp(): Uint8Array {
  const w = new BoxWriter(32);
  w.box('ftyp', () => {
    w.fourCc('isom');
    w.u32(512);
    for (const b of ['isom', 'iso2', 'mp41']) w.fourCc(b);
  });
  return w.bytes().slice();
}

/** mdat with a 64-bit largesize (14496-12 4.2: size 1), so a file may pass 4 GiB: 4 + 4 + 8 bytes. */
export const MDAT_HEADER_BYTES = 16;

function encodeMdatHeader(totalBytes: number): Uint8Array {
  const w = new BoxWriter(MDAT_HEADER_BYTES);
  w.u32(1);
  w.fourCc('mdat');
  w.u64(totalBytes);
  return w.bytes().slice();
}

export interface Mp4Sample {
  /** Decode time in ms from the start of the file (the movie's time 0), non-decreasing per track. */
  readonly dts: number;
  /** Composition time minus decode time, ms (FLV CompositionTime); may be negative. */
  readonly cto: number;
  readonly size: number;
  readonly keyframe: boolean;
}

export interface Mp4WriterOptions {
  /** Wall clock of the recording's start (ms since 1970), for mvhd/tkhd/mdhd creation_time. */
  readonly creationTimeMs?: number;
  /** Sample cap for this file (default MAX_MP4_SAMPLES). */
  readonly maxSamples?: number;
}

export interface Mp4Ending {
  /** To append after the last sample. */
  readonly moov: Uint8Array;
  /** The real mdat header, to write over the placeholder at `mdatHeaderOffset`. */
  readonly mdatHeader: Uint8Array;
  readonly mdatHeaderOffset: number;
  /** Movie duration, ms. */
  readonly durationMs: number;
  /** Size of the finished file. */
  readonly fileBytes: number;
}

interface Track {
  readonly id: number;
  readonly entry: Mp4SampleEntry;
  readonly table: SampleTable;
}

/** Assumed duration of a lone last sample when nothing better is known: one 25 fps frame, one 1024-sample AAC frame. */
function defaultDuration(e: Mp4SampleEntry): number {
  if (e.kind === 'video') return 40;
  return e.sampleRate > 0 ? Math.max(1, Math.round((1024 * MP4_TIMESCALE) / e.sampleRate)) : 23;
}

export class Mp4Writer {
  private readonly tracks: Track[] = [];
  private readonly creationTime: number;
  private readonly maxSamples: number;
  private readonly ftyp = encodeFtyp();
  private offset = -1;
  private samples = 0;
  private finished = false;

  constructor(opts: Mp4WriterOptions = {}) {
    this.creationTime = Math.max(0, Math.floor((opts.creationTimeMs ?? 0) / 1000) + MP4_EPOCH_OFFSET_S);
    this.maxSamples = opts.maxSamples ?? MAX_MP4_SAMPLES;
  }

  /** Bytes of the file so far (header and samples). */
  get size(): number {
    return Math.max(0, this.offset);
  }

  /** Samples written, all tracks. */
  get sampleCount(): number {
    return this.samples;
  }

  /** The sample cap is reached: finish this file. */
  get full(): boolean {
    return this.samples >= this.maxSamples;
  }

  /** The start of the file: ftyp and a placeholder mdat header. Call once, first. */
  header(): Uint8Array {
    if (this.offset >= 0) throw new ProtocolError('mp4_writer_state', 'header() called twice');
    const out = new Uint8Array(this.ftyp.length + MDAT_HEADER_BYTES);
    out.set(this.ftyp, 0);
    out.set(encodeMdatHeader(MDAT_HEADER_BYTES), this.ftyp.length);
    this.offset = out.length;
    return out;
  }

  /** Declares a track (any time before finish); returns its id. */
  addTrack(entry: Mp4SampleEntry): number {
    const id = this.tracks.length + 1;
    this.tracks.push({ id, entry, table: new SampleTable() });
    return id;
  }

  /** Records a sample of `trackId` and returns the file offset its bytes go to (the caller appends them next). */
  addSample(trackId: number, s: Mp4Sample): number {
    if (this.offset < 0 || this.finished) throw new ProtocolError('mp4_writer_state', 'addSample outside header()..finish()');
    if (this.full) throw new ProtocolError('mp4_too_many_samples', `more than ${this.maxSamples} samples in one file`);
    const t = this.tracks[trackId - 1];
    if (t === undefined) throw new ProtocolError('mp4_writer_state', `no track ${trackId}`);
    const at = this.offset;
    t.table.add(s.dts, s.cto, s.size, s.keyframe, at);
    this.offset += s.size;
    this.samples++;
    return at;
  }

  /** Last decode time of a track, or null before its first sample. */
  lastDts(trackId: number): number | null {
    const t = this.tracks[trackId - 1];
    return t === undefined || t.table.count === 0 ? null : t.table.lastDts;
  }

  /**
   * Ends the file. `endMs` is where the media ends on the decode timeline
   * (the next file's first frame after a cut): each track's last sample
   * lasts up to it when that is within twice the track's frame step;
   * otherwise (or without `endMs`) it lasts one frame step.
   */
  finish(endMs?: number): Mp4Ending {
    if (this.offset < 0 || this.finished) throw new ProtocolError('mp4_writer_state', 'finish() twice or before header()');
    this.finished = true;
    const used = this.tracks.filter((t) => t.table.count > 0);
    const tracks: MoovTrack[] = used.map((t) => {
      const step = t.table.lastStep() || defaultDuration(t.entry);
      const toEnd = endMs === undefined ? 0 : endMs - t.table.lastDts;
      const lastDuration = toEnd > 0 && toEnd <= 2 * step ? toEnd : step;
      const cto = t.table.firstCto;
      const mediaTime = cto > 0 ? cto : 0;
      return { id: t.id, entry: t.entry, table: t.table, lastDuration, delay: t.table.firstDts + mediaTime, mediaTime };
    });
    const moov = encodeMoov({ timescale: MP4_TIMESCALE, creationTime: this.creationTime, tracks });
    const mdatBytes = this.offset - this.ftyp.length;
    const durationMs = Math.max(0, ...tracks.map((t) => t.delay + t.table.duration(t.lastDuration)));
    return {
      moov,
      mdatHeader: encodeMdatHeader(mdatBytes),
      mdatHeaderOffset: this.ftyp.length,
      durationMs,
      fileBytes: this.offset + moov.length,
    };
  }
}
