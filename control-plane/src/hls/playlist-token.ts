/**
 * A playlist served for a signed playback id must hand its token on: a
 * player resolves segment URIs next to the playlist URL but does not carry
 * the playlist's query string over (RFC 3986 5.2 drops it), so hls.js and
 * ffplay would fetch segments without a token and be refused. This appends
 * `token=` to every relative URI of the playlist: the URI lines (RFC 8216
 * 4.1) and the `URI="..."` attribute of tags (EXT-X-MAP, EXT-X-KEY,
 * EXT-X-PART, EXT-X-PRELOAD-HINT, EXT-X-MEDIA, ...; RFC 8216 4.2).
 *
 * Absolute URIs (`https://...`, `//host/...`) are left alone: they point at
 * another server, and the token must not leak there.
 */

/** RFC 3986 3.1: a scheme, then `:`; or a network-path reference `//host`. */
const ABSOLUTE = /^(?:[A-Za-z][A-Za-z0-9+.-]*:|\/\/)/;
const URI_ATTRIBUTE = /URI="([^"]*)"/g;

function withParam(uri: string, param: string): string {
  if (uri === '' || ABSOLUTE.test(uri)) return uri;
  const hash = uri.indexOf('#');
  const base = hash < 0 ? uri : uri.slice(0, hash);
  const fragment = hash < 0 ? '' : uri.slice(hash);
  return `${base}${base.includes('?') ? '&' : '?'}${param}${fragment}`;
}

function rewriteLine(line: string, param: string): string {
  // Lines may end in CRLF; keep the CR where it was.
  const cr = line.endsWith('\r') ? '\r' : '';
  const body = cr === '' ? line : line.slice(0, -1);
  const trimmed = body.trim();
  if (trimmed === '') return line;
  if (trimmed.startsWith('#')) {
    if (!trimmed.startsWith('#EXT')) return line;
    return body.replace(URI_ATTRIBUTE, (_m, uri: string) => `URI="${withParam(uri, param)}"`) + cr;
  }
  return withParam(trimmed, param) + cr;
}

/** The playlist with `token=<token>` on every relative URI it names. */
export function addTokenToPlaylist(playlist: string, token: string): string {
  const param = `token=${encodeURIComponent(token)}`;
  return playlist
    .split('\n')
    .map((line) => rewriteLine(line, param))
    .join('\n');
}
