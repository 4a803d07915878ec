import { readFile } from 'node:fs/promises';
import { join } from 'node:path';

/**
 * `GET /hls/{playback_id}/...` on Node: the local node's HLS files, for the
 * one-machine platform (on Workers a CDN in front of the bucket does this, so
 * it is not part of the runtime-neutral app). The control plane's playback
 * URL is `/hls/{playback_id}/index.m3u8` (services/urls.ts); the node writes
 * `live/{playback_id}.m3u8` and `live/{playback_id}-{seq}.ts` (hls.ts_file and
 * hls.playlist_file defaults) and lists segments by file name, which a player
 * resolves next to the playlist: `/hls/{playback_id}/{playback_id}-{seq}.ts`.
 *
 * Only these two shapes of name are served, checked by pattern before any
 * path is built, so no request can name another file.
 */

/** Playback ids are short URL-safe ids (the node's own playback-name check, 64). */
const PLAYBACK_ID = /^[A-Za-z0-9_-]{1,64}$/;
/** `{playback_id}-{seq}.ts`; seq is a segment counter (12 digits: decades of 1 s segments). */
const SEGMENT = /^([A-Za-z0-9_-]{1,64})-([0-9]{1,12})\.ts$/;
/** Playlists change every segment: players must refetch (design.md "cache ~1 s"); segments never change. */
const PLAYLIST_CACHE = 'public, max-age=1';
const SEGMENT_CACHE = 'public, max-age=31536000, immutable';

/** The file a request path names under `root`, or null when it is not an HLS path we serve. */
export function hlsFileFor(root: string, pathname: string): { file: string; type: string; cache: string } | null {
  const parts = pathname.split('/');
  if (parts.length !== 4 || parts[0] !== '' || parts[1] !== 'hls') return null;
  const [, , id, name] = parts;
  if (!PLAYBACK_ID.test(id)) return null;
  if (name === 'index.m3u8') return { file: join(root, 'live', `${id}.m3u8`), type: 'application/vnd.apple.mpegurl', cache: PLAYLIST_CACHE };
  const seg = SEGMENT.exec(name);
  if (seg === null || seg[1] !== id) return null;
  return { file: join(root, 'live', name), type: 'video/mp2t', cache: SEGMENT_CACHE };
}

/** A fetch handler for `/hls/...` (null for any other path, which the app then answers). */
export function hlsFiles(root: string): (req: Request) => Promise<Response | null> {
  return async (req) => {
    const url = new URL(req.url);
    if (!url.pathname.startsWith('/hls/')) return null;
    const cors = { 'access-control-allow-origin': '*' };
    const target = req.method === 'GET' || req.method === 'HEAD' ? hlsFileFor(root, url.pathname) : null;
    if (target === null) return new Response('not found\n', { status: 404, headers: cors });
    let body: Uint8Array;
    try {
      body = await readFile(target.file);
    } catch {
      return new Response('not found\n', { status: 404, headers: { ...cors, 'cache-control': 'no-store' } });
    }
    const headers = { ...cors, 'content-type': target.type, 'cache-control': target.cache };
    return new Response(req.method === 'HEAD' ? null : body, { headers });
  };
}
