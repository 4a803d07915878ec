import { SRT_REJ, SRT_REJX } from '../../protocol/srt/index.ts';

/** What a caller can know about a refusal: libsrt's name for the code, and what to do about it. */
export interface RejectReason {
  readonly code: number;
  /** libsrt's constant: `SRT_REJ_BADSECRET` (srt.h), `SRT_REJX_CONFLICT` (access_control.h), or `SRT_REJ_<n>` / `SRT_REJX_<n>` / `app_<n>` when unnamed. */
  readonly name: string;
  /** One sentence: what the listener said, and what to change. */
  readonly hint: string;
  /** True when trying again unchanged cannot help (wrong secret, bad stream id...): the client stops instead of retrying. */
  readonly permanent: boolean;
}

type Entry = readonly [name: string, permanent: boolean, hint: string];

/** Names as in libsrt 1.5 srt.h (SRT_REJ_*) and access_control.h (SRT_REJX_*). */
const REASONS: ReadonlyMap<number, Entry> = new Map<number, Entry>([
  [SRT_REJ.unknown, ['SRT_REJ_UNKNOWN', false, 'the listener gave no reason']],
  [SRT_REJ.system, ['SRT_REJ_SYSTEM', false, 'the listener hit a system error; try again later']],
  [SRT_REJ.peer, ['SRT_REJ_PEER', false, 'the listener refused without saying why']],
  [SRT_REJ.resource, ['SRT_REJ_RESOURCE', false, 'the listener is out of resources; try again later']],
  [SRT_REJ.rogue, ['SRT_REJ_ROGUE', true, 'the listener found our handshake malformed or unsupported; check the stream id and options']],
  [SRT_REJ.backlog, ['SRT_REJ_BACKLOG', false, "the listener's accept backlog is full; try again later"]],
  [SRT_REJ.ipe, ['SRT_REJ_IPE', false, 'internal program error in the listener']],
  [SRT_REJ.close, ['SRT_REJ_CLOSE', false, 'the listener socket is closing']],
  [SRT_REJ.version, ['SRT_REJ_VERSION', true, 'the listener wants a newer SRT version than ours (1.5)']],
  [SRT_REJ.rdvCookie, ['SRT_REJ_RDVCOOKIE', false, 'rendezvous cookie collision']],
  [SRT_REJ.badSecret, ['SRT_REJ_BADSECRET', true, 'wrong passphrase: use the passphrase the listener is configured with']],
  [SRT_REJ.unsecure, ['SRT_REJ_UNSECURE', true, 'encryption mismatch: the listener needs a passphrase and we gave none, or the reverse']],
  [SRT_REJ.messageApi, ['SRT_REJ_MESSAGEAPI', true, 'the listener is in file mode (stream API); this client speaks live mode']],
  [SRT_REJ.congestion, ['SRT_REJ_CONGESTION', true, "the listener's congestion control is not live (transtype=file?)"]],
  [SRT_REJ.filter, ['SRT_REJ_FILTER', true, 'the listener wants a packet filter (FEC) this client does not support']],
  [SRT_REJ.group, ['SRT_REJ_GROUP', true, 'the listener wants socket groups (bonding) this client does not support']],
  [SRT_REJ.timeout, ['SRT_REJ_TIMEOUT', false, 'the listener timed out the handshake']],
  [SRT_REJX.fallback, ['SRT_REJX_FALLBACK', false, 'the listener refused (access control, no detail)']],
  [SRT_REJX.keyNotSupported, ['SRT_REJX_KEY_NOTSUP', true, 'a stream id key is not supported by the listener; check the stream id']],
  [SRT_REJX.hostNotFound, ['SRT_REJX_HOSTNOTFOUND', true, 'the vhost (h=) in the stream id is unknown to the listener']],
  [SRT_REJX.badRequest, ['SRT_REJX_BAD_REQUEST', true, 'the stream id is malformed: use #!::r=app/stream,m=publish|request']],
  [SRT_REJX.unauthorized, ['SRT_REJX_UNAUTHORIZED', true, 'authentication failed: check the token in the stream id']],
  [SRT_REJX.overload, ['SRT_REJX_OVERLOAD', false, 'the listener is overloaded; try again later or elsewhere']],
  [SRT_REJX.forbidden, ['SRT_REJX_FORBIDDEN', true, 'access denied (a hook or policy said no): check the stream name and credentials']],
  [SRT_REJX.notFound, ['SRT_REJX_NOTFOUND', false, 'no such stream (not published yet?)']],
  [SRT_REJX.badMode, ['SRT_REJX_BAD_MODE', true, 'the stream id asks for a mode the listener does not serve: m=publish or m=request']],
  [SRT_REJX.unacceptable, ['SRT_REJX_UNACCEPTABLE', true, 'the listener cannot serve this request as asked']],
  [SRT_REJX.conflict, ['SRT_REJX_CONFLICT', false, 'the stream is already being published: stop the other publisher or use another name']],
  [SRT_REJX.notSupportedMedia, ['SRT_REJX_NOTSUP_MEDIA', true, 'the listener does not accept this media type']],
  [SRT_REJX.locked, ['SRT_REJX_LOCKED', false, 'the resource is locked; try again later']],
  [SRT_REJX.internalError, ['SRT_REJX_ISE', false, 'internal server error on the listener']],
  [SRT_REJX.unimplemented, ['SRT_REJX_UNIMPLEMENTED', true, 'the listener does not implement this request']],
  [SRT_REJX.gateway, ['SRT_REJX_GW', false, "the listener's upstream failed"]],
  [SRT_REJX.down, ['SRT_REJX_DOWN', false, 'the listener is down or could not ask its hooks; try again later']],
  [SRT_REJX.version, ['SRT_REJX_VERSION', true, 'the listener does not support this version of the request']],
  [SRT_REJX.noRoom, ['SRT_REJX_NOROOM', false, 'the listener has no room for this stream']],
]);

/** libsrt's name for a reject code and what to do about it; codes without a name are described by their range. */
export function rejectReason(code: number): RejectReason {
  const e = REASONS.get(code);
  if (e) return { code, name: e[0], permanent: e[1], hint: e[2] };
  // srt.h: below SRT_REJC_PREDEFINED (1000) libsrt's own, to SRT_REJC_USERDEFINED (2000) access control, above the application's.
  if (code < 1000) return { code, name: `SRT_REJ_${code}`, permanent: false, hint: 'a libsrt reason this client does not know' };
  if (code < 2000) return { code, name: `SRT_REJX_${code}`, permanent: false, hint: `an access-control refusal (HTTP status ${code - 1000})` };
  return { code, name: `app_${code}`, permanent: false, hint: 'an application-defined refusal: see the listener\'s documentation or logs' };
}
