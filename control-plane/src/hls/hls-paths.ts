/**
 * What `GET /hls/{playback_id}/{name}` may name, and the storage key it
 * maps to. The control plane's playback URL is `/hls/{playback_id}/index.m3u8`
 * (services/urls.ts); the media node writes `live/{playback_id}.m3u8` and
 * `live/{playback_id}-{seq}.ts` (SRS's hls_m3u8_file / hls_ts_file defaults,
 * media-node/src/storage/README.md) and lists segments by file name, which
 * a player resolves next to the playlist: `/hls/{playback_id}/{playback_id}-{seq}.ts`.
 *
 * Only these two shapes are served, checked by pattern before any key is
 * built, so no request can name another object or file.
 */

/** Playback ids are short URL-safe ids (the node's own playback-name check, 64). */
const PLAYBACK_ID = /^[A-Za-z0-9_-]{1,64}$/;
/** `{playback_id}-{seq}.ts`; seq is a segment counter (12 digits: decades of 1 s segments). */
const SEGMENT = /^([A-Za-z0-9_-]{1,64})-([0-9]{1,12})\.ts$/;

export const PLAYLIST_TYPE = 'application/vnd.apple.mpegurl';
export const SEGMENT_TYPE = 'video/mp2t';

export type HlsObjectKind = 'playlist' | 'segment';

export interface HlsTarget {
  readonly playbackId: string;
  readonly kind: HlsObjectKind;
  /** The key below the HLS storage root (the node's `hls.path`, or the bucket prefix). */
  readonly key: string;
  readonly contentType: string;
}

/** The object a request path names, or null when it is not an HLS path we serve. */
export function hlsTargetFor(pathname: string): HlsTarget | null {
  const parts = pathname.split('/');
  if (parts.length !== 4 || parts[0] !== '' || parts[1] !== 'hls') return null;
  const [, , playbackId, name] = parts;
  if (!PLAYBACK_ID.test(playbackId)) return null;
  if (name === 'index.m3u8') return { playbackId, kind: 'playlist', key: `live/${playbackId}.m3u8`, contentType: PLAYLIST_TYPE };
  const seg = SEGMENT.exec(name);
  if (seg === null || seg[1] !== playbackId) return null;
  return { playbackId, kind: 'segment', key: `live/${name}`, contentType: SEGMENT_TYPE };
}
