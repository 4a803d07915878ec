import { ProtocolError } from '@runnel/shared';

/**
 * Which segment URIs a playlist may name. A playlist is line-based (RFC 8216
 * 4.1): a CR or LF inside a URI would let a stream name add tags such as
 * `#EXT-X-ENDLIST` or point players elsewhere (bad-inputs row 31). So URIs
 * are allowlisted, never escaped: an optional origin (`http(s)://host[:port]`,
 * the `hls_entry_prefix` of SRS), an optional leading `/`, then a path by the
 * same rule as stream names (hub/stream-name.ts, repeated here because format/
 * sits below hub/): `[0-9A-Za-z_\-./]`, no empty, `.` or `..` segment.
 * Queries, fragments, `%` escapes and userinfo are refused.
 */

/** Longest URI we write: template-built keys stay far below; the cap bounds a playlist line. */
export const MAX_URI_LENGTH = 1024;

const ORIGIN = /^https?:\/\/[0-9A-Za-z.-]{1,253}(?::[0-9]{1,5})?(?=\/)/;
const PATH_CHARS = /^[0-9A-Za-z_\-./]+$/;

/** Why `uri` may not appear in a playlist, or null when it may. */
export function uriProblem(uri: string): string | null {
  if (uri.length === 0) return 'empty URI';
  if (uri.length > MAX_URI_LENGTH) return `URI longer than ${MAX_URI_LENGTH}`;
  const origin = ORIGIN.exec(uri);
  let path = origin ? uri.slice(origin[0].length) : uri;
  if (path.startsWith('/')) path = path.slice(1);
  if (!PATH_CHARS.test(path)) return 'URI has characters outside [0-9A-Za-z_-./] (CR/LF, spaces, %, ?, # ...)';
  for (const seg of path.split('/')) if (seg === '' || seg === '.' || seg === '..') return `URI path segment '${seg}'`;
  return null;
}

/** Throws ProtocolError('m3u8_bad_uri') unless `uri` passes `uriProblem`. */
export function checkUri(uri: string): string {
  const problem = uriProblem(uri);
  if (problem !== null) throw new ProtocolError('m3u8_bad_uri', `${problem}: ${JSON.stringify(uri.slice(0, 80))}`);
  return uri;
}
