import type { IncomingMessage, ServerResponse } from 'node:http';
import { isValidName } from '../../hub/stream-name.ts';
import { MAX_SDP_CHARS } from '../../protocol/sdp/index.ts';
import { readBody } from '../api/request-body.ts';
import type { RtcStreamRequest } from './rtc-admission.ts';
import { RtcProblem } from './rtc-problem.ts';
import type { OpenedSession } from './rtc-session.ts';

/**
 * Largest JSON body: an offer of MAX_SDP_CHARS plus JSON escaping (every
 * CRLF becomes 4 characters; 2 000 lines at most) and the other members.
 */
export const MAX_SRS_RTC_BODY_BYTES = 2 * MAX_SDP_CHARS;

/** `webrtc://host[:port]/app/stream?k=v` -> app, stream and the query as `param` (srs.md 2.7). */
export function parseStreamUrl(streamUrl: string): RtcStreamRequest {
  if (!URL.canParse(streamUrl)) throw new RtcProblem(400, 'rtc_bad_streamurl', 'streamurl is not a URL');
  const u = new URL(streamUrl);
  const parts = u.pathname.split('/').filter((p) => p !== '');
  if (u.protocol !== 'webrtc:' || parts.length !== 2) throw new RtcProblem(400, 'rtc_bad_streamurl', 'streamurl must be webrtc://host/app/stream');
  const [app, stream] = parts.map((p) => {
    try {
      return decodeURIComponent(p);
    } catch {
      return '';
    }
  }) as [string, string];
  if (!isValidName(app) || !isValidName(stream)) throw new RtcProblem(400, 'rtc_bad_stream', 'app or stream name not allowed');
  return { app, stream, param: u.search };
}

/**
 * SRS 4's WebRTC signalling, `POST /rtc/v1/play/` and `POST /rtc/v1/publish/`
 * (srs.md 2.7), for srs.sdk.js and the players built on it: a JSON body
 * `{streamurl, sdp}` and `{code: 0, server, sdp, sessionid}` back. Failures
 * keep SRS's shape, HTTP 200 with a non-zero `code` (the HTTP status we
 * would have used), plus our stable `error` code. `clientip` is not
 * honoured (a peer-supplied address would reach the hooks as the client's).
 * There is no DELETE: the session ends when the peer closes or goes silent.
 */
export async function serveSrsRtcApi(
  req: IncomingMessage,
  res: ServerResponse,
  role: 'publish' | 'play',
  serverId: string,
  open: (req: IncomingMessage, role: 'publish' | 'play', stream: RtcStreamRequest, offer: string) => Promise<OpenedSession>,
): Promise<void> {
  const reply = (body: Record<string, unknown>): void => {
    const text = JSON.stringify({ ...body, server: serverId });
    res.writeHead(200, { 'Content-Type': 'application/json', 'Content-Length': Buffer.byteLength(text), 'Access-Control-Allow-Origin': '*', Connection: 'close' });
    res.end(text);
  };
  try {
    const body = await readBody(req, MAX_SRS_RTC_BODY_BYTES);
    if (body === 'too_large') throw new RtcProblem(413, 'sdp_too_large', `the request is at most ${MAX_SRS_RTC_BODY_BYTES} bytes`);
    let json: unknown;
    try {
      json = JSON.parse(new TextDecoder('utf-8', { fatal: true }).decode(body));
    } catch {
      throw new RtcProblem(400, 'rtc_bad_body', 'the body is not JSON');
    }
    const { streamurl, sdp } = (typeof json === 'object' && json !== null ? json : {}) as { streamurl?: unknown; sdp?: unknown };
    if (typeof streamurl !== 'string' || typeof sdp !== 'string') throw new RtcProblem(400, 'rtc_bad_body', 'streamurl and sdp are required strings');
    const opened = await open(req, role, parseStreamUrl(streamurl), sdp);
    if (res.destroyed) {
      opened.session.end('client_closed');
      return;
    }
    reply({ code: 0, sdp: opened.answer, sessionid: `${opened.session.id}:${opened.clientUfrag}` });
  } catch (error) {
    if (!(error instanceof RtcProblem)) throw error;
    if (!res.headersSent) reply({ code: error.status, error: error.code, detail: error.message });
  }
}
