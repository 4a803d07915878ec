import { Hono } from 'hono';
import { z } from 'zod';
import { hookBodySchema } from '@runnel/shared/hook-api';
import { NODE_ID_PATTERN, nodeHeartbeatSchema, nodeRegistrationSchema } from '@runnel/shared/node-api';
import type { NodeStateAnswer } from '@runnel/shared/node-api';
import type { AppDeps } from '../deps.ts';
import type { MediaNodeRow } from '../db/schema.ts';
import { ApiError } from '../errors.ts';
import { secretAuth } from '../http/auth.ts';
import { readBody, readParam } from '../http/validate.ts';
import { answerHook } from '../services/hooks.ts';
import { endRequestsFor, recordHeartbeat, registerNode, sweepStaleNodes } from '../services/nodes.ts';
import { recordStreamStats } from '../services/session-stats.ts';

/**
 * `/internal`: what media nodes call, with the shared node token as Bearer.
 * Register and heartbeat answer the node's state and the publishes it must
 * end; the hook endpoint answers SRS's accept rule (services/hooks.ts).
 */

const nodeId = z.string().regex(NODE_ID_PATTERN);

async function stateAnswer(deps: AppDeps, node: MediaNodeRow): Promise<NodeStateAnswer> {
  return {
    data: {
      node_id: node.id,
      state: node.state,
      heartbeat_interval_ms: node.heartbeatIntervalMs,
      end_sessions: await endRequestsFor(deps.db, node.id),
    },
  };
}

export function nodeApi(deps: AppDeps): Hono {
  const r = new Hono();
  r.use('*', secretAuth(() => deps.config.nodeToken, 'node token'));

  r.post('/nodes/register', async (c) => {
    const body = await readBody(c, nodeRegistrationSchema);
    const nowMs = deps.clock.now();
    await sweepStaleNodes(deps.db, nowMs);
    return c.json(await stateAnswer(deps, await registerNode(deps.db, body, nowMs)));
  });

  r.post('/nodes/:id/heartbeat', async (c) => {
    const id = readParam(c, 'id', nodeId, 'node');
    const body = await readBody(c, nodeHeartbeatSchema);
    const nowMs = deps.clock.now();
    await sweepStaleNodes(deps.db, nowMs);
    const node = await recordHeartbeat(deps.db, id, body.load, nowMs);
    if (node === null) throw new ApiError('not_found', `node ${id} has not registered; register first`);
    if (body.load.stream_stats !== undefined) await recordStreamStats(deps.db, node.id, body.load.stream_stats, nowMs);
    return c.json(await stateAnswer(deps, node));
  });

  r.post('/hooks', async (c) => {
    const body = await readBody(c, hookBodySchema);
    const answer = await answerHook(deps.db, body, { nowMs: deps.clock.now(), playbackKeys: deps.config.playbackKeys, servesLocalRecordings: deps.localRecordings !== undefined });
    return c.json(answer);
  });

  return r;
}
