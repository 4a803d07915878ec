import { Hono } from 'hono';
import type { Context } from 'hono';
import { z } from 'zod';
import type { AppDeps } from '../deps.ts';
import { ApiError } from '../errors.ts';
import type { TenantEnv } from '../http/auth.ts';
import { page, pageQuery } from '../http/pagination.ts';
import { readBody, readParam, readQuery } from '../http/validate.ts';
import { idPattern } from '../services/ids.ts';
import {
  completeLiveStream,
  createLiveStream,
  deleteLiveStream,
  getLiveStream,
  listLiveStreams,
  rotateStreamKey,
  setEnabled,
  updateLiveStream,
} from '../services/live-streams.ts';
import type { LiveStreamPatch } from '../services/live-streams.ts';
import { liveStreamSummary, liveStreamView } from '../views/live-stream.ts';
import { openSessionsById } from '../services/session-stats.ts';
import type { LiveStreamRow } from '../db/schema.ts';
import { createLiveStreamBody, updateLiveStreamBody } from './live-stream-bodies.ts';
import { playbackRoutes } from './live-stream-playback.ts';
import { deliveryRoutes } from './live-stream-urls.ts';

/** `/v1/live-streams`: create, list, get, update, delete, rotate keys, enable/disable, complete, URLs, playback tokens, sessions. */

const streamId = z.string().regex(idPattern('ls'));
const listQuery = pageQuery(idPattern('ls'));

export function liveStreamRoutes(deps: AppDeps): Hono<TenantEnv> {
  const r = new Hono<TenantEnv>();
  const now = () => deps.clock.now();
  const idOf = (c: Context<TenantEnv>) => readParam(c, 'id', streamId, 'live stream');
  const found = <T>(row: T | null, id: string): T => {
    if (row === null) throw new ApiError('not_found', `no live stream ${id}`);
    return row;
  };
  /** The full view, with `live` from the stream's current session. */
  const view = async (row: LiveStreamRow) => {
    const open = await openSessionsById(deps.db, row.currentSessionId === null ? [] : [row.currentSessionId]);
    return liveStreamView(row, now(), row.currentSessionId === null ? null : (open.get(row.currentSessionId) ?? null));
  };

  r.post('/', async (c) => {
    const b = await readBody(c, createLiveStreamBody);
    const row = await createLiveStream(
      deps.db,
      c.get('auth').tenantId,
      {
        name: b.name,
        passthrough: b.passthrough ?? null,
        enabled: b.enabled,
        playbackPolicy: b.playback_policy,
        recordingMode: b.recording.mode,
        reconnectWindowS: b.reconnect_window_s,
      },
      now(),
    );
    return c.json({ data: await view(row) }, 201);
  });

  r.get('/', async (c) => {
    const q = readQuery(c, listQuery);
    const rows = await listLiveStreams(deps.db, c.get('auth').tenantId, { limit: q.limit + 1, before: q.cursor });
    const open = await openSessionsById(deps.db, rows.slice(0, q.limit).flatMap((row) => (row.currentSessionId === null ? [] : [row.currentSessionId])));
    return c.json(page(rows, q.limit, (row) => liveStreamSummary(row, now(), open.get(row.currentSessionId ?? '') ?? null)));
  });

  r.get('/:id', async (c) => {
    const id = idOf(c);
    return c.json({ data: await view(found(await getLiveStream(deps.db, c.get('auth').tenantId, id), id)) });
  });

  r.patch('/:id', async (c) => {
    const id = idOf(c);
    const b = await readBody(c, updateLiveStreamBody);
    const patch: LiveStreamPatch = {
      name: b.name,
      passthrough: b.passthrough,
      enabled: b.enabled,
      playbackPolicy: b.playback_policy,
      recordingMode: b.recording?.mode,
      reconnectWindowS: b.reconnect_window_s,
    };
    const row = found(await updateLiveStream(deps.db, c.get('auth').tenantId, id, patch, now()), id);
    return c.json({ data: await view(row) });
  });

  r.delete('/:id', async (c) => {
    const id = idOf(c);
    if (!(await deleteLiveStream(deps.db, c.get('auth').tenantId, id))) throw new ApiError('not_found', `no live stream ${id}`);
    return c.body(null, 204);
  });

  r.post('/:id/rotate-keys', async (c) => {
    const id = idOf(c);
    const row = found(await rotateStreamKey(deps.db, c.get('auth').tenantId, id, now()), id);
    return c.json({ data: await view(row) });
  });

  r.post('/:id/complete', async (c) => {
    const id = idOf(c);
    const done = found(await completeLiveStream(deps.db, c.get('auth').tenantId, id), id);
    if (!done.ending) throw new ApiError('conflict', `live stream ${id} is not live`);
    return c.json({ data: await view(done.row) }, 202);
  });

  for (const [path, enabled] of [['/:id/enable', true], ['/:id/disable', false]] as const) {
    r.post(path, async (c) => {
      const id = idOf(c);
      const row = found(await setEnabled(deps.db, c.get('auth').tenantId, id, enabled, now()), id);
      return c.json({ data: await view(row) });
    });
  }

  r.route('/', deliveryRoutes(deps, streamId));
  r.route('/', playbackRoutes(deps, streamId));
  return r;
}
