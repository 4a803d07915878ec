/**
 * Every error the API answers with: a closed set of codes, each with one HTTP
 * status (the one table), rendered as problem JSON (RFC 9457). Handlers throw
 * `ApiError`; the app's error handler turns it into the response. Clients
 * match on `code`, which never changes meaning; `detail` is for humans.
 */

export const ERROR_STATUS = {
  /** The body is not JSON. */
  invalid_json: 400,
  /** No credentials, or credentials we do not know (wrong, revoked). */
  unauthorized: 401,
  /** Known credentials that may not do this (a read-only key writing). */
  forbidden: 403,
  /** A signed playback id was requested without `?token=`. */
  playback_token_required: 401,
  /** The playback token is not valid for this playback id (signature, kid, expiry, audience, subject). */
  playback_token_invalid: 403,
  not_found: 404,
  /** The stream is disabled, so it gets no publish URLs. */
  stream_disabled: 409,
  /** The request would break a rule of the resource's current state. */
  conflict: 409,
  payload_too_large: 413,
  unsupported_media_type: 415,
  /** Body, query or path failed its schema; `errors` names each field. */
  validation_failed: 422,
  /** A webhook endpoint URL we will not call: not https, or a private, loopback or metadata address. */
  webhook_url_unsafe: 422,
  rate_limited: 429,
  internal: 500,
  /** No healthy media node with room (in the requested region). */
  no_node_available: 503,
} as const;

export type ErrorCode = keyof typeof ERROR_STATUS;

/** One field that failed validation: where it was and what is wrong with it. */
export interface FieldError {
  readonly in: 'body' | 'query' | 'path';
  /** Dotted path of the field, e.g. `recording.mode`; '' for the whole body. */
  readonly field: string;
  readonly message: string;
}

export class ApiError extends Error {
  readonly code: ErrorCode;
  readonly errors: readonly FieldError[];
  /** Seconds until a retry can succeed (429, 503). */
  readonly retryAfterS: number | undefined;

  constructor(code: ErrorCode, detail: string, opts: { errors?: readonly FieldError[]; retryAfterS?: number } = {}) {
    super(detail);
    this.name = 'ApiError';
    this.code = code;
    this.errors = opts.errors ?? [];
    this.retryAfterS = opts.retryAfterS;
  }

  get status(): number {
    return ERROR_STATUS[this.code];
  }
}

export interface ProblemBody {
  readonly type: string;
  readonly title: string;
  readonly status: number;
  readonly code: ErrorCode;
  readonly detail: string;
  readonly errors?: readonly FieldError[];
}

export const PROBLEM_CONTENT_TYPE = 'application/problem+json';

/** RFC 9457 section 3.1: `type` is a URI naming the problem; a URN needs no website behind it. */
export function problemBody(code: ErrorCode, detail: string, errors: readonly FieldError[] = []): ProblemBody {
  const body: ProblemBody = {
    type: `urn:runnel:problem:${code}`,
    title: code.replace(/_/g, ' '),
    status: ERROR_STATUS[code],
    code,
    detail,
  };
  return errors.length > 0 ? { ...body, errors } : body;
}
