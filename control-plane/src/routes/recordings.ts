import { Hono } from 'hono';
import { z } from 'zod';
import type { AppDeps } from '../deps.ts';
import { ApiError } from '../errors.ts';
import type { TenantEnv } from '../http/auth.ts';
import { readParam } from '../http/validate.ts';
import { idPattern } from '../services/ids.ts';
import { getRecording } from '../services/recordings.ts';
import { recordingView } from '../views/recording.ts';

/** `/v1/recordings/{id}`: one recording (the id a `recording.ready` webhook carries). Lists are per stream: `/v1/live-streams/{id}/recordings`. */

const recordingId = z.string().regex(idPattern('rec'));

export function recordingRoutes(deps: AppDeps): Hono<TenantEnv> {
  const r = new Hono<TenantEnv>();
  r.get('/:id', async (c) => {
    const id = readParam(c, 'id', recordingId, 'recording');
    const row = await getRecording(deps.db, c.get('auth').tenantId, id);
    if (row === null) throw new ApiError('not_found', `no recording ${id}`);
    return c.json({ data: recordingView(row) });
  });
  return r;
}
