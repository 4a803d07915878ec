import { z } from 'zod';
import { decodeBase64url, encodeBase64url } from '@runnel/shared/base64url';

/**
 * Cursor pagination for lists, newest first: `?limit=&cursor=`, answered with
 * `next_cursor` (null on the last page). The cursor is the last id of the
 * page, base64url-wrapped so clients treat it as opaque and we can change
 * what is inside.
 */

export const DEFAULT_PAGE = 20;
/** 100 rows of live streams is ~60 KB of JSON: one D1 read, one screen of a dashboard. */
export const MAX_PAGE = 100;

const utf8 = new TextEncoder();
const fromUtf8 = new TextDecoder();

export function encodeCursor(lastId: string): string {
  return encodeBase64url(utf8.encode(lastId));
}

/** A query schema for a list whose ids match `idPattern`. */
export function pageQuery(idPattern: RegExp) {
  return z.object({
    limit: z.coerce.number().int().min(1).max(MAX_PAGE).default(DEFAULT_PAGE),
    cursor: z
      .string()
      .max(200)
      .optional()
      .transform((text, ctx) => {
        if (text === undefined) return undefined;
        const bytes = decodeBase64url(text);
        const id = bytes === null ? '' : fromUtf8.decode(bytes);
        if (!idPattern.test(id)) {
          ctx.addIssue({ code: 'custom', message: 'not a cursor from this list' });
          return z.NEVER;
        }
        return id;
      }),
  });
}

/**
 * Builds the answer from `limit + 1` rows (ask the database for one more than
 * the page): the extra row only says whether there is a next page, so the
 * last page never comes with a cursor to an empty one.
 */
export function page<T extends { readonly id: string }, V>(rows: readonly T[], limit: number, view: (row: T) => V): { data: V[]; next_cursor: string | null } {
  const shown = rows.slice(0, limit);
  const more = rows.length > limit;
  return { data: shown.map(view), next_cursor: more ? encodeCursor(shown[shown.length - 1].id) : null };
}
