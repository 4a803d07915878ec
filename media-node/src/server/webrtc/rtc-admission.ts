import type { IncomingMessage } from 'node:http';
import { isValidName } from '../../hub/stream-name.ts';
import { DEFAULT_VHOST } from '../../hub/stream-registry.ts';
import type { StreamKey } from '../../hub/stream-registry.ts';
import { newClientId } from '../clients.ts';
import type { HookRequest } from '../hooks/hook-body.ts';
import { clientLog } from '../log/client-events.ts';
import type { ClientLog } from '../log/client-events.ts';
import type { RtcDeps } from './rtc-deps.ts';
import { RtcProblem } from './rtc-problem.ts';

/** A WHIP publisher or WHEP player that on_publish / on_play admitted. */
export interface RtcAdmitted {
  readonly id: string;
  readonly ip: string;
  readonly clog: ClientLog;
  /** The stream as the hub names it (a control plane may rename a publish). */
  readonly key: StreamKey;
  /** What on_publish / on_play saw; on_unpublish / on_stop send it again. */
  readonly hook: HookRequest;
  /** Publish: record it or not (a control plane's per-stream recording mode); absent: the node's `dvr` config decides. */
  readonly record?: boolean;
}

/** The stream a signalling request names, and the query the hooks get as `param`. */
export interface RtcStreamRequest {
  readonly app: string;
  readonly stream: string;
  readonly param: string;
}

/** A Host header we are willing to echo into a hook's tcUrl (it is peer-supplied). */
const HOST_RE = /^[0-9A-Za-z.\-:[\]]{1,255}$/;
/** RFC 6750 2.1 b64token. */
const BEARER_RE = /^Bearer ([A-Za-z0-9\-._~+/]+=*)$/;

/**
 * SRS's WHIP/WHEP query (`?app=live&stream=livestream&token=...`, srs.md
 * 2.8): app and stream (SRS defaults `live`/`livestream`), and the whole
 * query as the hooks' `param`. A WHIP `Authorization: Bearer <t>` (RFC 9725
 * 4.5) becomes `token=<t>` in `param` when the query has no token, so the
 * same hook checks both; without `stream` in the query it also names the
 * stream (the control plane's WHIP URL carries the stream key that way).
 */
export function rtcStreamRequest(req: IncomingMessage, url: URL): RtcStreamRequest {
  const app = url.searchParams.get('app') ?? 'live';
  const bearer = BEARER_RE.exec(req.headers.authorization ?? '');
  // A WHIP URL without a stream (a control plane's `/rtc/v1/whip/?app=live` with the stream key as Bearer
  // token, shared/src/hook-api.ts) names the stream by its token, as RTMP names it by its key.
  const stream = url.searchParams.get('stream') ?? bearer?.[1] ?? 'livestream';
  if (!isValidName(app) || !isValidName(stream)) throw new RtcProblem(400, 'rtc_bad_stream', 'app or stream name not allowed');
  const query = new URLSearchParams(url.search);
  if (bearer !== null && !query.has('token')) query.set('token', bearer[1]);
  const q = query.toString();
  return { app, stream, param: q === '' ? '' : `?${q}` };
}

/** on_publish / on_play before any peer connection; a refusal is 403 (the hook said no) or 503 (no answer). */
export async function admitRtcClient(
  deps: RtcDeps,
  req: IncomingMessage,
  role: 'publish' | 'play',
  s: RtcStreamRequest,
  ip: string,
): Promise<RtcAdmitted> {
  const id = newClientId();
  const clog = clientLog(deps.log, { client: id, ip, proto: 'rtc' });
  const host = req.headers.host ?? '';
  const hook: HookRequest = {
    clientId: id,
    ip,
    vhost: DEFAULT_VHOST,
    app: s.app,
    stream: s.stream,
    param: s.param,
    tcUrl: HOST_RE.test(host) ? `webrtc://${host}/${s.app}` : '',
    pageUrl: req.headers.referer ?? '',
    streamId: deps.streams.get({ vhost: DEFAULT_VHOST, app: s.app, stream: s.stream })?.id,
  };
  const action = role === 'publish' ? 'on_publish' : 'on_play';
  const verdict = await deps.hooks.admit(action, hook);
  if (!verdict.ok) {
    clog.reject(verdict.reason, { stream: `${s.app}/${s.stream}`, hook: action, hook_url: verdict.url, detail: verdict.detail });
    throw verdict.reason === 'hook_rejected' ? new RtcProblem(403, 'rtc_forbidden', `${action} refused`) : new RtcProblem(503, 'rtc_auth_unavailable', `${action} gave no answer`);
  }
  const stream = role === 'publish' ? (verdict.streamName ?? s.stream) : s.stream;
  const record = role === 'publish' && verdict.record !== undefined ? { record: verdict.record } : {};
  return { id, ip, clog, key: { vhost: DEFAULT_VHOST, app: s.app, stream }, hook: { ...hook, stream }, ...record };
}
