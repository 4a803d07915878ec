import type { IncomingMessage, ServerResponse } from 'node:http';
import type { WebSocket } from 'ws';
import type { StreamRegistry } from '../../hub/stream-registry.ts';
import type { HookRequest } from '../hooks/hook-body.ts';
import type { HookClient } from '../hooks/hook-client.ts';
import { clientLog } from '../log/client-events.ts';
import type { ClientLog, ClientProto } from '../log/client-events.ts';
import type { Logger } from '../log/logger.ts';
import type { StreamPath } from './stream-path.ts';

/** Where an HTTP player's bytes go: a plain response, or an upgraded WebSocket. */
export type HttpPlayerOut = { kind: 'http'; req: IncomingMessage; res: ServerResponse } | { kind: 'ws'; ws: WebSocket };

/** An admitted player: its client id and log, and the request on_play saw (on_stop sends it again). */
export interface AdmittedPlayer {
  readonly id: string;
  readonly clog: ClientLog;
  readonly request: HookRequest;
}

export interface PlayAdmissionDeps {
  readonly streams: StreamRegistry;
  readonly log: Logger;
  readonly hooks: HookClient;
}

/** A Host header we are willing to echo into a hook's tcUrl (it is peer-supplied). */
const HOST_RE = /^[0-9A-Za-z.\-:[\]]{1,255}$/;

/**
 * SRS on_play for an HTTP player (HTTP-FLV, WS-FLV, HTTP-TS): asks the hook
 * before anything is attached or created, then calls `start`. A refused
 * player gets 403 (HTTP) or a 1008 close (WebSocket, already upgraded). If
 * the player leaves while the hook is pending, the answer is ignored.
 */
export function admitHttpPlayer(
  deps: PlayAdmissionDeps,
  path: StreamPath,
  ip: string,
  out: HttpPlayerOut,
  who: { readonly id: string; readonly proto: ClientProto },
  start: (player: AdmittedPlayer) => void,
): void {
  const clog = clientLog(deps.log, { client: who.id, ip, proto: who.proto });
  const request: HookRequest = {
    clientId: who.id,
    ip,
    vhost: path.vhost,
    app: path.app,
    stream: path.stream,
    // The query as SRS passes it (`?token=...`), so a token in the player URL reaches the hook.
    param: path.param,
    tcUrl: out.kind === 'http' ? httpTcUrl(out.req, path.app) : '',
    pageUrl: out.kind === 'http' ? (out.req.headers.referer ?? '') : '',
    streamId: deps.streams.get({ vhost: path.vhost, app: path.app, stream: path.stream })?.id,
  };
  let gone = false;
  const leave = (): void => {
    gone = true;
  };
  const emitter = out.kind === 'http' ? out.res : out.ws;
  emitter.once('close', leave);
  emitter.on('error', leave);

  deps.hooks
    .admit('on_play', request)
    .then((verdict) => {
      emitter.off('close', leave);
      emitter.off('error', leave);
      if (gone) return;
      if (verdict.ok) return start({ id: who.id, clog, request });
      clog.reject(verdict.reason, { stream: `${path.app}/${path.stream}`, hook: 'on_play', hook_url: verdict.url, detail: verdict.detail });
      refuse(out);
    })
    .catch((error: unknown) => {
      clog.log.error('play_admission_failed', { error: error as Error });
      refuse(out);
    });
}

function refuse(out: HttpPlayerOut): void {
  if (out.kind === 'ws') {
    // RFC 6455 7.4.1: 1008 = policy violation.
    out.ws.close(1008, 'forbidden');
    return;
  }
  if (out.res.headersSent) {
    out.res.destroy();
    return;
  }
  const body = 'forbidden\n';
  out.res.writeHead(403, { 'Content-Type': 'text/plain', 'Content-Length': Buffer.byteLength(body), Connection: 'close' });
  out.res.end(body);
}

/** `http://host/app`, the tcUrl SRS gives an HTTP stream request; empty if the Host header looks wrong. */
function httpTcUrl(req: IncomingMessage, app: string): string {
  const host = req.headers.host ?? '';
  return HOST_RE.test(host) ? `http://${host}/${app}` : '';
}
