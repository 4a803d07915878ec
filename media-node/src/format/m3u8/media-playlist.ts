import { ProtocolError } from '@runnel/shared';
import { checkUri } from './uri.ts';

/** One entry of a media playlist (RFC 8216 3, 4.3.2). */
export interface MediaSegment {
  readonly uri: string;
  /** EXTINF duration in seconds; written with 3 decimals (4.3.2.1, decimal-floating-point since version 3). */
  readonly duration: number;
  /** EXT-X-DISCONTINUITY before this segment (4.3.2.3): timeline or encoding changed. */
  readonly discontinuity?: boolean;
  /** EXT-X-PROGRAM-DATE-TIME (4.3.2.6): wall-clock time of its first sample, ms since the epoch. */
  readonly programDateTime?: number;
}

/** A media playlist as we write it: live (sliding window) or ended. */
export interface MediaPlaylist {
  /** EXT-X-VERSION; 3 covers decimal EXTINF and every tag here (RFC 8216 7). */
  readonly version: number;
  /** EXT-X-TARGETDURATION, whole seconds (4.3.3.1). */
  readonly targetDuration: number;
  /** EXT-X-MEDIA-SEQUENCE: the sequence number of the first segment (4.3.3.2). */
  readonly mediaSequence: number;
  /** EXT-X-DISCONTINUITY-SEQUENCE: discontinuities that slid out of the window (4.3.3.3). */
  readonly discontinuitySequence: number;
  readonly segments: readonly MediaSegment[];
  /** EXT-X-ENDLIST (4.3.3.4): no more segments will be added. */
  readonly endList: boolean;
}

export const CONTENT_TYPE_M3U8 = 'application/vnd.apple.mpegurl';

/** Largest playlist the parser reads: 10 000 segments of ~150 bytes. Parsing is for tests and edge pulls. */
export const MAX_PLAYLIST_BYTES = 2 * 1024 * 1024;
/** Largest segment count either side handles; a 24 h window of 2 s segments is 43 200, we stay far below. */
export const MAX_SEGMENTS = 100_000;
/** RFC 8216 4.2 decimal-integer range is 0..2^64-1; we keep to exact JavaScript integers. */
const MAX_INTEGER = Number.MAX_SAFE_INTEGER;
/** Dates toISOString can write: years 0..9999 (ISO 8601 without expanded years). */
const MAX_DATE_MS = Date.UTC(9999, 11, 31, 23, 59, 59, 999);

/** The smallest valid EXT-X-TARGETDURATION for these segments (4.3.3.1: each EXTINF rounded to the nearest integer must not exceed it), at least `floorSeconds`. */
export function targetDurationFor(segments: readonly Pick<MediaSegment, 'duration'>[], floorSeconds = 1): number {
  let max = floorSeconds;
  for (const s of segments) max = Math.max(max, s.duration);
  return Math.max(1, Math.ceil(max));
}

function checkInteger(name: string, v: number): void {
  if (!Number.isSafeInteger(v) || v < 0) throw new ProtocolError('m3u8_bad_value', `${name} ${v} is not an integer >= 0`);
}

/**
 * Writes a media playlist (RFC 8216 4.3). Refuses (ProtocolError) a URI
 * outside the allowlist (CR/LF injection, bad-inputs row 31), a duration that
 * is not finite and >= 0, a target duration below a segment's rounded
 * duration, non-integer sequence numbers, a date that has no ISO 8601 form.
 *
 * @example
 * store.put('live/s.m3u8', encode(encodeMediaPlaylist({ version: 3, targetDuration: 15, mediaSequence: 7,
 *   discontinuitySequence: 0, endList: false, segments: [{ uri: 's-7.ts', duration: 10.01 }] })));
 */
export function encodeMediaPlaylist(p: MediaPlaylist): string {
  checkInteger('EXT-X-VERSION', p.version);
  checkInteger('EXT-X-TARGETDURATION', p.targetDuration);
  checkInteger('EXT-X-MEDIA-SEQUENCE', p.mediaSequence);
  checkInteger('EXT-X-DISCONTINUITY-SEQUENCE', p.discontinuitySequence);
  if (p.segments.length > MAX_SEGMENTS) throw new ProtocolError('m3u8_too_long', `${p.segments.length} segments`);
  const lines = [
    '#EXTM3U',
    `#EXT-X-VERSION:${p.version}`,
    `#EXT-X-TARGETDURATION:${p.targetDuration}`,
    `#EXT-X-MEDIA-SEQUENCE:${p.mediaSequence}`,
    `#EXT-X-DISCONTINUITY-SEQUENCE:${p.discontinuitySequence}`,
  ];
  for (const s of p.segments) {
    if (!Number.isFinite(s.duration) || s.duration < 0) throw new ProtocolError('m3u8_bad_value', `EXTINF ${s.duration}`);
    if (Math.round(s.duration) > p.targetDuration) {
      throw new ProtocolError('m3u8_bad_value', `EXTINF ${s.duration} exceeds EXT-X-TARGETDURATION ${p.targetDuration}`);
    }
    checkUri(s.uri);
    if (s.discontinuity) lines.push('#EXT-X-DISCONTINUITY');
    if (s.programDateTime !== undefined) {
      const t = s.programDateTime;
      if (!Number.isFinite(t) || t < 0 || t > MAX_DATE_MS) throw new ProtocolError('m3u8_bad_value', `EXT-X-PROGRAM-DATE-TIME ${t}`);
      lines.push(`#EXT-X-PROGRAM-DATE-TIME:${new Date(Math.round(t)).toISOString()}`);
    }
    lines.push(`#EXTINF:${s.duration.toFixed(3)},`, s.uri);
  }
  if (p.endList) lines.push('#EXT-X-ENDLIST');
  return lines.join('\n') + '\n';
}

const DECIMAL_INTEGER = /^[0-9]{1,16}$/;
const DECIMAL_FLOAT = /^[0-9]{1,16}(?:\.[0-9]{1,9})?$/;
/** RFC 3339 date-time as RFC 8216 4.3.2.6 requires, with a time zone. */
const DATE_TIME = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(?:\.\d{1,9})?(?:Z|[+-]\d{2}:\d{2})$/;

function bad(message: string): ProtocolError {
  return new ProtocolError('m3u8_bad_playlist', message);
}

function integer(tag: string, value: string): number {
  if (!DECIMAL_INTEGER.test(value)) throw bad(`${tag} value ${JSON.stringify(value.slice(0, 40))}`);
  const n = Number(value);
  if (n > MAX_INTEGER) throw bad(`${tag} ${value} too large`);
  return n;
}

/**
 * Reads a media playlist back: the tags `encodeMediaPlaylist` writes, any
 * other tag or comment skipped (4.1: clients ignore unknown tags). Throws
 * ProtocolError on a missing #EXTM3U or target duration, a malformed value,
 * a URI without EXTINF, or input past MAX_PLAYLIST_BYTES / MAX_SEGMENTS.
 */
export function decodeMediaPlaylist(text: string): MediaPlaylist {
  if (text.length > MAX_PLAYLIST_BYTES) throw bad(`playlist longer than ${MAX_PLAYLIST_BYTES} characters`);
  const lines = text.split(/\r?\n/);
  if (lines[0] !== '#EXTM3U') throw bad('first line is not #EXTM3U');
  let version = 1;
  let targetDuration: number | undefined;
  let mediaSequence = 0;
  let discontinuitySequence = 0;
  let endList = false;
  const segments: MediaSegment[] = [];
  let next: { duration?: number; discontinuity?: boolean; programDateTime?: number } = {};
  for (let i = 1; i < lines.length; i++) {
    const line = lines[i]!.trim();
    if (line === '') continue;
    if (!line.startsWith('#')) {
      if (next.duration === undefined) throw bad(`URI without #EXTINF on line ${i + 1}`);
      if (segments.length >= MAX_SEGMENTS) throw bad(`more than ${MAX_SEGMENTS} segments`);
      segments.push({ uri: line, duration: next.duration, ...(next.discontinuity ? { discontinuity: true } : {}), ...(next.programDateTime !== undefined ? { programDateTime: next.programDateTime } : {}) });
      next = {};
      continue;
    }
    const colon = line.indexOf(':');
    const tag = colon < 0 ? line : line.slice(0, colon);
    const value = colon < 0 ? '' : line.slice(colon + 1);
    switch (tag) {
      case '#EXT-X-VERSION':
        version = integer(tag, value);
        break;
      case '#EXT-X-TARGETDURATION':
        targetDuration = integer(tag, value);
        break;
      case '#EXT-X-MEDIA-SEQUENCE':
        mediaSequence = integer(tag, value);
        break;
      case '#EXT-X-DISCONTINUITY-SEQUENCE':
        discontinuitySequence = integer(tag, value);
        break;
      case '#EXT-X-ENDLIST':
        endList = true;
        break;
      case '#EXT-X-DISCONTINUITY':
        next.discontinuity = true;
        break;
      case '#EXT-X-PROGRAM-DATE-TIME': {
        const t = DATE_TIME.test(value) ? Date.parse(value) : NaN;
        if (!Number.isFinite(t)) throw bad(`${tag} ${JSON.stringify(value.slice(0, 40))}`);
        next.programDateTime = t;
        break;
      }
      case '#EXTINF': {
        const d = value.slice(0, value.includes(',') ? value.indexOf(',') : value.length);
        if (!DECIMAL_FLOAT.test(d)) throw bad(`#EXTINF duration ${JSON.stringify(d.slice(0, 40))}`);
        next.duration = Number(d);
        break;
      }
      default:
        break; // comments and tags we do not write
    }
  }
  if (targetDuration === undefined) throw bad('no #EXT-X-TARGETDURATION');
  return { version, targetDuration, mediaSequence, discontinuitySequence, segments, endList };
}
