import type { MiddlewareHandler } from 'hono';
import { secretsEqual } from '@runnel/shared/constant-time-equal';
import type { AppDeps } from '../deps.ts';
import { ApiError } from '../errors.ts';
import { authenticateApiKey } from '../services/api-keys.ts';
import type { ApiKeyRow } from '../db/schema.ts';
import { sessionFromCookie } from '../accounts/session-auth.ts';

/** What a tenant request carries once its key (or dashboard session) is known. */
export interface TenantAuth {
  readonly tenantId: string;
  /** The API key; for a dashboard session, the account as a read-write "key" (its id keys the rate limit). */
  readonly key: Pick<ApiKeyRow, 'id' | 'permission'>;
  readonly via: 'api_key' | 'session';
}

export type TenantEnv = { Variables: { auth: TenantAuth } };

/** RFC 6750 section 2.1; the scheme name is case-insensitive (RFC 9110 section 11.1). */
export function bearer(header: string | undefined): string | null {
  const m = /^Bearer[ ]+(\S+)\s*$/i.exec(header ?? '');
  return m === null ? null : m[1];
}

/** Longest bearer we hash: our keys are 44 characters; anything much longer is not one of ours. */
const MAX_KEY_CHARS = 256;

/**
 * Tenant API: `Authorization: Bearer rnl_…`; unknown or revoked keys are 401.
 * Without an Authorization header, the dashboard's session cookie is accepted
 * (accounts/session-auth.ts; unsafe methods also need its CSRF header).
 */
export function apiKeyAuth(deps: AppDeps): MiddlewareHandler<TenantEnv> {
  return async (c, next) => {
    if (c.req.header('authorization') === undefined) {
      const s = await sessionFromCookie(c, deps.db, deps.clock.now());
      if (s !== null) {
        c.set('auth', { tenantId: s.tenantId, key: { id: s.accountId, permission: 'read_write' }, via: 'session' });
        await next();
        return;
      }
    }
    const token = bearer(c.req.header('authorization'));
    if (token === null) throw new ApiError('unauthorized', 'send an API key as Authorization: Bearer <key>');
    const key = token.length > MAX_KEY_CHARS ? null : await authenticateApiKey(deps.db, token, deps.clock.now());
    if (key === null) throw new ApiError('unauthorized', 'unknown or revoked API key');
    c.set('auth', { tenantId: key.tenantId, key, via: 'api_key' });
    await next();
  };
}

const READ_METHODS = new Set(['GET', 'HEAD', 'OPTIONS']);

/** Read-only keys may only read: any other method is 403 (the key is valid, the act is not allowed). */
export function requirePermission(): MiddlewareHandler<TenantEnv> {
  return async (c, next) => {
    if (!READ_METHODS.has(c.req.method) && c.get('auth').key.permission !== 'read_write') {
      throw new ApiError('forbidden', 'this API key is read-only');
    }
    await next();
  };
}

/** A shared secret as Bearer, compared in constant time (node API, admin API). */
export function secretAuth(secret: () => string | undefined, what: string): MiddlewareHandler {
  return async (c, next) => {
    const expected = secret();
    const token = bearer(c.req.header('authorization'));
    if (token === null) throw new ApiError('unauthorized', `send the ${what} as Authorization: Bearer <token>`);
    if (expected === undefined || !(await secretsEqual(token, expected))) throw new ApiError('unauthorized', `wrong ${what}`);
    await next();
  };
}
