import { decodeMediaPlaylist, type MediaPlaylist } from '../format/m3u8/media-playlist.ts';

/**
 * Whether one live HLS stream keeps up with real time, judged from outside
 * by polling its playlist (issue 3: "how many 2 Mbps streams one core can
 * segment and upload in real time"). A segment of d seconds can only be
 * finished d seconds after the one before it (it is cut at the keyframe
 * that starts the next), so when the node keeps up, segment i first shows
 * up in the playlist at about a_0 + d_1 + ... + d_i. A node that falls
 * behind publishes them later and later: that growing lateness is what this
 * measures, along with segments that never appear, discontinuities and
 * durations that are not what the fragment and the source's GOP give.
 */

/** What one stream should look like. */
export interface ProgressExpectations {
  /** Duration every segment should have: hls_fragment rounded up to a whole number of GOPs of the source. */
  readonly segmentMs: number;
  /** A segment whose EXTINF is off by more than this fraction of `segmentMs` counts as a bad duration. */
  readonly durationTolerance: number;
  /** Largest lateness (see `behindMs`) that still counts as real time. */
  readonly lateThresholdMs: number;
}

export interface StreamProgress {
  /** Playlist reads that succeeded / failed during the window. */
  readonly reads: number;
  readonly readErrors: number;
  /** Segments first seen during the window (after the first read). */
  readonly newSegments: number;
  /** Their media time, ms (sum of EXTINF). */
  readonly newMediaMs: number;
  /** Sequence numbers between the first and the last new segment that no read ever listed. */
  readonly missing: number;
  /** New segments with EXT-X-DISCONTINUITY: a dropped segment, a timestamp jump or a republish. */
  readonly discontinuities: number;
  /** Reads whose last sequence number went down (a playlist that restarted). */
  readonly regressions: number;
  /** Smallest and largest EXTINF of the new segments, ms (NaN without new segments). */
  readonly minDurationMs: number;
  readonly maxDurationMs: number;
  /** New segments whose EXTINF is off `segmentMs` by more than the tolerance. */
  readonly badDurations: number;
  /**
   * How far the stream fell behind its own media clock during the window, ms:
   * the largest growth of (first-seen time - media time) from its lowest
   * point, counting at the end a segment that is due and not seen yet. It
   * includes up to one poll interval of sampling error.
   */
  readonly behindMs: number;
  /** Everything above within bounds. */
  readonly realTime: boolean;
  /** Why not, first reason; undefined when real time. */
  readonly problem: string | undefined;
}

/**
 * Most segments tracked per stream: a 10-minute window (the longest the
 * bench allows) of 0.5 s segments is 1200, so this is never reached by a
 * sane run; past it new sequence numbers are ignored rather than stored.
 */
export const MAX_TRACKED_SEGMENTS = 20_000;

interface SeenSegment {
  readonly firstSeenMs: number;
  readonly durationMs: number;
  readonly discontinuity: boolean;
}

/** Feed it every read of one playlist (or every failed read), then ask `summarize` at the end of the window. */
export class PlaylistProgress {
  private startMs: number | undefined;
  /** Highest sequence number in the first successful read: segments up to it predate the window. */
  private baseSeq: number | undefined;
  private lastSeq: number | undefined;
  private readonly seen = new Map<number, SeenSegment>();
  private reads = 0;
  private readErrors = 0;
  private regressions = 0;
  private overflow = false;

  /** Marks the start of the window; reads before it are not expected. */
  start(atMs: number): void {
    this.startMs = atMs;
  }

  /** A successful read of the playlist at wall time `atMs` (monotonic clock, ms). */
  observe(atMs: number, playlist: MediaPlaylist): void {
    this.reads++;
    const n = playlist.segments.length;
    const last = playlist.mediaSequence + n - 1;
    if (this.baseSeq === undefined) {
      this.baseSeq = last;
      this.lastSeq = last;
      return;
    }
    if (this.lastSeq !== undefined && last < this.lastSeq) this.regressions++;
    this.lastSeq = Math.max(this.lastSeq ?? last, last);
    for (let i = 0; i < n; i++) {
      const seq = playlist.mediaSequence + i;
      if (seq <= this.baseSeq || this.seen.has(seq)) continue;
      if (this.seen.size >= MAX_TRACKED_SEGMENTS) {
        this.overflow = true;
        break;
      }
      const s = playlist.segments[i]!;
      this.seen.set(seq, { firstSeenMs: atMs, durationMs: s.duration * 1000, discontinuity: s.discontinuity === true });
    }
  }

  /** A read that failed (not found yet, unreadable, not a playlist). */
  failed(): void {
    this.readErrors++;
  }

  /** The verdict for the window that ends at `endMs`. */
  summarize(endMs: number, expect: ProgressExpectations): StreamProgress {
    const seqs = [...this.seen.keys()].sort((a, b) => a - b);
    const segs = seqs.map((s) => this.seen.get(s)!);
    const durations = segs.map((s) => s.durationMs);
    const first = seqs[0];
    const last = seqs[seqs.length - 1];
    const missing = first === undefined || last === undefined ? 0 : last - first + 1 - seqs.length;
    const badDurations = durations.filter((d) => Math.abs(d - expect.segmentMs) > expect.durationTolerance * expect.segmentMs).length;
    const behindMs = lateness(segs, this.startMs ?? endMs, endMs, expect.segmentMs);
    const base = {
      reads: this.reads,
      readErrors: this.readErrors,
      newSegments: segs.length,
      newMediaMs: durations.reduce((a, b) => a + b, 0),
      missing,
      discontinuities: segs.filter((s) => s.discontinuity).length,
      regressions: this.regressions,
      minDurationMs: durations.length === 0 ? Number.NaN : Math.min(...durations),
      maxDurationMs: durations.length === 0 ? Number.NaN : Math.max(...durations),
      badDurations,
      behindMs,
    };
    const problem = firstProblem(base, expect, this.overflow);
    return { ...base, realTime: problem === undefined, problem };
  }
}

/**
 * Largest growth of lateness l_i = a_i - (a_0 + d_1 + ... + d_i) over its
 * running minimum; at the end, a segment of `segmentMs` that is due after
 * the last one seen counts as seen at `endMs` if that is later than due.
 * Without any new segment the whole window since `startMs` is lateness.
 */
function lateness(segs: readonly SeenSegment[], startMs: number, endMs: number, segmentMs: number): number {
  const s0 = segs[0];
  if (s0 === undefined) return Math.max(0, endMs - startMs);
  let media = 0;
  let low = 0;
  let worst = 0;
  for (let i = 0; i < segs.length; i++) {
    if (i > 0) media += segs[i]!.durationMs;
    const l = segs[i]!.firstSeenMs - (s0.firstSeenMs + media);
    low = Math.min(low, l);
    worst = Math.max(worst, l - low);
  }
  const pending = endMs - (s0.firstSeenMs + media + segmentMs);
  return Math.max(worst, pending - low);
}

type Counts = Omit<StreamProgress, 'realTime' | 'problem'>;

function firstProblem(c: Counts, expect: ProgressExpectations, overflow: boolean): string | undefined {
  if (c.reads === 0) return `playlist never read (${c.readErrors} failed reads)`;
  if (c.newSegments === 0) return 'no new segment during the window';
  if (c.behindMs > expect.lateThresholdMs) return `fell ${(c.behindMs / 1000).toFixed(1)} s behind real time`;
  if (c.missing > 0) return `${c.missing} segment(s) never listed`;
  if (c.discontinuities > 0) return `${c.discontinuities} discontinuit${c.discontinuities === 1 ? 'y' : 'ies'}`;
  if (c.regressions > 0) return 'playlist went backwards';
  if (c.badDurations > 0) return `${c.badDurations} segment(s) not ${(expect.segmentMs / 1000).toFixed(1)} s long`;
  if (overflow) return `more than ${MAX_TRACKED_SEGMENTS} segments`;
  return undefined;
}

/** Segment duration for a fragment and GOP: the segmenter cuts at the first keyframe at or after `fragmentMs`. */
export function expectedSegmentMs(fragmentMs: number, gopMs: number): number {
  return Math.max(1, Math.ceil(fragmentMs / gopMs - 1e-9)) * gopMs;
}

/**
 * A playlist read while it may be being rewritten, or undefined when the
 * text is not a whole one. The node's local store renames whole files into
 * place, but s3rver writes an object over the old one in place while it
 * serves it, so a GET can return a cut copy (one shorter than its
 * Content-Length fails in fetch already). The last line must be a whole
 * segment URI (or EXT-X-ENDLIST) and a newline, as the segmenter writes it;
 * a copy cut right after a segment still passes and reads as the shorter
 * playlist it looks like (s3rver cuts a new version at the old one's length,
 * which while the window grows is exactly the old version).
 */
export function parseWholePlaylist(text: string): MediaPlaylist | undefined {
  if (!text.endsWith('\n')) return undefined;
  const lastLine = text.trimEnd().split('\n').pop() ?? '';
  if (lastLine !== '#EXT-X-ENDLIST' && !/\.ts$/.test(lastLine)) return undefined;
  try {
    return decodeMediaPlaylist(text);
  } catch {
    return undefined;
  }
}
