import type { ServerResponse } from 'node:http';

/**
 * SRS's cross-domain headers (`SrsHttpCorsMux`, `http_api.crossdomain on`),
 * so a browser console on another origin can call the API.
 */
export const CORS_HEADERS: Readonly<Record<string, string>> = {
  'Access-Control-Allow-Origin': '*',
  'Access-Control-Allow-Methods': 'GET, POST, HEAD, PUT, DELETE, OPTIONS',
  'Access-Control-Allow-Headers': 'origin, range, accept-encoding, referer, cache-control, x-proxy-authorization, x-requested-with, content-type',
  'Access-Control-Expose-Headers': 'Server, range, Content-Length, Content-Range',
};

export interface ReplyOptions {
  readonly cors: boolean;
  /** Wrap the JSON as `callback(json)` (JSONP); already validated as an identifier. */
  readonly callback?: string;
  /** `Server` header value. */
  readonly server: string;
  /** Extra headers (`Allow` on a 405, `Connection: close` after an oversized body). */
  readonly headers?: Readonly<Record<string, string>>;
}

/** Writes a complete JSON (or JSONP) response. */
export function sendJson(res: ServerResponse, status: number, body: unknown, opts: ReplyOptions): void {
  const json = JSON.stringify(body);
  const text = opts.callback === undefined ? json : `${opts.callback}(${json})`;
  const data = Buffer.from(text, 'utf8');
  res.writeHead(status, {
    'Content-Type': opts.callback === undefined ? 'application/json' : 'text/javascript',
    'Content-Length': String(data.length),
    'X-Content-Type-Options': 'nosniff',
    Server: opts.server,
    ...(opts.cors ? CORS_HEADERS : {}),
    ...opts.headers,
  });
  res.end(data);
}

/** A CORS preflight answer: 200, no body. */
export function sendPreflight(res: ServerResponse, server: string): void {
  res.writeHead(200, { 'Content-Length': '0', Server: server, ...CORS_HEADERS });
  res.end();
}
