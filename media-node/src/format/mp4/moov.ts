import { BoxWriter } from './box-writer.ts';
import type { Mp4SampleEntry } from './sample-entry.ts';
import { writeStsd } from './sample-entry.ts';
import type { SampleTable } from './sample-table.ts';

/**
 * The `moov` box (ISO/IEC 14496-12 8.2.1) of a file whose samples are all in
 * one `mdat`: mvhd, then per track tkhd, edts/elst (when the track starts
 * late or with a composition offset), mdia (mdhd, hdlr, minf with
 * vmhd/smhd, dinf, stbl). Movie and media timescales are the same.
 */
export interface MoovTrack {
  readonly id: number;
  readonly entry: Mp4SampleEntry;
  readonly table: SampleTable;
  /** Duration of the track's last sample, in the timescale. */
  readonly lastDuration: number;
  /** Movie time before the track's first presented sample (an empty edit), in the timescale. */
  readonly delay: number;
  /** Media time the presentation starts at (the first sample's composition offset), or 0. */
  readonly mediaTime: number;
}

export interface MoovInit {
  /** Ticks per second of the movie and of every track. */
  readonly timescale: number;
  /** Seconds since 1904-01-01 UTC (14496-12 8.2.2.3). */
  readonly creationTime: number;
  readonly tracks: readonly MoovTrack[];
}

/** 14496-12 8.2.2.3 / 8.3.2.3: the identity transformation matrix. */
const MATRIX = [0x00010000, 0, 0, 0, 0x00010000, 0, 0, 0, 0x40000000];
/** ISO 639-2/T 'und' packed as three 5-bit letters (14496-12 8.4.2.3). */
const LANGUAGE_UND = 0x55c4;
const U32_MAX = 0xffffffff;

/** Track durations in the movie timescale: delay + media duration. */
export function trackDuration(t: MoovTrack): number {
  return t.delay + t.table.duration(t.lastDuration);
}

export function encodeMoov(m: MoovInit): Uint8Array {
  const w = new BoxWriter(4096);
  const duration = Math.max(0, ...m.tracks.map(trackDuration));
  w.box('moov', () => {
    writeMvhd(w, m, duration);
    for (const t of m.tracks) writeTrak(w, m, t);
  });
  return w.bytes();
}

/** Version 1 (64-bit times) only when a value does not fit 32 bits. */
function timeVersion(...values: number[]): 0 | 1 {
  return values.some((v) => v > U32_MAX) ? 1 : 0;
}

function times(w: BoxWriter, version: 0 | 1, creation: number): void {
  if (version === 1) {
    w.u64(creation);
    w.u64(creation);
  } else {
    w.u32(creation);
    w.u32(creation);
  }
}

function writeMvhd(w: BoxWriter, m: MoovInit, duration: number): void {
  const v = timeVersion(m.creationTime, duration);
  w.fullBox('mvhd', v, 0, () => {
    times(w, v, m.creationTime);
    w.u32(m.timescale);
    if (v === 1) w.u64(duration);
    else w.u32(duration);
    w.u32(0x00010000); // rate 1.0
    w.u16(0x0100); // volume 1.0
    w.zeros(10); // reserved
    for (const x of MATRIX) w.u32(x);
    w.zeros(24); // pre_defined
    w.u32(Math.max(0, ...m.tracks.map((t) => t.id)) + 1); // next_track_ID
  });
}

function writeTrak(w: BoxWriter, m: MoovInit, t: MoovTrack): void {
  const duration = trackDuration(t);
  const media = t.table.duration(t.lastDuration);
  w.box('trak', () => {
    const v = timeVersion(m.creationTime, duration);
    // 8.3.2: flags 3 = track_enabled | track_in_movie
    w.fullBox('tkhd', v, 3, () => {
      times(w, v, m.creationTime);
      w.u32(t.id);
      w.u32(0); // reserved
      if (v === 1) w.u64(duration);
      else w.u32(duration);
      w.zeros(8); // reserved
      w.u16(0); // layer
      w.u16(0); // alternate_group
      w.u16(t.entry.kind === 'audio' ? 0x0100 : 0);
      w.u16(0); // reserved
      for (const x of MATRIX) w.u32(x);
      const video = t.entry.kind === 'video' ? t.entry : null;
      w.u32((video?.width ?? 0) * 0x10000);
      w.u32((video?.height ?? 0) * 0x10000);
    });
    if (t.delay > 0 || t.mediaTime > 0) writeEdts(w, t, media);
    w.box('mdia', () => {
      const mv = timeVersion(m.creationTime, media);
      w.fullBox('mdhd', mv, 0, () => {
        times(w, mv, m.creationTime);
        w.u32(m.timescale);
        if (mv === 1) w.u64(media);
        else w.u32(media);
        w.u16(LANGUAGE_UND);
        w.u16(0);
      });
      writeHdlr(w, t.entry.kind);
      w.box('minf', () => {
        if (t.entry.kind === 'video') {
          w.fullBox('vmhd', 0, 1, () => w.zeros(8)); // 8.4.5.2: flags 1, graphicsmode copy, opcolor 0
        } else {
          w.fullBox('smhd', 0, 0, () => w.zeros(4)); // 8.4.5.3: balance 0
        }
        w.box('dinf', () =>
          w.fullBox('dref', 0, 0, () => {
            w.u32(1);
            w.fullBox('url ', 0, 1, () => {}); // 8.7.2: flag 1 = media in this file
          }),
        );
        w.box('stbl', () => {
          writeStsd(w, t.entry, t.id);
          t.table.encode(w, { lastDuration: t.lastDuration, syncTable: t.entry.kind === 'video' });
        });
      });
    });
  });
}

/**
 * 8.6.6 EditListBox: an empty edit for a late start, then the media from
 * `mediaTime`. Version 0 always: decode times are 32-bit (SampleTable), so
 * neither the delay nor the media duration can pass 2^32.
 */
function writeEdts(w: BoxWriter, t: MoovTrack, media: number): void {
  w.box('edts', () =>
    w.fullBox('elst', 0, 0, () => {
      const entries: [number, number][] = [];
      if (t.delay > 0) entries.push([t.delay, -1]);
      entries.push([media, t.mediaTime]);
      w.u32(entries.length);
      for (const [segment, mediaTime] of entries) {
        w.u32(segment);
        w.i32(mediaTime);
        w.u16(1); // media_rate_integer
        w.u16(0); // media_rate_fraction
      }
    }),
  );
}

/** 8.4.3 HandlerReferenceBox. */
function writeHdlr(w: BoxWriter, kind: 'video' | 'audio'): void {
  w.fullBox('hdlr', 0, 0, () => {
    w.u32(0);
    w.fourCc(kind === 'video' ? 'vide' : 'soun');
    w.zeros(12);
    w.raw(new TextEncoder().encode(kind === 'video' ? 'VideoHandler\0' : 'SoundHandler\0'));
  });
}
