import { createServer } from 'node:http';
import type { IncomingMessage, Server, ServerResponse } from 'node:http';
import type { Duplex } from 'node:stream';
import { WebSocketServer } from 'ws';
import type { HttpPlayDeps } from './http-play-deps.ts';
import { playFlv } from './flv-player.ts';
import { serveHlsFile } from './hls-files.ts';
import { hlsBundle, mpegtsBundle, playerPageHtml } from './player-page.ts';
import { parseStreamPath } from './stream-path.ts';
import { playTs } from './ts-player.ts';

/**
 * The node's HTTP server (default port 8080): HTTP-FLV and WebSocket-FLV at
 * `/app/stream.flv`, HTTP-TS at `/app/stream.ts`, HLS at `/app/stream.m3u8`
 * (from the local HLS directory), the player page at `/players/` with its
 * scripts (`/players/mpegts.js`, `/players/hls.js`), CORS for browser
 * players, WHIP/WHEP at `/rtc/v1/whip/` and `/rtc/v1/whep/` (server/webrtc). Every other path is a 404; nothing here serves files from a
 * peer-supplied path.
 */

/** Largest WebSocket message a WS-FLV player may send us (players send nothing we use). */
const MAX_WS_PAYLOAD_BYTES = 4096;
/** Request headers beyond this are refused (Node's default is 16 KiB; players need far less). */
const MAX_HEADER_BYTES = 8192;

export interface NodeHttpDeps extends HttpPlayDeps {
  /** The local HLS directory served at `/app/stream.m3u8` (null: HLS off or not stored locally). */
  readonly hlsRoot: string | null;
  /** WHIP/WHEP signalling at `/rtc/v1/...` (server/webrtc); absent when rtc is off. */
  readonly rtc?: { handle(req: IncomingMessage, res: ServerResponse): boolean };
}

export function createNodeHttpServer(deps: NodeHttpDeps): Server {
  const wss = new WebSocketServer({ noServer: true, maxPayload: MAX_WS_PAYLOAD_BYTES, perMessageDeflate: false });
  const server = createServer({ maxHeaderSize: MAX_HEADER_BYTES, requestTimeout: 10_000 }, (req, res) => {
    try {
      route(deps, req, res);
    } catch (error) {
      deps.log.error('http_error', { error: error as Error, url: req.url });
      if (!res.headersSent) send(res, 500, 'text/plain', 'internal error\n');
      else res.destroy();
    }
  });
  server.on('upgrade', (req: IncomingMessage, socket: Duplex, head: Buffer) => {
    const path = parseStreamPath(req.url ?? '/', ['flv']);
    if (path === null) {
      socket.end('HTTP/1.1 404 Not Found\r\nConnection: close\r\n\r\n');
      return;
    }
    wss.handleUpgrade(req, socket, head, (ws) => {
      playFlv(deps, path, peerIp(req), { kind: 'ws', ws });
    });
  });
  server.on('clientError', (_err, socket) => {
    if (socket.writable) socket.end('HTTP/1.1 400 Bad Request\r\nConnection: close\r\n\r\n');
    else socket.destroy();
  });
  return server;
}

function route(deps: NodeHttpDeps, req: IncomingMessage, res: ServerResponse): void {
  res.setHeader('Access-Control-Allow-Origin', '*');
  res.setHeader('Access-Control-Allow-Headers', '*');
  res.setHeader('Access-Control-Allow-Methods', 'GET, HEAD, OPTIONS');
  const url = req.url ?? '/';
  if (deps.rtc?.handle(req, res) === true) return;
  if (req.method === 'OPTIONS') {
    res.writeHead(204).end();
    return;
  }
  if (req.method !== 'GET' && req.method !== 'HEAD') {
    send(res, 405, 'text/plain', 'method not allowed\n');
    return;
  }
  const pathname = url.split('?', 1)[0];
  if (pathname === '/players' || pathname === '/players/' || pathname === '/players/index.html') {
    send(res, 200, 'text/html; charset=utf-8', playerPageHtml());
    return;
  }
  if (pathname === '/players/mpegts.js') {
    send(res, 200, 'text/javascript; charset=utf-8', mpegtsBundle(), 'public, max-age=3600');
    return;
  }
  if (pathname === '/players/hls.js') {
    send(res, 200, 'text/javascript; charset=utf-8', hlsBundle(), 'public, max-age=3600');
    return;
  }
  if (pathname === '/healthz') {
    send(res, 200, 'application/json', '{"status":"ok"}\n');
    return;
  }
  if (deps.hlsRoot !== null && (pathname.endsWith('.m3u8') || pathname.endsWith('.ts'))) {
    // An HLS file if there is one; `/app/stream.ts` with no such file is HTTP-TS live.
    serveHlsFile(deps.hlsRoot, pathname, res, req.method === 'HEAD').then(
      (served) => served || live(deps, req, res, url),
      (error: unknown) => {
        deps.log.error('http_error', { error: error as Error, url });
        if (!res.headersSent) send(res, 500, 'text/plain', 'internal error\n');
      },
    );
    return;
  }
  live(deps, req, res, url);
}

/** HTTP-FLV / WS-FLV / HTTP-TS live players, or 404. */
function live(deps: NodeHttpDeps, req: IncomingMessage, res: ServerResponse, url: string): void {
  const path = parseStreamPath(url, ['flv', 'ts']);
  if (path !== null && req.method === 'GET') {
    if (path.ext === 'ts') playTs(deps, path, peerIp(req), req, res);
    else playFlv(deps, path, peerIp(req), { kind: 'http', req, res });
    return;
  }
  send(res, 404, 'text/plain', 'not found\n');
}

function send(res: ServerResponse, status: number, type: string, body: string | Buffer, cache = 'no-cache'): void {
  res.writeHead(status, { 'Content-Type': type, 'Content-Length': Buffer.byteLength(body), 'Cache-Control': cache });
  res.end(body);
}

function peerIp(req: IncomingMessage): string {
  const a = req.socket.remoteAddress ?? '';
  return a.startsWith('::ffff:') ? a.slice(7) : a;
}
