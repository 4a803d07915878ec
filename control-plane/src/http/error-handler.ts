import type { Context } from 'hono';
import { HTTPException } from 'hono/http-exception';
import { ApiError, PROBLEM_CONTENT_TYPE, problemBody } from '../errors.ts';
import type { ErrorCode, FieldError } from '../errors.ts';
import type { Logger } from '../services/logger.ts';

/** The one place errors become responses: problem JSON with the code's status. */
export function problemResponse(code: ErrorCode, detail: string, opts: { errors?: readonly FieldError[]; retryAfterS?: number } = {}): Response {
  const body = problemBody(code, detail, opts.errors);
  const headers: Record<string, string> = { 'content-type': PROBLEM_CONTENT_TYPE };
  if (opts.retryAfterS !== undefined) headers['retry-after'] = String(opts.retryAfterS);
  return new Response(JSON.stringify(body), { status: body.status, headers });
}

/** Hono exceptions carry only a status; these are the ones its middleware throws. */
const HONO_STATUS: Readonly<Record<number, ErrorCode>> = { 400: 'invalid_json', 401: 'unauthorized', 404: 'not_found', 413: 'payload_too_large' };

export function errorHandler(log: Logger) {
  return (err: Error, c: Context): Response => {
    let res: Response;
    if (err instanceof ApiError) {
      res = problemResponse(err.code, err.message, { errors: err.errors, retryAfterS: err.retryAfterS });
    } else if (err instanceof HTTPException && HONO_STATUS[err.status] !== undefined) {
      res = problemResponse(HONO_STATUS[err.status], err.message || 'request refused');
    } else {
      log.error('unhandled error', { method: c.req.method, path: c.req.path, error: String(err), stack: err.stack });
      return problemResponse('internal', 'internal error');
    }
    // Keep headers set before the error (RateLimit-*).
    c.res.headers.forEach((v, k) => {
      if (!res.headers.has(k)) res.headers.set(k, v);
    });
    return res;
  };
}
