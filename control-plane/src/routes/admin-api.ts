import { Hono } from 'hono';
import type { MiddlewareHandler } from 'hono';
import { z } from 'zod';
import { setAdmin } from '../accounts/accounts.ts';
import { adminFromCookie } from '../accounts/session-auth.ts';
import type { AppDeps } from '../deps.ts';
import { ApiError } from '../errors.ts';
import { secretAuth } from '../http/auth.ts';
import { readBody } from '../http/validate.ts';
import { createTenantWithKey } from '../services/api-keys.ts';
import { apiKeyView } from '../views/api-key.ts';
import { nodesOverview } from './admin-nodes.ts';

/**
 * `/admin`: the operator's door. Two ways in:
 * - RUNNEL_ADMIN_TOKEN as Bearer (scripts, Terraform). Without that variable
 *   a Bearer request finds nothing (404): a deployment never has a token door
 *   it did not ask for.
 * - The session cookie of an admin account (the dashboard's Nodes page),
 *   with the CSRF header on writes, like `/v1`. The first account of a
 *   deployment is an admin (accounts/accounts.ts); other accounts get 403.
 */

const createTenantBody = z.strictObject({ name: z.string().trim().min(1).max(128) });
/** RFC 5321 4.5.3.1: an address is at most 254 octets in practice. */
export const setAdminBody = z.strictObject({ email: z.string().trim().min(1).max(254), admin: z.boolean() });

function adminAuth(deps: AppDeps): MiddlewareHandler {
  const byToken = secretAuth(() => deps.config.adminToken, 'admin token');
  return async (c, next) => {
    if (c.req.header('authorization') === undefined) {
      const who = await adminFromCookie(c, deps.db, deps.clock.now());
      if (who?.admin === true) {
        await next();
        return;
      }
      if (who !== null) throw new ApiError('forbidden', 'this account is not an admin');
    }
    if (deps.config.adminToken === undefined) throw new ApiError('not_found', 'no such route');
    await byToken(c, next);
  };
}

export function adminApi(deps: AppDeps): Hono {
  const r = new Hono();
  r.use('*', adminAuth(deps));

  r.post('/tenants', async (c) => {
    const b = await readBody(c, createTenantBody);
    const made = await createTenantWithKey(deps.db, { name: b.name }, deps.clock.now());
    return c.json({ data: { tenant_id: made.tenantId, api_key: { ...apiKeyView(made.row), key: made.key } } }, 201);
  });

  r.get('/nodes', async (c) => {
    const nowMs = deps.clock.now();
    const { data, truncated } = await nodesOverview(deps.db, nowMs);
    return c.json({ data, truncated, as_of: new Date(nowMs).toISOString() });
  });

  r.post('/accounts/admin', async (c) => {
    const b = await readBody(c, setAdminBody);
    const made = await setAdmin(deps.db, b.email, b.admin);
    if (!made.ok) throw new ApiError('not_found', 'no account with this email');
    return c.json({ data: { account_id: made.account.id, email: made.account.email, admin: made.account.isAdmin } });
  });

  return r;
}
