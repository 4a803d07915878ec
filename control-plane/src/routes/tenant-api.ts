import { Hono } from 'hono';
import type { AppDeps } from '../deps.ts';
import { apiKeyAuth, requirePermission } from '../http/auth.ts';
import type { TenantEnv } from '../http/auth.ts';
import { rateLimit } from '../http/rate-limit.ts';
import { apiKeyRoutes } from './api-keys.ts';
import { liveStreamRoutes } from './live-streams.ts';
import { recordingRoutes } from './recordings.ts';
import { webhookEndpointRoutes } from './webhook-endpoints.ts';

/** `/v1`: the tenant REST API. Order matters: who you are, then your budget, then what you may do. */
export function tenantApi(deps: AppDeps): Hono<TenantEnv> {
  const v1 = new Hono<TenantEnv>();
  v1.use('*', apiKeyAuth(deps), rateLimit(deps), requirePermission());
  v1.route('/live-streams', liveStreamRoutes(deps));
  v1.route('/recordings', recordingRoutes(deps));
  v1.route('/api-keys', apiKeyRoutes(deps));
  v1.route('/webhook-endpoints', webhookEndpointRoutes(deps));
  return v1;
}
