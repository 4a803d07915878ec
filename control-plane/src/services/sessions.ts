import { and, desc, eq, lt } from 'drizzle-orm';
import type { Db } from '../db/db.ts';
import { sessions } from '../db/schema.ts';
import type { SessionRow } from '../db/schema.ts';

/** Sessions (one per broadcast) of one stream of one tenant, newest first; `before` is the last id of the previous page. */
export async function listSessions(db: Db, tenantId: string, liveStreamId: string, page: { limit: number; before?: string }): Promise<SessionRow[]> {
  const scope = and(eq(sessions.tenantId, tenantId), eq(sessions.liveStreamId, liveStreamId));
  const where = page.before === undefined ? scope : and(scope, lt(sessions.id, page.before));
  return db.select().from(sessions).where(where).orderBy(desc(sessions.id)).limit(page.limit);
}
