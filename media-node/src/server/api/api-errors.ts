/**
 * Every way an API request can fail, mapped in this one table to the HTTP
 * status and the SRS `code` of the JSON body. SRS answers "not found"
 * lookups with HTTP 200 and a nonzero `code` (`docs4:http-api.md` "Error
 * Code"; numbers from `4.0:trunk/src/kernel/srs_kernel_error.hpp`), and
 * request-level problems with a plain HTTP status; scripts rely on both.
 */
export const API_ERRORS = {
  /** Unknown path. */
  not_found: { status: 404, code: 404 },
  /** Known path, method it does not serve. */
  method_not_allowed: { status: 405, code: 405 },
  /** Bad query: a JSONP callback that is not an identifier, a paging value that is not a number. */
  bad_request: { status: 400, code: 400 },
  /** Request body over MAX_API_BODY_BYTES. */
  body_too_large: { status: 413, code: 413 },
  /** ERROR_RTMP_VHOST_NOT_FOUND. */
  vhost_not_found: { status: 200, code: 2014 },
  /** ERROR_RTMP_STREAM_NOT_FOUND. */
  stream_not_found: { status: 200, code: 2048 },
  /** ERROR_RTMP_CLIENT_NOT_FOUND. */
  client_not_found: { status: 200, code: 2049 },
  /** A handler threw; logged, never shown in detail. */
  internal: { status: 500, code: 500 },
} as const satisfies Record<string, { status: number; code: number }>;

export type ApiErrorCode = keyof typeof API_ERRORS;

/** Thrown by handlers; the server turns it into the response of the table above. */
export class ApiError extends Error {
  readonly code: ApiErrorCode;

  constructor(code: ApiErrorCode, message: string) {
    super(message);
    this.name = 'ApiError';
    this.code = code;
  }
}
