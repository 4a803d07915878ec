import { isValidName } from '../../hub/stream-name.ts';
import { DEFAULT_VHOST } from '../../hub/stream-registry.ts';
import type { StreamKey } from '../../hub/stream-registry.ts';
import { SRT_REJX, type SrtConnectRequest } from '../../protocol/srt/index.ts';
import { newClientId } from '../clients.ts';
import type { HookRequest } from '../hooks/hook-body.ts';
import { clientLog, type ClientLog } from '../log/client-events.ts';
import type { SrtDeps } from './srt-deps.ts';

/** A caller on_publish / on_play admitted: who it is and what it may do. */
export interface SrtAdmitted {
  readonly id: string;
  readonly clog: ClientLog;
  /** The stream as the hub names it (a control plane may rename a publish to its playback name). */
  readonly key: StreamKey;
  /** The request on_publish / on_play saw; on_unpublish / on_stop send it again. */
  readonly hook: HookRequest;
  /** The passphrase the hooks require of this caller (a control plane's per-stream one), if any. */
  readonly passphrase?: string;
  /** Record this publish or not (the hooks' per-stream recording mode); absent: the node's `dvr` config decides. */
  readonly record?: boolean;
}

export type SrtVerdict = { readonly ok: true; readonly admitted: SrtAdmitted } | { readonly ok: false; readonly code: number };

/**
 * SRS http_hooks for an SRT caller, before it is accepted: on_publish for
 * `m=publish`, on_play for `m=request`, with the stream id's other keys as
 * `param` (`?token=...`, so token auth works as for RTMP) and
 * `srt://host:port/app` as tcUrl. A refusal becomes the SRT reject code the
 * caller sees (libsrt prints it): 1403 forbidden for a hook's no, 1503 (down)
 * when the hook cannot be asked, 1400 for a name the hub refuses.
 */
export async function admitSrtCaller(deps: SrtDeps, request: SrtConnectRequest, local: { readonly host: string; readonly port: number }): Promise<SrtVerdict> {
  const id = newClientId();
  const clog = clientLog(deps.log, { client: id, ip: request.peer.address, proto: 'srt' });
  const vhost = request.vhost ?? DEFAULT_VHOST;
  const name = `${request.app}/${request.stream}`;
  if (!isValidName(request.app) || !isValidName(request.stream) || !isValidName(vhost)) {
    clog.reject('protocol_error', { stream: name, why: 'stream name not allowed' });
    return { ok: false, code: SRT_REJX.badRequest };
  }
  const hook: HookRequest = {
    clientId: id,
    ip: request.peer.address,
    vhost,
    app: request.app,
    stream: request.stream,
    param: request.param === '' ? '' : `?${request.param}`,
    tcUrl: `srt://${local.host.includes(':') ? `[${local.host}]` : local.host}:${local.port}/${request.app}`,
    pageUrl: '',
    streamId: deps.streams.get({ vhost, app: request.app, stream: request.stream })?.id,
  };
  const action = request.mode === 'publish' ? 'on_publish' : 'on_play';
  const verdict = await deps.hooks.admit(action, hook);
  if (!verdict.ok) {
    clog.reject(verdict.reason, { stream: name, hook: action, hook_url: verdict.url, detail: verdict.detail });
    return { ok: false, code: verdict.reason === 'hook_rejected' ? SRT_REJX.forbidden : SRT_REJX.down };
  }
  const stream = verdict.streamName ?? request.stream;
  const admitted: SrtAdmitted = { id, clog, key: { vhost, app: request.app, stream }, hook: { ...hook, stream } };
  return {
    ok: true,
    admitted: {
      ...admitted,
      ...(verdict.srtPassphrase === undefined ? {} : { passphrase: verdict.srtPassphrase }),
      ...(verdict.record === undefined ? {} : { record: verdict.record }),
    },
  };
}
