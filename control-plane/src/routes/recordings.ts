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
    return c.json({ data: recordingView(row, deps.localRecordings !== undefined) });
  });
  // The file itself: a recording in a bucket redirects to its URL (the CDN); one on this machine's disk is streamed.
  r.get('/:id/file', async (c) => {
    const id = readParam(c, 'id', recordingId, 'recording');
    const row = await getRecording(deps.db, c.get('auth').tenantId, id);
    if (row === null) throw new ApiError('not_found', `no recording ${id}`);
    if (row.url !== null) return c.redirect(row.url, 302);
    const file = deps.localRecordings === undefined ? null : await deps.localRecordings.open(row.storageKey);
    if (file === null) throw new ApiError('not_found', `recording ${id} is on node ${row.nodeId}'s disk, not reachable from here`);
    const type = row.format === 'mp4' ? 'video/mp4' : row.format === 'flv' ? 'video/x-flv' : row.format === 'ts' ? 'video/mp2t' : 'application/octet-stream';
    return new Response(file.body, {
      headers: {
        'content-type': type,
        'content-length': String(file.size),
        'cache-control': 'private, max-age=3600',
        'content-disposition': `inline; filename="${id}.${row.format ?? 'bin'}"`,
      },
    });
  });
  return r;
}
