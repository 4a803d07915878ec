/**
 * SRS's accept rule for a hook answer (`SrsHttpHooks::do_post`, srs.md 3.1),
 * and how we name a failure. A hook passes only when:
 *
 * 1. the HTTP status is 200 or 201;
 * 2. the body is not empty;
 * 3. the body parses as JSON, and is either exactly the text `0` (SRS
 *    compares the raw body with "0", so `0\n` or ` 0` fail) or an object whose
 *    `code` is an integer equal to 0.
 *
 * Anything else fails. For a refusal we tell two cases apart (bad-inputs
 * rows 33-34), because an operator fixes them differently:
 * - `hook_rejected`: the hook answered cleanly and said no (a non-zero integer
 *   body or `code`, or 401/403);
 * - `auth_unavailable`: there was no usable answer (network error, timeout,
 *   5xx or any other status, an empty, oversized or non-JSON body, JSON of
 *   another shape).
 *
 * One difference from SRS: JSON.parse cannot tell `0.0` from `0`, so
 * `{"code":0.0}` passes here while SRS's parser would call it a double.
 */

export type HookFailReason = 'hook_rejected' | 'auth_unavailable';

export type HookAnswer = { readonly ok: true } | { readonly ok: false; readonly reason: HookFailReason; readonly detail: string };

/** The body SRS accepts as a bare answer (`SRS_HTTP_RESPONSE_OK`). */
const BARE_OK = '0';

/** Statuses that are a clean "no" from the hook rather than a broken hook. */
const DENY_STATUSES: ReadonlySet<number> = new Set([401, 403]);

const ACCEPTED: HookAnswer = { ok: true };

function unavailable(detail: string): HookAnswer {
  return { ok: false, reason: 'auth_unavailable', detail };
}

function rejected(detail: string): HookAnswer {
  return { ok: false, reason: 'hook_rejected', detail };
}

/** Judge one hook answer. Pure and total: any status and body give an answer, never an exception. */
export function judgeHookAnswer(status: number, body: string): HookAnswer {
  if (status !== 200 && status !== 201) {
    return DENY_STATUSES.has(status) ? rejected(`status ${status}`) : unavailable(`status ${status}`);
  }
  if (body === '') return unavailable('empty body');
  let value: unknown;
  try {
    value = JSON.parse(body);
  } catch {
    return unavailable('body is not JSON');
  }
  if (value !== null && typeof value === 'object' && !Array.isArray(value)) {
    const code = (value as { code?: unknown }).code;
    if (typeof code !== 'number' || !Number.isInteger(code)) return unavailable('JSON object without an integer code');
    return code === 0 ? ACCEPTED : rejected(`code ${code}`);
  }
  if (body === BARE_OK) return ACCEPTED;
  if (typeof value === 'number' && Number.isInteger(value) && value !== 0) return rejected(`answer ${value}`);
  return unavailable('body is neither exactly 0 nor a JSON object');
}
