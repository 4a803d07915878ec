import { and, desc, eq, isNull, lt } from 'drizzle-orm';
import type { Db } from '../db/db.ts';
import { liveStreams, sessions } from '../db/schema.ts';
import type { LiveStreamRow } from '../db/schema.ts';
import { newId, newPlaybackId, newSrtPassphrase, newStreamKey } from './ids.ts';
import { enqueueStreamEvent, eventMark, newStreamEvent } from '../webhooks/outbox.ts';
import type { StreamEvent } from '../webhooks/outbox.ts';

/**
 * Live streams of one tenant. Every query is scoped by tenant id, so another
 * tenant's stream is simply not found. Changes that must end a running
 * publish (key rotation, disable, delete) flag its open session in the same
 * batch; the node learns it from its next heartbeat answer, and the old key
 * is refused by the hook endpoint from that moment on.
 */

export type PlaybackPolicy = LiveStreamRow['playbackPolicy'];
export type RecordingMode = LiveStreamRow['recordingMode'];
type EndReason = NonNullable<(typeof sessions.$inferSelect)['endRequested']>;

export interface LiveStreamInput {
  readonly name: string;
  readonly passthrough?: string | null;
  readonly enabled: boolean;
  readonly playbackPolicy: PlaybackPolicy;
  readonly recordingMode: RecordingMode;
  readonly reconnectWindowS: number;
}

export type LiveStreamPatch = Partial<LiveStreamInput>;

export async function createLiveStream(db: Db, tenantId: string, input: LiveStreamInput, nowMs: number): Promise<LiveStreamRow> {
  const row: LiveStreamRow = {
    id: newId('ls', nowMs),
    tenantId,
    name: input.name,
    passthrough: input.passthrough ?? null,
    enabled: input.enabled,
    streamKey: newStreamKey(),
    srtPassphrase: newSrtPassphrase(),
    playbackId: newPlaybackId(),
    playbackPolicy: input.playbackPolicy,
    recordingMode: input.recordingMode,
    reconnectWindowS: input.reconnectWindowS,
    status: 'idle',
    currentSessionId: null,
    nodeId: null,
    disconnectedAt: null,
    keysRotatedAt: null,
    eventSeq: 0,
    lastEventId: null,
    createdAt: nowMs,
    updatedAt: nowMs,
  };
  await db.insert(liveStreams).values(row);
  return row;
}

export async function getLiveStream(db: Db, tenantId: string, id: string): Promise<LiveStreamRow | null> {
  const [row] = await db
    .select()
    .from(liveStreams)
    .where(and(eq(liveStreams.tenantId, tenantId), eq(liveStreams.id, id)))
    .limit(1);
  return row ?? null;
}

/** The playback policy of a playback id (any tenant: playback ids are global and unguessable), or null when none has it. */
export async function getPlaybackPolicy(db: Db, playbackId: string): Promise<PlaybackPolicy | null> {
  const [row] = await db
    .select({ policy: liveStreams.playbackPolicy })
    .from(liveStreams)
    .where(eq(liveStreams.playbackId, playbackId))
    .limit(1);
  return row?.policy ?? null;
}

/** Newest first; `before` is the last id of the previous page. */
export async function listLiveStreams(db: Db, tenantId: string, page: { limit: number; before?: string }): Promise<LiveStreamRow[]> {
  const where = page.before === undefined ? eq(liveStreams.tenantId, tenantId) : and(eq(liveStreams.tenantId, tenantId), lt(liveStreams.id, page.before));
  return db.select().from(liveStreams).where(where).orderBy(desc(liveStreams.id)).limit(page.limit);
}

function whereOwned(tenantId: string, id: string) {
  return and(eq(liveStreams.tenantId, tenantId), eq(liveStreams.id, id));
}

/** Applies `set` to the stream and, when `end` is given, flags its open publish to be ended: one batch. */
async function changeStream(
  db: Db,
  tenantId: string,
  id: string,
  set: Partial<LiveStreamRow>,
  end: EndReason | null,
  ev: StreamEvent | null = null,
): Promise<LiveStreamRow | null> {
  const update = db
    .update(liveStreams)
    .set(ev === null ? set : { ...set, ...eventMark(ev) })
    .where(whereOwned(tenantId, id))
    .returning();
  if (end === null && ev === null) {
    const [row] = await update;
    return row ?? null;
  }
  const flagEnd = db
    .update(sessions)
    .set({ endRequested: end })
    .where(and(eq(sessions.tenantId, tenantId), eq(sessions.liveStreamId, id), isNull(sessions.endedAt)));
  const [rows] = await db.batch([update, ...(end === null ? [] : [flagEnd]), ...(ev === null ? [] : [enqueueStreamEvent(db, ev)])]);
  return rows[0] ?? null;
}

export async function updateLiveStream(db: Db, tenantId: string, id: string, patch: LiveStreamPatch, nowMs: number): Promise<LiveStreamRow | null> {
  const set: Partial<LiveStreamRow> = { ...patch, updatedAt: nowMs };
  return changeStream(db, tenantId, id, set, patch.enabled === false ? 'stream_disabled' : null);
}

export async function setEnabled(db: Db, tenantId: string, id: string, enabled: boolean, nowMs: number): Promise<LiveStreamRow | null> {
  return updateLiveStream(db, tenantId, id, { enabled }, nowMs);
}

/** New stream key and SRT passphrase; the old ones stop working now and a publish using them is ended. */
export async function rotateStreamKey(db: Db, tenantId: string, id: string, nowMs: number): Promise<LiveStreamRow | null> {
  const set = { streamKey: newStreamKey(), srtPassphrase: newSrtPassphrase(), keysRotatedAt: nowMs, updatedAt: nowMs };
  return changeStream(db, tenantId, id, set, 'key_rotated', newStreamEvent('stream.key_rotated', { id, tenantId }, {}, nowMs));
}

/** Deletes the stream (its sessions stay, as history); a running publish is ended. */
export async function deleteLiveStream(db: Db, tenantId: string, id: string): Promise<boolean> {
  const [deleted] = await db.batch([
    db.delete(liveStreams).where(whereOwned(tenantId, id)).returning({ id: liveStreams.id }),
    db
      .update(sessions)
      .set({ endRequested: 'stream_deleted' })
      .where(and(eq(sessions.tenantId, tenantId), eq(sessions.liveStreamId, id), isNull(sessions.endedAt))),
  ]);
  return deleted.length > 0;
}

/**
 * Ends the live session now (the node is told in its next heartbeat answer).
 * Null when the tenant has no such stream; `ending` false when nothing was live.
 */
export async function completeLiveStream(db: Db, tenantId: string, id: string): Promise<{ row: LiveStreamRow; ending: boolean } | null> {
  const row = await getLiveStream(db, tenantId, id);
  if (row === null) return null;
  const flagged = await db
    .update(sessions)
    .set({ endRequested: 'completed' })
    .where(and(eq(sessions.tenantId, tenantId), eq(sessions.liveStreamId, id), isNull(sessions.endedAt)))
    .returning({ id: sessions.id });
  return { row, ending: flagged.length > 0 };
}

/** Points the stream at the node its publish URLs name. */
export async function assignNode(db: Db, tenantId: string, id: string, nodeId: string, nowMs: number): Promise<LiveStreamRow | null> {
  const [row] = await db.update(liveStreams).set({ nodeId, updatedAt: nowMs }).where(whereOwned(tenantId, id)).returning();
  return row ?? null;
}
