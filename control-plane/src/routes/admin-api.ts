import { Hono } from 'hono';
import { z } from 'zod';
import type { AppDeps } from '../deps.ts';
import { ApiError } from '../errors.ts';
import { secretAuth } from '../http/auth.ts';
import { readBody } from '../http/validate.ts';
import { createTenantWithKey } from '../services/api-keys.ts';
import { apiKeyView } from '../views/api-key.ts';

/**
 * `/admin`: the operator's door, with RUNNEL_ADMIN_TOKEN as Bearer. Without
 * that variable it does not exist (404), so a deployment never has an admin
 * API it did not ask for.
 */

const createTenantBody = z.strictObject({ name: z.string().trim().min(1).max(128) });

export function adminApi(deps: AppDeps): Hono {
  const r = new Hono();
  r.use('*', async (c, next) => {
    if (deps.config.adminToken === undefined) throw new ApiError('not_found', 'no such route');
    await next();
  });
  r.use('*', secretAuth(() => deps.config.adminToken, 'admin token'));

  r.post('/tenants', async (c) => {
    const b = await readBody(c, createTenantBody);
    const made = await createTenantWithKey(deps.db, { name: b.name }, deps.clock.now());
    return c.json({ data: { tenant_id: made.tenantId, api_key: { ...apiKeyView(made.row), key: made.key } } }, 201);
  });

  return r;
}
