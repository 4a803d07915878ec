import { verifyToken } from '@runnel/shared/signed-token';
import type { AppDeps } from '../deps.ts';
import type { ErrorCode } from '../errors.ts';
import { problemResponse } from '../http/error-handler.ts';
import { getPlaybackPolicy } from '../services/live-streams.ts';
import type { EdgeCache } from './edge-cache.ts';
import { hlsTargetFor } from './hls-paths.ts';
import type { HlsObjectKind } from './hls-paths.ts';
import type { HlsStorage } from './hls-storage.ts';
import { addTokenToPlaylist } from './playlist-token.ts';
import { PolicyCache } from './policy-cache.ts';

/**
 * `GET /hls/{playback_id}/...`: playlists and segments from the storage the
 * nodes write to, one implementation for Node (local directory) and Workers
 * (R2 bucket + edge cache). A public playback id is served to anyone; a
 * signed one needs `?token=` (the tokens `/v1/live-streams/{id}/playback-tokens`
 * issues), verified here with the playback keys (WebCrypto, expiry, `kid`
 * rotation) without any other call.
 *
 * Caching. Public objects are `public`: any CDN may keep them (playlists
 * 1 s, segments forever: a segment key is never reused). Signed objects are
 * `private`: a shared cache must not keep them, because it would serve them
 * again without checking the token (after it expired, or to a request whose
 * token it strips from its cache key). The edge cache of the Worker is not
 * such a cache: it is consulted only after the token was checked, with a key
 * that has no token, so one copy serves every viewer with a valid token and
 * a request without one never reaches it. Playlists for signed ids are
 * rewritten per token on the way out (playlist-token.ts), after the cache.
 */

/** design.md: playlists short-lived (~1 s), segments immutable (long cache). */
const MAX_AGE: Readonly<Record<HlsObjectKind, string>> = { playlist: 'max-age=1', segment: 'max-age=31536000, immutable' };
/** Players run on other origins (hls.js on a tenant's page). */
const CORS = { 'access-control-allow-origin': '*' } as const;
/** Which answer came from the edge cache, for operators and tests. */
export const CACHE_STATUS_HEADER = 'runnel-cache';

export interface HlsDeliveryDeps {
  readonly storage: HlsStorage;
  readonly policies: PolicyCache;
  readonly playbackKeys: AppDeps['config']['playbackKeys'];
  readonly clock: AppDeps['clock'];
  readonly log: AppDeps['log'];
  /** Workers: `caches.default`. Absent on Node (a CDN in front does the caching). */
  readonly edgeCache?: EdgeCache;
}

/** Answers `/hls/...` requests; null for any other path (the app answers those). */
export type HlsHandler = (req: Request, waitUntil?: (p: Promise<unknown>) => void) => Promise<Response | null>;

/** The delivery route over the app's deps (policy from the database, keys, clock) and a storage. */
export function hlsDeliveryFor(deps: AppDeps, storage: HlsStorage, edgeCache?: EdgeCache): HlsHandler {
  return createHlsDelivery({
    storage,
    policies: new PolicyCache((id) => getPlaybackPolicy(deps.db, id), deps.clock),
    playbackKeys: deps.config.playbackKeys,
    clock: deps.clock,
    log: deps.log,
    edgeCache,
  });
}

function refuse(code: ErrorCode, detail: string): Response {
  const res = problemResponse(code, detail);
  res.headers.set('cache-control', 'no-store');
  for (const [k, v] of Object.entries(CORS)) res.headers.set(k, v);
  return res;
}

export function createHlsDelivery(deps: HlsDeliveryDeps): HlsHandler {
  const serve = serveHls(deps);
  return async (req, waitUntil) => {
    const url = new URL(req.url);
    if (!url.pathname.startsWith('/hls/')) return null;
    try {
      return await serve(req, url, waitUntil);
    } catch (e) {
      // A storage or database failure: problem JSON like the rest of the API, never cached.
      deps.log.error('hls delivery failed', { path: url.pathname, error: String(e) });
      return refuse('internal', 'internal error');
    }
  };
}

function serveHls(deps: HlsDeliveryDeps) {
  return async (req: Request, url: URL, waitUntil: ((p: Promise<unknown>) => void) | undefined): Promise<Response> => {
    const target = req.method === 'GET' || req.method === 'HEAD' ? hlsTargetFor(url.pathname) : null;
    if (target === null) return refuse('not_found', 'not an HLS object of this route');
    const policy = await deps.policies.get(target.playbackId);
    if (policy === null) return refuse('not_found', `no playback id ${target.playbackId}`);

    let token: string | null = null;
    if (policy === 'signed') {
      token = url.searchParams.get('token');
      if (token === null || token === '') return refuse('playback_token_required', 'this playback id is signed: add ?token= (POST /v1/live-streams/{id}/playback-tokens)');
      const r = await verifyToken(token, { keys: deps.playbackKeys, audience: 'play', subject: target.playbackId, nowMs: deps.clock.now() });
      if (!r.ok) return refuse('playback_token_invalid', `playback token refused: ${r.reason}`);
    }

    // The key has no query: the token (already checked) must not split the cache per viewer.
    const cacheKey = new Request(`${url.origin}${url.pathname}`);
    let source = deps.edgeCache === undefined ? undefined : await deps.edgeCache.match(cacheKey);
    const hit = source !== undefined;
    if (source === undefined) {
      const obj = await deps.storage.get(target.key);
      if (obj === null) return refuse('not_found', `no ${target.kind} ${url.pathname}`);
      const headers: Record<string, string> = { 'content-type': target.contentType, 'cache-control': `public, ${MAX_AGE[target.kind]}` };
      if (obj.size !== undefined) headers['content-length'] = String(obj.size);
      source = new Response(obj.body, { headers });
      if (deps.edgeCache !== undefined) {
        const put = deps.edgeCache.put(cacheKey, source.clone()).catch((e: unknown) => deps.log.error('hls edge cache put failed', { key: target.key, error: String(e) }));
        if (waitUntil === undefined) await put;
        else waitUntil(put);
      }
    }

    const headers = new Headers(CORS);
    headers.set('content-type', target.contentType);
    headers.set('cache-control', `${policy === 'signed' ? 'private' : 'public'}, ${MAX_AGE[target.kind]}`);
    if (deps.edgeCache !== undefined) headers.set(CACHE_STATUS_HEADER, hit ? 'HIT' : 'MISS');
    let body: ReadableStream<Uint8Array> | string | null = source.body;
    if (token !== null && target.kind === 'playlist') {
      body = addTokenToPlaylist(await source.text(), token);
    } else {
      const length = source.headers.get('content-length');
      if (length !== null) headers.set('content-length', length);
    }
    if (req.method === 'HEAD') {
      if (typeof body === 'string') headers.set('content-length', String(new TextEncoder().encode(body).byteLength));
      else await body?.cancel();
      body = null;
    }
    return new Response(body, { headers });
  };
}
