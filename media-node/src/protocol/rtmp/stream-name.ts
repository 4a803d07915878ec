/**
 * Stream and app name rules (bad-inputs rows 29-32). Names end up in hub keys,
 * file paths (HLS, DVR), playlists and hook bodies, so we accept a strict
 * allowlist instead of trying to escape: ASCII letters, digits, `_ - . /`, 1-128
 * characters, no `.` or `..` segment, no empty segment, no leading or trailing
 * `/`. That refuses traversal in every encoding (`%2e%2e%2f` has `%`), CR/LF
 * playlist injection, shell metacharacters and NUL.
 */

/** Longest stream or app name: ample for `tenant/stream-key` shapes, short enough for any file system. */
export const MAX_STREAM_NAME_LENGTH = 128;

/** Longest query (`?token=...`): signed tokens (JWT, HMAC) run 100-1000 characters. */
export const MAX_PARAM_LENGTH = 2048;

const NAME_RE = /^[0-9A-Za-z_\-./]{1,128}$/;

/**
 * Characters allowed in a query: URL-unreserved, percent escapes and the
 * delimiters tokens use (`= & + / : , @ %`). No `$ ; \` ( ) | < > ' " #`, spaces
 * or control characters, so a query can never be a shell or playlist payload
 * (row 32), even though hooks only ever pass it as data.
 */
const PARAM_RE = /^[0-9A-Za-z_\-.~%=&+/:,@]*$/;

export function isValidStreamName(name: string): boolean {
  if (!NAME_RE.test(name)) return false;
  for (const seg of name.split('/')) {
    if (seg === '' || seg === '.' || seg === '..') return false;
  }
  return true;
}

export function isValidParam(param: string): boolean {
  return param.length <= MAX_PARAM_LENGTH && PARAM_RE.test(param);
}

export type ParsedStreamName =
  | { readonly ok: true; readonly name: string; readonly param: string }
  | { readonly ok: false; readonly reason: 'not_a_string' | 'bad_name' | 'bad_param' };

/**
 * Splits a publish/play name argument `name?query` and validates both parts.
 * Anything that is not a non-empty string (`false`, `null`, `123`, `''`,
 * bad-inputs row 29) is refused.
 *
 * @example
 * parseStreamName('live_1?token=abc') // { ok: true, name: 'live_1', param: 'token=abc' }
 */
export function parseStreamName(raw: unknown): ParsedStreamName {
  if (typeof raw !== 'string') return { ok: false, reason: 'not_a_string' };
  const q = raw.indexOf('?');
  const name = q < 0 ? raw : raw.slice(0, q);
  const param = q < 0 ? '' : raw.slice(q + 1);
  if (!isValidStreamName(name)) return { ok: false, reason: 'bad_name' };
  if (!isValidParam(param)) return { ok: false, reason: 'bad_param' };
  return { ok: true, name, param };
}
