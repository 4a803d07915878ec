/**
 * Which S3 errors retrying cannot fix. The spool retries everything else
 * while the bucket is "down", so the rule is narrow: only a request that is
 * wrong in itself, for any bucket state. An outage, throttling, a missing
 * bucket (being created), denied access (credentials being rotated, a
 * policy being fixed) all end, so they are retried.
 */

/** HTTP statuses about the request itself: 400 Bad Request, 411 Length Required, 413 too large, 414 URI too long (RFC 9110 15.5). */
const REQUEST_STATUSES = new Set([400, 411, 413, 414]);

/**
 * 400 codes that are not about the request: a slow upload (`RequestTimeout`),
 * credentials that expire or refresh, a body damaged on the way
 * (`BadDigest`, `IncompleteBody`). From the S3 API reference, "List of error codes".
 */
const TRANSIENT_400_CODES = new Set(['RequestTimeout', 'ExpiredToken', 'TokenRefreshRequired', 'IncompleteBody', 'BadDigest', 'RequestTimeTooSkewed', 'SlowDown']);

interface SdkErrorShape {
  readonly name?: unknown;
  readonly Code?: unknown;
  readonly $metadata?: { readonly httpStatusCode?: unknown };
  readonly $retryable?: unknown;
}

export function s3ErrorIsPermanent(e: unknown): boolean {
  if (e === null || typeof e !== 'object') return false;
  const err = e as SdkErrorShape;
  const status = err.$metadata?.httpStatusCode;
  if (typeof status !== 'number' || !REQUEST_STATUSES.has(status)) return false;
  if (err.$retryable !== undefined && err.$retryable !== null) return false;
  const code = typeof err.Code === 'string' ? err.Code : typeof err.name === 'string' ? err.name : '';
  return !TRANSIENT_400_CODES.has(code);
}
