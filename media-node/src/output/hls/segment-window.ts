import type { MediaPlaylist } from '../../format/m3u8/media-playlist.ts';

/** A segment that is stored and named by the playlist. */
export interface StoredSegment {
  readonly seq: number;
  readonly key: string;
  readonly uri: string;
  readonly durationMs: number;
  readonly discontinuity: boolean;
  /** Wall clock of its first sample, ms since the epoch. */
  readonly programDateTime: number;
}

interface Expired {
  readonly segment: StoredSegment;
  /** Media time (sum of durations ever added) after which its file may go. */
  readonly dueMs: number;
}

/**
 * The sliding window of a live playlist (SRS `SrsFragmentWindow`) and the
 * bookkeeping RFC 8216 asks around it:
 * - shrink (SRS 4 `shrink`): the oldest segment leaves while the ones after
 *   it still last more than `windowMs`, so the segment crossing the limit
 *   stays; and never below three target durations (6.2.2);
 * - EXT-X-DISCONTINUITY-SEQUENCE counts discontinuities that left (6.2.2);
 * - a segment that left stays stored for its duration plus the playlist's
 *   duration when it left (6.2.2), then `add` hands it back for deletion
 *   (SRS deletes at once; a player that fetched the previous playlist would
 *   get a 404);
 * - the target duration never decreases (6.2.1: it must not change; it can
 *   only grow if a segment is longer than every one before).
 */
export class SegmentWindow {
  private list: StoredSegment[] = [];
  private expired: Expired[] = [];
  private mediaMs = 0;
  private discontinuitySeq = 0;
  private targetS: number;
  private readonly windowMs: number;
  private readonly keepExpired: boolean;

  /** `minTargetS`: ceil(hls_td_ratio * hls_fragment). `keepExpired` false (hls_cleanup off) forgets segments that left. */
  constructor(opts: { windowMs: number; minTargetS: number; keepExpired: boolean }) {
    this.windowMs = opts.windowMs;
    this.targetS = Math.max(1, Math.ceil(opts.minTargetS));
    this.keepExpired = opts.keepExpired;
  }

  get segments(): readonly StoredSegment[] {
    return this.list;
  }

  get targetDurationS(): number {
    return this.targetS;
  }

  /** Appends a stored segment, shrinks; returns the segments whose files are now due for deletion. */
  add(s: StoredSegment): StoredSegment[] {
    this.list.push(s);
    this.mediaMs += s.durationMs;
    this.targetS = Math.max(this.targetS, Math.ceil(s.durationMs / 1000));
    let total = this.list.reduce((n, x) => n + x.durationMs, 0);
    const floorMs = 3 * this.targetS * 1000;
    while (this.list.length > 1 && total - this.list[0]!.durationMs > this.windowMs && total - this.list[0]!.durationMs >= floorMs) {
      const gone = this.list.shift()!;
      // The tag goes with the segment it precedes.
      if (gone.discontinuity) this.discontinuitySeq++;
      if (this.keepExpired) this.expired.push({ segment: gone, dueMs: this.mediaMs + gone.durationMs + total });
      total -= gone.durationMs;
    }
    const due = this.expired.filter((e) => e.dueMs <= this.mediaMs).map((e) => e.segment);
    this.expired = this.expired.filter((e) => e.dueMs > this.mediaMs);
    return due;
  }

  /** Empties the window (hls_dispose) and returns every segment still stored, listed or expired. */
  clear(): StoredSegment[] {
    const all = [...this.expired.map((e) => e.segment), ...this.list];
    this.list = [];
    this.expired = [];
    return all;
  }

  playlist(endList: boolean): MediaPlaylist {
    return {
      version: 3,
      targetDuration: this.targetS,
      mediaSequence: this.list[0]?.seq ?? 0,
      discontinuitySequence: this.discontinuitySeq,
      endList,
      segments: this.list.map((s) => ({
        uri: s.uri,
        duration: s.durationMs / 1000,
        ...(s.discontinuity ? { discontinuity: true } : {}),
        programDateTime: s.programDateTime,
      })),
    };
  }
}
