import { and, desc, eq, isNull, or } from 'drizzle-orm';
import { RUNNEL_APP, hookDeny } from '@runnel/shared/hook-api';
import type { HookAllow, HookBody, HookDeny } from '@runnel/shared/hook-api';
import { verifyToken } from '@runnel/shared/signed-token';
import type { SigningKey } from '@runnel/shared/signed-token';
import type { Db } from '../db/db.ts';
import { liveStreams, recordings, sessions } from '../db/schema.ts';
import type { LiveStreamRow, RecordingRow } from '../db/schema.ts';
import { recordingView } from '../views/recording.ts';
import { newId } from './ids.ts';
import { getNode, isHealthy } from './nodes.ts';
import { findRecording, recordingFormat } from './recordings.ts';
import { enqueueStreamEvent, eventMark, newStreamEvent } from '../webhooks/outbox.ts';

/**
 * The SRS hook endpoint's decisions (srs.md section 3). Admission events
 * (on_publish, on_play) answer allow or deny; the others record what
 * happened and always answer code 0, since SRS ignores their errors anyway.
 *
 * Sessions: on_publish opens one (one per broadcast) and makes it the
 * stream's current session; on_unpublish closes the node's session with that
 * SRS client id. A second publisher of the same stream is refused while the
 * first one's node is healthy; if that node is gone, or the same node
 * publishes again (it lost our answer to its on_unpublish), the old session
 * is closed as replaced.
 */

export type HookAnswer = HookAllow | HookDeny;

export interface HookContext {
  readonly nowMs: number;
  readonly playbackKeys: readonly SigningKey[];
  /** Recordings on a node's disk can be fetched through this control plane (`runnel start`). */
  readonly servesLocalRecordings?: boolean;
}

const ALLOW: HookAllow = { code: 0 };

export async function answerHook(db: Db, body: HookBody, ctx: HookContext): Promise<HookAnswer> {
  switch (body.action) {
    case 'on_publish':
      return onPublish(db, body, ctx.nowMs);
    case 'on_unpublish':
      await onUnpublish(db, body.server_id, body.client_id, body.recv_bytes ?? null, ctx.nowMs);
      return ALLOW;
    case 'on_play':
      return onPlay(db, body, ctx);
    case 'on_hls':
      await onHls(db, body.stream, ctx.nowMs);
      return ALLOW;
    case 'on_dvr':
      await onDvr(db, body, ctx.nowMs, ctx.servesLocalRecordings ?? false);
      return ALLOW;
    case 'on_connect':
    case 'on_close':
    case 'on_stop':
      return ALLOW;
  }
}

type PublishBody = Extract<HookBody, { action: 'on_publish' }>;
type PlayBody = Extract<HookBody, { action: 'on_play' }>;

async function onPublish(db: Db, body: PublishBody, nowMs: number): Promise<HookAnswer> {
  const node = await getNode(db, body.server_id);
  if (node === null) return hookDeny('node_not_registered', `node ${body.server_id} has not registered`);
  const [stream] = await db.select().from(liveStreams).where(eq(liveStreams.streamKey, body.stream)).limit(1);
  if (stream === undefined) return hookDeny('stream_key_invalid', 'unknown stream key');
  if (!stream.enabled) return hookDeny('stream_disabled', `live stream ${stream.id} is disabled`);

  const previous = stream.currentSessionId;
  if (previous !== null) {
    const [open] = await db
      .select()
      .from(sessions)
      .where(and(eq(sessions.id, previous), isNull(sessions.endedAt)))
      .limit(1);
    if (open !== undefined && open.nodeId !== node.id) {
      const other = await getNode(db, open.nodeId);
      if (other !== null && isHealthy(other, nowMs)) {
        return hookDeny('already_publishing', `live stream ${stream.id} is being published on node ${open.nodeId}`);
      }
    }
  }

  const sessionId = newId('ses', nowMs);
  const ev = newStreamEvent('stream.connected', stream, { session_id: sessionId, node_id: node.id, protocol: body.protocol ?? null }, nowMs);
  // Claim the stream only if nobody else did since we read it (two publishers racing on two nodes).
  const claim = db
    .update(liveStreams)
    .set({ currentSessionId: sessionId, status: 'connected', nodeId: node.id, disconnectedAt: null, updatedAt: nowMs, ...eventMark(ev) })
    .where(
      and(
        eq(liveStreams.id, stream.id),
        previous === null ? isNull(liveStreams.currentSessionId) : or(isNull(liveStreams.currentSessionId), eq(liveStreams.currentSessionId, previous)),
      ),
    )
    .returning({ id: liveStreams.id });
  const [claimed] = await db.batch([claim, enqueueStreamEvent(db, ev)]);
  if (claimed.length === 0) return hookDeny('already_publishing', `live stream ${stream.id} was just claimed by another publish`);

  const open = db.insert(sessions).values({
    id: sessionId,
    tenantId: stream.tenantId,
    liveStreamId: stream.id,
    nodeId: node.id,
    clientId: body.client_id,
    clientIp: body.ip,
    protocol: body.protocol ?? null,
    startedAt: nowMs,
  });
  if (previous === null) await open;
  else {
    await db.batch([
      open,
      db
        .update(sessions)
        .set({ endedAt: nowMs, endReason: 'replaced' })
        .where(and(eq(sessions.id, previous), isNull(sessions.endedAt))),
    ]);
  }
  return { code: 0, data: publishGrant(stream, sessionId, body.protocol === 'srt') };
}

/** What the node needs to run the publish; an SRT caller must encrypt with the stream's passphrase (the node checks its keys before the accept). */
function publishGrant(stream: LiveStreamRow, sessionId: string, srt: boolean) {
  return {
    ...(srt ? { srt_passphrase: stream.srtPassphrase } : {}),
    live_stream_id: stream.id,
    tenant_id: stream.tenantId,
    session_id: sessionId,
    app: RUNNEL_APP,
    playback_name: stream.playbackId,
    playback_policy: stream.playbackPolicy,
    recording: { mode: stream.recordingMode },
    reconnect_window_s: stream.reconnectWindowS,
  };
}

async function onUnpublish(db: Db, nodeId: string, clientId: string, bytesIn: number | null, nowMs: number): Promise<void> {
  const [open] = await db
    .select()
    .from(sessions)
    .where(and(eq(sessions.nodeId, nodeId), eq(sessions.clientId, clientId), isNull(sessions.endedAt)))
    .limit(1);
  if (open === undefined) return;
  const reason = open.endRequested ?? 'unpublished';
  const ev = newStreamEvent('stream.disconnected', { id: open.liveStreamId, tenantId: open.tenantId }, { session_id: open.id, reason }, nowMs);
  await db.batch([
    db.update(sessions).set({ endedAt: nowMs, endReason: reason, bytesIn }).where(eq(sessions.id, open.id)),
    db
      .update(liveStreams)
      .set({ status: 'disconnected', disconnectedAt: nowMs, currentSessionId: null, updatedAt: nowMs, ...eventMark(ev) })
      .where(and(eq(liveStreams.id, open.liveStreamId), eq(liveStreams.currentSessionId, open.id))),
    enqueueStreamEvent(db, ev),
  ]);
}

/** SRS calls on_hls per reaped segment: the first one means playback can start (`active`). */
async function onHls(db: Db, playbackId: string, nowMs: number): Promise<void> {
  const [stream] = await db.select().from(liveStreams).where(eq(liveStreams.playbackId, playbackId)).limit(1);
  if (stream === undefined || stream.status !== 'connected') return;
  const ev = newStreamEvent('stream.active', stream, { session_id: stream.currentSessionId }, nowMs);
  await db.batch([
    db
      .update(liveStreams)
      .set({ status: 'active', updatedAt: nowMs, ...eventMark(ev) })
      .where(and(eq(liveStreams.id, stream.id), eq(liveStreams.status, 'connected'))),
    enqueueStreamEvent(db, ev),
  ]);
}

type DvrBody = Extract<HookBody, { action: 'on_dvr' }>;

/**
 * A DVR file was stored (on_dvr): a recording row and `recording.ready`, in
 * one batch. Its session is the one the node opened for that publisher
 * (server_id + client_id; a file can be announced after the publish ended);
 * failing that, the stream's current one. A node retrying the same file
 * (same storage key) records nothing twice.
 */
async function onDvr(db: Db, body: DvrBody, nowMs: number, servesLocalRecordings: boolean): Promise<void> {
  const [stream] = await db.select().from(liveStreams).where(eq(liveStreams.playbackId, body.stream)).limit(1);
  if (stream === undefined) return;
  if ((await findRecording(db, stream.id, body.file)) !== null) return;
  const [session] = await db
    .select({ id: sessions.id })
    .from(sessions)
    .where(and(eq(sessions.liveStreamId, stream.id), eq(sessions.nodeId, body.server_id), eq(sessions.clientId, body.client_id)))
    .orderBy(desc(sessions.id))
    .limit(1);
  const row: RecordingRow = {
    id: newId('rec', nowMs),
    tenantId: stream.tenantId,
    liveStreamId: stream.id,
    sessionId: session?.id ?? stream.currentSessionId,
    nodeId: body.server_id,
    storageKey: body.file,
    url: body.url === undefined || body.url === '' ? null : body.url,
    format: recordingFormat(body.file),
    durationMs: body.duration === undefined ? null : Math.round(body.duration * 1000),
    bytes: body.bytes ?? null,
    status: 'ready',
    createdAt: nowMs,
  };
  const ev = newStreamEvent(
    'recording.ready',
    stream,
    { recording_id: row.id, session_id: row.sessionId, file: row.storageKey, recording: recordingView(row, servesLocalRecordings) },
    nowMs,
  );
  await db.batch([
    db.insert(recordings).values(row),
    db.update(liveStreams).set(eventMark(ev)).where(eq(liveStreams.id, stream.id)),
    enqueueStreamEvent(db, ev),
  ]);
}

async function onPlay(db: Db, body: PlayBody, ctx: HookContext): Promise<HookAnswer> {
  const node = await getNode(db, body.server_id);
  if (node === null) return hookDeny('node_not_registered', `node ${body.server_id} has not registered`);
  const [stream] = await db.select().from(liveStreams).where(eq(liveStreams.playbackId, body.stream)).limit(1);
  if (stream === undefined) return hookDeny('playback_not_found', 'unknown playback id');
  if (stream.playbackPolicy === 'signed') {
    const token = new URLSearchParams(body.param.replace(/^\?/, '')).get('token');
    if (token === null || token === '') return hookDeny('playback_token_required', 'this playback id needs ?token=');
    const r = await verifyToken(token, { keys: ctx.playbackKeys, audience: 'play', subject: stream.playbackId, nowMs: ctx.nowMs });
    if (!r.ok) return hookDeny('playback_token_invalid', `playback token refused: ${r.reason}`);
  }
  return {
    code: 0,
    data: { live_stream_id: stream.id, tenant_id: stream.tenantId, app: RUNNEL_APP, playback_name: stream.playbackId, playback_policy: stream.playbackPolicy },
  };
}
