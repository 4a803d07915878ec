import { Hono } from 'hono';
import { z } from 'zod';
import type { AppDeps } from '../deps.ts';
import { ApiError } from '../errors.ts';
import type { TenantEnv } from '../http/auth.ts';
import { page, pageQuery } from '../http/pagination.ts';
import { readBody, readParam, readQuery } from '../http/validate.ts';
import { idPattern } from '../services/ids.ts';
import { webhookDeliveryView, webhookEndpointView } from '../views/webhook.ts';
import {
  MAX_ENDPOINTS_PER_TENANT,
  countEndpoints,
  createEndpoint,
  deleteEndpoint,
  enqueueTestEvent,
  getEndpoint,
  listDeliveries,
  listEndpoints,
} from '../webhooks/endpoints.ts';
import { STREAM_EVENT_TYPES } from '../webhooks/events.ts';
import { URL_PROBLEM_TEXT, webhookUrlProblem } from '../webhooks/url-safety.ts';

/**
 * `/v1/webhook-endpoints`: create (the signing secret is in this answer
 * only), list, delete, send a test event, list an endpoint's deliveries.
 */

/** Browsers and most proxies stop near 2 KB URLs; a webhook URL has no reason to be longer. */
const MAX_URL_CHARS = 2048;

export const createWebhookEndpointBody = z.strictObject({
  url: z.url({ protocol: /^https?$/ }).max(MAX_URL_CHARS),
  /** Empty or missing: every event. */
  events: z.array(z.enum(STREAM_EVENT_TYPES)).max(STREAM_EVENT_TYPES.length).default([]),
  enabled: z.boolean().default(true),
});
const endpointId = z.string().regex(idPattern('wh'));
export const listEndpointsQuery = pageQuery(idPattern('wh'));
export const listDeliveriesQuery = pageQuery(idPattern('whd'));

export function webhookEndpointRoutes(deps: AppDeps): Hono<TenantEnv> {
  const r = new Hono<TenantEnv>();

  r.post('/', async (c) => {
    const b = await readBody(c, createWebhookEndpointBody);
    const unsafe = webhookUrlProblem(b.url, { allowInsecure: deps.config.webhookAllowInsecure });
    if (unsafe !== null) {
      throw new ApiError('webhook_url_unsafe', `${URL_PROBLEM_TEXT[unsafe]} (${unsafe})`, { errors: [{ in: 'body', field: 'url', message: unsafe }] });
    }
    const tenantId = c.get('auth').tenantId;
    if ((await countEndpoints(deps.db, tenantId)) >= MAX_ENDPOINTS_PER_TENANT) {
      throw new ApiError('conflict', `a tenant has at most ${MAX_ENDPOINTS_PER_TENANT} webhook endpoints`);
    }
    const row = await createEndpoint(deps.db, tenantId, { url: b.url, events: [...new Set(b.events)], enabled: b.enabled }, deps.clock.now());
    return c.json({ data: { ...webhookEndpointView(row), secret: row.secret } }, 201);
  });

  r.get('/', async (c) => {
    const q = readQuery(c, listEndpointsQuery);
    const rows = await listEndpoints(deps.db, c.get('auth').tenantId, { limit: q.limit + 1, before: q.cursor });
    return c.json(page(rows, q.limit, webhookEndpointView));
  });

  r.delete('/:id', async (c) => {
    const id = readParam(c, 'id', endpointId, 'webhook endpoint');
    if (!(await deleteEndpoint(deps.db, c.get('auth').tenantId, id))) throw new ApiError('not_found', `no webhook endpoint ${id}`);
    return c.body(null, 204);
  });

  r.post('/:id/test', async (c) => {
    const id = readParam(c, 'id', endpointId, 'webhook endpoint');
    const ep = await getEndpoint(deps.db, c.get('auth').tenantId, id);
    if (ep === null) throw new ApiError('not_found', `no webhook endpoint ${id}`);
    if (!ep.enabled) throw new ApiError('conflict', `webhook endpoint ${id} is disabled`);
    const d = await enqueueTestEvent(deps.db, ep, deps.clock.now());
    return c.json({ data: webhookDeliveryView(d) }, 202);
  });

  r.get('/:id/deliveries', async (c) => {
    const id = readParam(c, 'id', endpointId, 'webhook endpoint');
    const tenantId = c.get('auth').tenantId;
    const q = readQuery(c, listDeliveriesQuery);
    if ((await getEndpoint(deps.db, tenantId, id)) === null) throw new ApiError('not_found', `no webhook endpoint ${id}`);
    const rows = await listDeliveries(deps.db, tenantId, id, { limit: q.limit + 1, before: q.cursor });
    return c.json(page(rows, q.limit, webhookDeliveryView));
  });

  return r;
}
