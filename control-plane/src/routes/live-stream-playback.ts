import { Hono } from 'hono';
import { z } from 'zod';
import { signToken } from '@runnel/shared/signed-token';
import type { AppDeps } from '../deps.ts';
import { ApiError } from '../errors.ts';
import type { TenantEnv } from '../http/auth.ts';
import { page, pageQuery } from '../http/pagination.ts';
import { readBody, readParam, readQuery } from '../http/validate.ts';
import { idPattern } from '../services/ids.ts';
import { getLiveStream } from '../services/live-streams.ts';
import { listRecordings } from '../services/recordings.ts';
import { listSessions } from '../services/sessions.ts';
import { iso } from '../views/time.ts';
import { recordingView } from '../views/recording.ts';
import { sessionView } from '../views/session.ts';

/**
 * Playback tokens for signed playback ids, and the sessions and recordings of a stream.
 *
 * A token is an HS256 JWS (shared/src/signed-token.ts) for `aud: play`,
 * `sub: <playback id>`, signed with the first of RUNNEL_PLAYBACK_KEYS; a
 * node's on_play (or the CDN route) verifies it with the same keys, without
 * calling back. Default lifetime 1 h like Cloudflare's; at most 7 days like
 * Mux's SDK default.
 */

const MAX_TOKEN_LIFETIME_S = 7 * 24 * 3600;
const DEFAULT_TOKEN_LIFETIME_S = 3600;

export const playbackTokenBody = z.strictObject({
  expires_in_s: z.number().int().min(60).max(MAX_TOKEN_LIFETIME_S).default(DEFAULT_TOKEN_LIFETIME_S),
});
const sessionsQuery = pageQuery(idPattern('ses'));
const recordingsQuery = pageQuery(idPattern('rec'));

export function playbackRoutes(deps: AppDeps, streamId: z.ZodType<string>): Hono<TenantEnv> {
  const r = new Hono<TenantEnv>();

  r.post('/:id/playback-tokens', async (c) => {
    const id = readParam(c, 'id', streamId, 'live stream');
    const { expires_in_s } = await readBody(c, playbackTokenBody);
    const stream = await getLiveStream(deps.db, c.get('auth').tenantId, id);
    if (stream === null) throw new ApiError('not_found', `no live stream ${id}`);
    if (stream.playbackPolicy !== 'signed') throw new ApiError('conflict', `the playback id of ${id} is public and needs no token`);
    const key = deps.config.playbackKeys[0];
    if (key === undefined) throw new ApiError('conflict', 'signed playback is not configured on this control plane (RUNNEL_PLAYBACK_KEYS)');
    const nowS = Math.floor(deps.clock.now() / 1000);
    const exp = nowS + expires_in_s;
    const token = await signToken({ sub: stream.playbackId, aud: 'play', exp, iat: nowS }, key);
    return c.json({ data: { playback_id: stream.playbackId, token, expires_at: iso(exp * 1000) } }, 201);
  });

  r.get('/:id/sessions', async (c) => {
    const id = readParam(c, 'id', streamId, 'live stream');
    const q = readQuery(c, sessionsQuery);
    const tenantId = c.get('auth').tenantId;
    if ((await getLiveStream(deps.db, tenantId, id)) === null) throw new ApiError('not_found', `no live stream ${id}`);
    const rows = await listSessions(deps.db, tenantId, id, { limit: q.limit + 1, before: q.cursor });
    const nowMs = deps.clock.now();
    return c.json(page(rows, q.limit, (row) => sessionView(row, nowMs)));
  });

  r.get('/:id/recordings', async (c) => {
    const id = readParam(c, 'id', streamId, 'live stream');
    const q = readQuery(c, recordingsQuery);
    const tenantId = c.get('auth').tenantId;
    if ((await getLiveStream(deps.db, tenantId, id)) === null) throw new ApiError('not_found', `no live stream ${id}`);
    const rows = await listRecordings(deps.db, tenantId, id, { limit: q.limit + 1, before: q.cursor });
    return c.json(page(rows, q.limit, (row) => recordingView(row, deps.localRecordings !== undefined)));
  });

  return r;
}
