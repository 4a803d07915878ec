import { and, desc, eq, lt } from 'drizzle-orm';
import type { Db } from '../db/db.ts';
import { recordings } from '../db/schema.ts';
import type { RecordingRow } from '../db/schema.ts';

/**
 * Recordings (DVR files) of a tenant's streams. The hook endpoint writes
 * them from on_dvr (services/hooks.ts); the tenant API lists and reads them.
 * Every query is scoped by tenant id, so another tenant's recording is not
 * found.
 */

export type RecordingFormat = NonNullable<RecordingRow['format']>;

/** The container a DVR file is in, from its name: SRS names files `<stream>.<timestamp>.flv|mp4` (srs.md 9.2). */
export function recordingFormat(file: string): RecordingFormat | null {
  const name = file.slice(file.lastIndexOf('/') + 1).split(/[?#]/)[0];
  const dot = name.lastIndexOf('.');
  if (dot < 0) return null;
  const ext = name.slice(dot + 1).toLowerCase();
  return ext === 'flv' || ext === 'mp4' || ext === 'ts' ? ext : null;
}

/** Recordings of one stream of one tenant, newest first; `before` is the last id of the previous page. */
export async function listRecordings(db: Db, tenantId: string, liveStreamId: string, page: { limit: number; before?: string }): Promise<RecordingRow[]> {
  const scope = and(eq(recordings.tenantId, tenantId), eq(recordings.liveStreamId, liveStreamId));
  const where = page.before === undefined ? scope : and(scope, lt(recordings.id, page.before));
  return db.select().from(recordings).where(where).orderBy(desc(recordings.id)).limit(page.limit);
}

export async function getRecording(db: Db, tenantId: string, id: string): Promise<RecordingRow | null> {
  const [row] = await db
    .select()
    .from(recordings)
    .where(and(eq(recordings.tenantId, tenantId), eq(recordings.id, id)))
    .limit(1);
  return row ?? null;
}

/** The recording of this stream already stored under `storageKey` (a node retrying its on_dvr), if any. */
export async function findRecording(db: Db, liveStreamId: string, storageKey: string): Promise<RecordingRow | null> {
  const [row] = await db
    .select()
    .from(recordings)
    .where(and(eq(recordings.liveStreamId, liveStreamId), eq(recordings.storageKey, storageKey)))
    .limit(1);
  return row ?? null;
}
