import type { ApiKeyRow } from '../db/schema.ts';
import { iso } from './time.ts';

export function apiKeyView(row: ApiKeyRow) {
  return {
    id: row.id,
    name: row.name,
    prefix: row.prefix,
    permission: row.permission,
    created_at: iso(row.createdAt),
    last_used_at: iso(row.lastUsedAt),
    revoked_at: iso(row.revokedAt),
  };
}
