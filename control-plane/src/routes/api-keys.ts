import { Hono } from 'hono';
import { z } from 'zod';
import type { AppDeps } from '../deps.ts';
import { ApiError } from '../errors.ts';
import type { TenantEnv } from '../http/auth.ts';
import { page, pageQuery } from '../http/pagination.ts';
import { readBody, readParam, readQuery } from '../http/validate.ts';
import { createApiKey, listApiKeys, revokeApiKey } from '../services/api-keys.ts';
import { idPattern } from '../services/ids.ts';
import { apiKeyView } from '../views/api-key.ts';

/** `/v1/api-keys`: create (the key is in this answer only), list (prefixes), revoke. */

export const createApiKeyBody = z.strictObject({
  name: z.string().trim().min(1).max(128),
  permission: z.enum(['read_write', 'read_only']).default('read_write'),
});
const keyId = z.string().regex(idPattern('key'));
const listQuery = pageQuery(idPattern('key'));

export function apiKeyRoutes(deps: AppDeps): Hono<TenantEnv> {
  const r = new Hono<TenantEnv>();

  r.post('/', async (c) => {
    const b = await readBody(c, createApiKeyBody);
    const made = await createApiKey(deps.db, { tenantId: c.get('auth').tenantId, name: b.name, permission: b.permission }, deps.clock.now());
    return c.json({ data: { ...apiKeyView(made.row), key: made.key } }, 201);
  });

  r.get('/', async (c) => {
    const q = readQuery(c, listQuery);
    const rows = await listApiKeys(deps.db, c.get('auth').tenantId, { limit: q.limit + 1, before: q.cursor });
    return c.json(page(rows, q.limit, apiKeyView));
  });

  r.delete('/:id', async (c) => {
    const id = readParam(c, 'id', keyId, 'API key');
    const row = await revokeApiKey(deps.db, c.get('auth').tenantId, id, deps.clock.now());
    if (row === null) throw new ApiError('not_found', `no API key ${id}`);
    return c.body(null, 204);
  });

  return r;
}
