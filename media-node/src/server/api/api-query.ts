import { ApiError } from './api-errors.ts';

/** Longest JSONP callback name we wrap a response in; generated names (jQuery's) are ~40 chars. */
export const MAX_CALLBACK_LENGTH = 128;

/** An ASCII JavaScript identifier: only such a name can be put in front of `(json)` without becoming script injection. */
const IDENTIFIER = /^[A-Za-z_$][A-Za-z0-9_$]*$/;

/**
 * `?callback=NAME` (SRS JSONP, `docs4:http-api.md` "Crossdomain"): the name,
 * or undefined when absent. Anything but an identifier is a 400, never echoed.
 */
export function jsonpCallback(query: URLSearchParams): string | undefined {
  const cb = query.get('callback');
  if (cb === null || cb === '') return undefined;
  if (cb.length > MAX_CALLBACK_LENGTH || !IDENTIFIER.test(cb)) {
    throw new ApiError('bad_request', 'callback must be a JavaScript identifier (letters, digits, _ and $)');
  }
  return cb;
}

/**
 * The method a request means: JSONP can only GET, so SRS lets it say
 * `&method=DELETE`; the override counts only together with a callback.
 */
export function effectiveMethod(httpMethod: string, query: URLSearchParams, callback: string | undefined): string {
  const override = query.get('method');
  if (callback === undefined || override === null || override === '') return httpMethod;
  const m = override.toUpperCase();
  if (!/^[A-Z]{1,16}$/.test(m)) throw new ApiError('bad_request', 'method must be an HTTP method name, e.g. DELETE');
  return m;
}

/** Lists return at least this many items per page: SRS `count = srs_max(10, atoi(count))`. */
export const MIN_PAGE_COUNT = 10;

export interface Page {
  readonly start: number;
  readonly count: number;
}

/**
 * `?start=N&count=N` with SRS's rule that a page holds at least 10 items
 * (so no `count` means 10). Unlike SRS's `atoi`, a value that is not a
 * whole number is a 400 rather than a silent 0.
 */
export function paging(query: URLSearchParams): Page {
  const start = wholeNumber(query, 'start');
  const count = wholeNumber(query, 'count');
  return { start, count: Math.max(MIN_PAGE_COUNT, count) };
}

function wholeNumber(query: URLSearchParams, name: string): number {
  const v = query.get(name);
  if (v === null || v === '') return 0;
  if (!/^[0-9]{1,15}$/.test(v)) throw new ApiError('bad_request', `${name} must be a whole number, got ${JSON.stringify(v.slice(0, 40))}`);
  return Number(v);
}

export function pageOf<T>(items: readonly T[], page: Page): readonly T[] {
  return items.slice(page.start, page.start + page.count);
}
