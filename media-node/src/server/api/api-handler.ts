import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Logger } from '../log/logger.ts';
import { API_ERRORS, ApiError } from './api-errors.ts';
import type { ApiErrorCode } from './api-errors.ts';
import { effectiveMethod, jsonpCallback, pageOf, paging } from './api-query.ts';
import { sendJson, sendPreflight } from './http-reply.ts';
import type { NodeStats } from './node-stats.ts';
import { readBody } from './request-body.ts';
import type { SystemProbe } from './system-probe.ts';

/**
 * The SRS-compatible HTTP API (`4.0:trunk/src/app/srs_app_http_api.cpp`) as
 * a node:http request listener:
 *
 * | path | methods | answer |
 * |---|---|---|
 * | `/`, `/api/`, `/api/v1/` | GET | navigation (`urls`) |
 * | `/api/v1/versions` | GET | `data: {major, minor, revision, version}` |
 * | `/api/v1/summaries` | GET | `data: {ok, now_ms, self, system}` |
 * | `/api/v1/vhosts[/{id}]` | GET | `vhosts` / `vhost`, unknown id: code 2014 |
 * | `/api/v1/streams[/{id}]` | GET | `streams` / `stream`, unknown id: code 2048 |
 * | `/api/v1/clients[/{id}]` | GET, DELETE (kick, with id) | `clients` / `client`, unknown id: code 2049 |
 * | `/healthz` | GET | `{status: "ok", uptime_ms}` |
 *
 * Every JSON body starts with `code`, `server`, `service`, `pid` (SRS 5).
 * HEAD is GET without a body; OPTIONS is a CORS preflight when CORS is on;
 * lists page with `start`/`count` (at least 10); `callback` makes JSONP and
 * allows `method=DELETE`. Errors follow `API_ERRORS`.
 */
export interface ApiDeps {
  readonly stats: NodeStats;
  readonly probe: SystemProbe;
  /** Runnel's version `x.y.z`, reported by /api/v1/versions. */
  readonly version: string;
  /** Cross-domain headers (config `http_api.cors`). */
  readonly cors: boolean;
  readonly logger: Logger;
  /** Wall clock in ms. */
  readonly now?: () => number;
}

type Handler = (ctx: RequestContext) => Record<string, unknown>;

interface RequestContext {
  readonly query: URLSearchParams;
  /** The `{id}` path segment, decoded. */
  readonly id?: string;
}

/** Methods a path serves (HEAD is implied by GET). */
type Route = Partial<Record<'GET' | 'DELETE', Handler>>;

export function createApiHandler(deps: ApiDeps): (req: IncomingMessage, res: ServerResponse) => void {
  const now = deps.now ?? Date.now;
  const startedMs = now();
  const serverHeader = `Runnel/${deps.version}`;
  const routes = buildRoutes(deps, now, startedMs);
  const common = () => ({ server: deps.stats.serverId, service: deps.stats.serviceId, pid: String(deps.probe.pid) });

  const fail = (res: ServerResponse, code: ApiErrorCode, message: string, callback?: string, headers?: Record<string, string>) => {
    const e = API_ERRORS[code];
    const body = e.status === 200 ? { code: e.code, ...common() } : { code: e.code, ...common(), message };
    sendJson(res, e.status, body, { cors: deps.cors, callback, server: serverHeader, headers });
  };

  const serve = async (req: IncomingMessage, res: ServerResponse): Promise<void> => {
    const body = await readBody(req);
    if (body === 'too_large') {
      fail(res, 'body_too_large', 'request body too large', undefined, { Connection: 'close' });
      return;
    }
    const url = URL.parse(req.url ?? '/', 'http://api.invalid');
    if (url === null) {
      fail(res, 'bad_request', 'malformed request target');
      return;
    }
    let callback: string | undefined;
    try {
      callback = jsonpCallback(url.searchParams);
      const method = effectiveMethod(req.method ?? 'GET', url.searchParams, callback);
      if (method === 'OPTIONS' && deps.cors) {
        sendPreflight(res, serverHeader);
        return;
      }
      const found = resolve(routes, url.pathname);
      if (found === undefined) throw new ApiError('not_found', `no API at ${url.pathname}`);
      const handler = found.route[method === 'HEAD' ? 'GET' : (method as 'GET' | 'DELETE')];
      if (handler === undefined || (method !== 'GET' && method !== 'HEAD' && method !== 'DELETE')) {
        const allow = [...(found.route.GET ? ['GET', 'HEAD'] : []), ...(found.route.DELETE ? ['DELETE'] : []), ...(deps.cors ? ['OPTIONS'] : [])];
        fail(res, 'method_not_allowed', `${method} is not allowed here; use ${allow.join(', ')}`, callback, { Allow: allow.join(', ') });
        return;
      }
      const out = handler({ query: url.searchParams, id: found.id });
      sendJson(res, 200, { code: 0, ...common(), ...out }, { cors: deps.cors, callback, server: serverHeader });
    } catch (e) {
      if (e instanceof ApiError) {
        fail(res, e.code, e.message, callback);
        return;
      }
      throw e;
    }
  };

  return (req, res) => {
    serve(req, res).catch((e: unknown) => {
      deps.logger.error('api_error', { method: req.method, url: req.url?.slice(0, 200), error: e instanceof Error ? e : String(e) });
      if (!res.headersSent) fail(res, 'internal', 'internal error');
      else res.destroy();
    });
  };
}

/** `/api/v1/streams/abc/` -> the streams route with id `abc`; undefined when no route matches. */
function resolve(routes: ReadonlyMap<string, Route>, pathname: string): { route: Route; id?: string } | undefined {
  const path = pathname.length > 1 && pathname.endsWith('/') ? pathname.slice(0, -1) : pathname;
  const exact = routes.get(path);
  if (exact !== undefined) return { route: exact };
  const m = /^(\/api\/v1\/(?:vhosts|streams|clients))\/([^/]+)$/.exec(path);
  if (m === null) return undefined;
  const route = routes.get(`${m[1]}/{id}`);
  if (route === undefined) return undefined;
  let id: string;
  try {
    id = decodeURIComponent(m[2]);
  } catch {
    throw new ApiError('bad_request', 'malformed percent-encoding in the id');
  }
  return { route, id };
}

function buildRoutes(deps: ApiDeps, now: () => number, startedMs: number): ReadonlyMap<string, Route> {
  const { stats } = deps;
  const [major = 0, minor = 0, revision = 0] = deps.version.split(/[.+-]/).map((n) => Number.parseInt(n, 10) || 0);
  const byId = <T extends { id: string }>(items: readonly T[], id: string | undefined, missing: ApiErrorCode, what: string): T => {
    const found = items.find((x) => x.id === id);
    if (found === undefined) throw new ApiError(missing, `no ${what} ${id ?? ''}`);
    return found;
  };
  return new Map<string, Route>([
    ['/', { GET: () => ({ urls: { api: 'the api root' } }) }],
    ['/api', { GET: () => ({ urls: { v1: 'the api version 1.0' } }) }],
    [
      '/api/v1',
      {
        GET: () => ({
          urls: {
            versions: 'the version of the server',
            summaries: 'the summary (pid, argv, cwd, cpu, mem) of the server and the system',
            vhosts: 'all vhosts, or one: /api/v1/vhosts/{id}',
            streams: 'streams (start/count paging, at least 10), or one: /api/v1/streams/{id}',
            clients: 'clients (start/count paging, at least 10), or one: /api/v1/clients/{id}; DELETE one to kick it',
          },
        }),
      },
    ],
    ['/api/v1/versions', { GET: () => ({ data: { major, minor, revision, version: deps.version } }) }],
    ['/api/v1/summaries', { GET: () => summaries(deps, now()) }],
    // SRS pages streams and clients only; vhosts are few.
    ['/api/v1/vhosts', { GET: () => ({ vhosts: stats.vhosts() }) }],
    ['/api/v1/vhosts/{id}', { GET: (c) => ({ vhost: byId(stats.vhosts(), c.id, 'vhost_not_found', 'vhost') }) }],
    ['/api/v1/streams', { GET: (c) => ({ streams: pageOf(stats.streams(), paging(c.query)) }) }],
    ['/api/v1/streams/{id}', { GET: (c) => ({ stream: byId(stats.streams(), c.id, 'stream_not_found', 'stream') }) }],
    ['/api/v1/clients', { GET: (c) => ({ clients: pageOf(stats.clients(), paging(c.query)) }) }],
    [
      '/api/v1/clients/{id}',
      {
        GET: (c) => ({ client: byId(stats.clients(), c.id, 'client_not_found', 'client') }),
        DELETE: (c) => {
          if (c.id === undefined || !stats.kick(c.id)) throw new ApiError('client_not_found', `no client ${c.id ?? ''}`);
          deps.logger.info('api_kick', { client: c.id });
          return {};
        },
      },
    ],
    ['/healthz', { GET: () => ({ status: 'ok', uptime_ms: Math.max(0, now() - startedMs) }) }],
  ]);
}

/** SRS `srs_api_dump_summaries`; network and socket counters Node cannot see are 0. */
function summaries(deps: ApiDeps, nowMs: number): Record<string, unknown> {
  const { self, system } = deps.probe.sample();
  const clients = deps.stats.clients();
  const sum = (f: (c: (typeof clients)[number]) => number) => clients.reduce((n, c) => n + f(c), 0);
  return {
    data: {
      ok: true,
      now_ms: nowMs,
      self,
      system: {
        ...system,
        net_sample_time: nowMs,
        net_recv_bytes: 0,
        net_send_bytes: 0,
        net_recvi_bytes: 0,
        net_sendi_bytes: 0,
        srs_sample_time: nowMs,
        srs_recv_bytes: sum((c) => c.recv_bytes),
        srs_send_bytes: sum((c) => c.send_bytes),
        conn_sys: 0,
        conn_sys_et: 0,
        conn_sys_tw: 0,
        conn_sys_udp: 0,
        conn_srs: clients.length,
      },
    },
  };
}
