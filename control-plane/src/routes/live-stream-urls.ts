import { Hono } from 'hono';
import type { z } from 'zod';
import type { AppDeps } from '../deps.ts';
import type { LiveStreamRow, MediaNodeRow } from '../db/schema.ts';
import { ApiError } from '../errors.ts';
import type { TenantEnv } from '../http/auth.ts';
import { readBody, readParam } from '../http/validate.ts';
import { assignNode, getLiveStream } from '../services/live-streams.ts';
import { getNode, isHealthy, loadScore, pickNode, sweepStaleNodes } from '../services/nodes.ts';
import { playbackUrls, publishUrls } from '../services/urls.ts';
import { publishUrlsBody } from './live-stream-bodies.ts';

/**
 * Publish URLs (allocating a node) and playback URLs of a live stream.
 *
 * Allocation is sticky: a stream that is live stays on its node; a stream
 * already assigned to a healthy node with room (in the requested region)
 * keeps it, so URLs pasted into an encoder keep working. Otherwise the
 * least-loaded healthy node is chosen (services/nodes.ts `pickNode`).
 */

/** Nodes beat every few seconds: a client told 503 can try again after about one beat. */
const NO_NODE_RETRY_S = 5;

function keepsNode(stream: LiveStreamRow, node: MediaNodeRow | null, region: string | undefined, nowMs: number): node is MediaNodeRow {
  if (node === null) return false;
  if ((stream.status === 'connected' || stream.status === 'active') && node.state === 'up') return true;
  return isHealthy(node, nowMs) && loadScore(node) < 1 && (region === undefined || node.region === region);
}

export function deliveryRoutes(deps: AppDeps, streamId: z.ZodType<string>): Hono<TenantEnv> {
  const r = new Hono<TenantEnv>();

  r.post('/:id/publish-urls', async (c) => {
    const id = readParam(c, 'id', streamId, 'live stream');
    const { region } = await readBody(c, publishUrlsBody);
    const tenantId = c.get('auth').tenantId;
    const nowMs = deps.clock.now();
    const stream = await getLiveStream(deps.db, tenantId, id);
    if (stream === null) throw new ApiError('not_found', `no live stream ${id}`);
    if (!stream.enabled) throw new ApiError('stream_disabled', `live stream ${id} is disabled; enable it first`);
    await sweepStaleNodes(deps.db, nowMs);
    const current = stream.nodeId === null ? null : await getNode(deps.db, stream.nodeId);
    const node = keepsNode(stream, current, region, nowMs) ? current : await pickNode(deps.db, nowMs, region);
    if (node === null) {
      const where = region === undefined ? '' : ` in region ${region}`;
      throw new ApiError('no_node_available', `no healthy media node with room${where}`, { retryAfterS: NO_NODE_RETRY_S });
    }
    if (node.id !== stream.nodeId) {
      const assigned = await assignNode(deps.db, tenantId, id, node.id, nowMs);
      if (assigned === null) throw new ApiError('not_found', `no live stream ${id}`);
    }
    return c.json({ data: { live_stream_id: id, node_id: node.id, region: node.region, ...publishUrls(stream, node) } });
  });

  r.get('/:id/playback-urls', async (c) => {
    const id = readParam(c, 'id', streamId, 'live stream');
    const nowMs = deps.clock.now();
    const stream = await getLiveStream(deps.db, c.get('auth').tenantId, id);
    if (stream === null) throw new ApiError('not_found', `no live stream ${id}`);
    const node = stream.nodeId === null ? null : await getNode(deps.db, stream.nodeId);
    const usable = node !== null && isHealthy(node, nowMs) ? node : null;
    return c.json({ data: playbackUrls(stream, usable, deps.config.hlsBaseUrl) });
  });

  return r;
}
