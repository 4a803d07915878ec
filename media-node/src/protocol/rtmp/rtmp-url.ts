/**
 * RTMP URLs with SRS semantics (SRS `srs_parse_rtmp_url`, `srs_discovery_tc_url`):
 *
 *   rtmp://host[:port]/app[/more/app]/stream[?vhost=v&k=v]
 *   rtmp://host[:port]/app?vhost=v/stream          (ffmpeg-style vhost in the app)
 *
 * The stream is the last path segment, the app everything before it; the query
 * is kept raw as `param` (hooks get it, tokens live in it). The vhost is the
 * `vhost` (or `domain`) query value, else the host name, else — when the host
 * is an IP address — `__defaultVhost__`. A server with no vhost of that name
 * configured falls back to `__defaultVhost__`, as SRS does.
 */

export const DEFAULT_VHOST = '__defaultVhost__';
export const DEFAULT_RTMP_PORT = 1935;
const DEFAULT_RTMPS_PORT = 443;

/** A tcUrl (`connect` command): no stream part. */
export interface RtmpTcUrl {
  readonly schema: string;
  readonly host: string;
  readonly port: number;
  readonly app: string;
  /** Query after the app, without `?` ('' if none). */
  readonly param: string;
  readonly vhost: string;
}

/** A full publish/play URL. */
export interface RtmpUrl extends RtmpTcUrl {
  readonly stream: string;
  /** `schema://host[:port]/app`, what a client sends as tcUrl. */
  readonly tcUrl: string;
}

const SCHEMA_RE = /^([a-z][a-z0-9+.-]*):\/\//i;

interface Parts {
  schema: string;
  host: string;
  port: number;
  path: string;
  query: string;
}

function splitUrl(url: string): Parts | null {
  const m = SCHEMA_RE.exec(url);
  if (!m) return null;
  const schema = m[1]!.toLowerCase();
  let rest = url.slice(m[0].length);
  const hash = rest.indexOf('#');
  if (hash >= 0) rest = rest.slice(0, hash);
  const authEnd = rest.search(/[/?]/);
  const authority = authEnd < 0 ? rest : rest.slice(0, authEnd);
  rest = authEnd < 0 ? '' : rest.slice(authEnd);
  const hostPort = parseAuthority(authority, schema === 'rtmps' ? DEFAULT_RTMPS_PORT : DEFAULT_RTMP_PORT);
  if (!hostPort) return null;
  const q = rest.indexOf('?');
  const path = (q < 0 ? rest : rest.slice(0, q)).replace(/^\/+/, '');
  const query = q < 0 ? '' : rest.slice(q + 1);
  return { schema, ...hostPort, path, query };
}

function parseAuthority(authority: string, defaultPort: number): { host: string; port: number } | null {
  const at = authority.lastIndexOf('@'); // rtmp://user:pass@host: credentials are not ours to keep
  const hp = at >= 0 ? authority.slice(at + 1) : authority;
  let host: string;
  let portText: string;
  if (hp.startsWith('[')) {
    const end = hp.indexOf(']');
    if (end < 0) return null;
    host = hp.slice(1, end);
    const after = hp.slice(end + 1);
    if (after !== '' && !after.startsWith(':')) return null;
    portText = after.slice(1);
  } else {
    const colon = hp.lastIndexOf(':');
    host = colon < 0 ? hp : hp.slice(0, colon);
    portText = colon < 0 ? '' : hp.slice(colon + 1);
  }
  if (host === '') return null;
  let port = defaultPort;
  if (portText !== '') {
    if (!/^\d{1,5}$/.test(portText)) return null;
    port = Number(portText);
    if (port < 1 || port > 65535) return null;
  }
  return { host: host.toLowerCase(), port };
}

/** The value of `key` in a raw query string (first match, URI-decoded when valid). */
export function queryValue(param: string, key: string): string | undefined {
  for (const pair of param.split('&')) {
    const eq = pair.indexOf('=');
    const k = eq < 0 ? pair : pair.slice(0, eq);
    if (k !== key) continue;
    const v = eq < 0 ? '' : pair.slice(eq + 1);
    try {
      return decodeURIComponent(v);
    } catch {
      return v;
    }
  }
  return undefined;
}

export function isIpAddress(host: string): boolean {
  return /^\d{1,3}(\.\d{1,3}){3}$/.test(host) || host.includes(':');
}

/** SRS vhost resolution: `?vhost=` / `?domain=` in any of `params` (first wins), else the host name unless it is an IP. */
export function resolveVhost(host: string, ...params: string[]): string {
  for (const p of params) {
    const v = queryValue(p, 'vhost') ?? queryValue(p, 'domain');
    if (v) return v.toLowerCase();
  }
  return host === '' || isIpAddress(host) ? DEFAULT_VHOST : host;
}

/** Parses a tcUrl; the whole path is the app. Null if it is not a URL. */
export function parseTcUrl(tcUrl: string): RtmpTcUrl | null {
  const p = splitUrl(tcUrl.trim());
  if (!p) return null;
  const app = p.path.replace(/\/+$/, '');
  return { schema: p.schema, host: p.host, port: p.port, app, param: p.query, vhost: resolveVhost(p.host, p.query) };
}

/** Parses a full RTMP URL into tcUrl, app, stream and param. Null if it is not a URL or has no app. */
export function parseRtmpUrl(url: string): RtmpUrl | null {
  const p = splitUrl(url.trim());
  if (!p) return null;
  let path = p.path;
  let query = p.query;
  // rtmp://host/app?vhost=v/stream: the stream follows the last '/' of the query
  const slash = query.lastIndexOf('/');
  if (path.indexOf('/') < 0 && slash >= 0) {
    path = `${path}/${query.slice(slash + 1)}`;
    query = query.slice(0, slash);
    const q2 = path.indexOf('?');
    if (q2 >= 0) {
      query = query ? `${query}&${path.slice(q2 + 1)}` : path.slice(q2 + 1);
      path = path.slice(0, q2);
    }
  }
  path = path.replace(/\/+$/, '');
  const cut = path.lastIndexOf('/');
  const app = cut < 0 ? path : path.slice(0, cut);
  const stream = cut < 0 ? '' : path.slice(cut + 1);
  if (app === '') return null;
  const port = p.port === (p.schema === 'rtmps' ? DEFAULT_RTMPS_PORT : DEFAULT_RTMP_PORT) ? '' : `:${p.port}`;
  const host = p.host.includes(':') ? `[${p.host}]` : p.host;
  return {
    schema: p.schema,
    host: p.host,
    port: p.port,
    app,
    stream,
    param: query,
    vhost: resolveVhost(p.host, query),
    tcUrl: `${p.schema}://${host}${port}/${app}`,
  };
}
