import { DEFAULT_VHOST } from '../../hub/stream-registry.ts';

/**
 * The JSON bodies of SRS `http_hooks`, field for field (srs.md 3.2; SRS 6
 * `trunk/src/app/srs_app_http_hooks.cpp`, which adds `service_id`, `tcUrl`,
 * `stream_url` and `stream_id` to the 4.0 bodies). Scripts written against
 * SRS read these fields, so names, types and presence follow SRS exactly:
 * `client_id` is a string, `send_bytes`/`recv_bytes` are integers, and
 * `stream_id` is there only when the stream already exists (SRS looks it up
 * in its stats; a first publish has none yet).
 */

/** Events whose answer admits or refuses a client. */
export type AdmissionAction = 'on_connect' | 'on_publish' | 'on_play';
/** Events that only tell (errors are logged, never block). */
export type NotifyAction = 'on_close' | 'on_unpublish' | 'on_stop' | 'on_dvr' | 'on_hls';
export type HookAction = AdmissionAction | NotifyAction;

export const ADMISSION_ACTIONS: readonly AdmissionAction[] = ['on_connect', 'on_publish', 'on_play'];
export const NOTIFY_ACTIONS: readonly NotifyAction[] = ['on_close', 'on_unpublish', 'on_stop', 'on_dvr', 'on_hls'];

/** What the node knows about the client when it calls a hook. */
export interface HookRequest {
  /** The 8-char connection id (the API's client id). */
  readonly clientId: string;
  readonly ip: string;
  readonly vhost: string;
  readonly app: string;
  /** '' for on_connect/on_close. */
  readonly stream: string;
  /** Query as SRS passes it: `?token=abc`, or '' (see `hookParam`). */
  readonly param: string;
  readonly tcUrl: string;
  readonly pageUrl: string;
  /** Stat id of the stream's source when it exists (SRS `stream_id`). */
  readonly streamId?: string;
  /** on_close only. */
  readonly sendBytes?: number;
  readonly recvBytes?: number;
  /** on_unpublish only, a Runnel field (`recv_bytes` in the body, absent unless set): what the publisher sent over the publish. */
  readonly publishedBytes?: number;
  /** on_dvr and on_hls: the node's working directory and the file's path (absolute, or a store key when not local). */
  readonly cwd?: string;
  readonly file?: string;
  /** on_hls only: the segment's duration in seconds, its URL and the playlist's (below the HLS root), its sequence number. */
  readonly duration?: number;
  readonly url?: string;
  readonly m3u8?: string;
  readonly m3u8Url?: string;
  readonly seqNo?: number;
  /** on_dvr only, a Runnel field (`url` in the body, absent unless set): where a recording in a bucket is served (a CDN URL). */
  readonly recordingUrl?: string;
  /** on_dvr only, Runnel fields (`duration` in seconds and `bytes` in the body, absent unless set): the recording's media duration and size. */
  readonly recordingDuration?: number;
  readonly recordingBytes?: number;
}

/** Ids of this node that every body carries (srs.md 2.1). */
export interface HookIds {
  readonly serverId: string;
  readonly serviceId: string;
}

export type HookBody = Readonly<Record<string, string | number>>;

/**
 * SRS `SrsRequest::get_stream_url()`: `/app/stream` for the default vhost,
 * `vhost/app/stream` for any other.
 */
export function streamUrl(vhost: string, app: string, stream: string): string {
  return `${vhost === DEFAULT_VHOST ? '' : vhost}/${app}/${stream}`;
}

/** SRS keeps the `?` in `param` (`?token=abc`); our RTMP session strips it, so put it back. */
export function hookParam(query: string): string {
  if (query === '' || query.startsWith('?')) return query;
  return `?${query}`;
}

/** The body SRS 6 posts for `action`, in SRS's field order. */
export function buildHookBody(action: HookAction, ids: HookIds, r: HookRequest): HookBody {
  const head = { server_id: ids.serverId, service_id: ids.serviceId, action, client_id: r.clientId, ip: r.ip, vhost: r.vhost, app: r.app };
  const stream = (): Record<string, string> => {
    const tail: Record<string, string> = { stream_url: streamUrl(r.vhost, r.app, r.stream) };
    if (r.streamId !== undefined) tail.stream_id = r.streamId;
    return tail;
  };
  switch (action) {
    case 'on_connect':
      return { ...head, stream: r.stream, param: r.param, tcUrl: r.tcUrl, pageUrl: r.pageUrl };
    case 'on_close':
      return { ...head, send_bytes: Math.trunc(r.sendBytes ?? 0), recv_bytes: Math.trunc(r.recvBytes ?? 0) };
    case 'on_publish':
    case 'on_stop':
      return { ...head, tcUrl: r.tcUrl, stream: r.stream, param: r.param, ...stream() };
    case 'on_unpublish':
      // `recv_bytes` (what the publisher sent) is ours: a control plane keeps it on the session
      return { ...head, tcUrl: r.tcUrl, stream: r.stream, param: r.param, ...(r.publishedBytes === undefined ? {} : { recv_bytes: Math.trunc(r.publishedBytes) }), ...stream() };
    case 'on_play':
      return { ...head, stream: r.stream, tcUrl: r.tcUrl, param: r.param, pageUrl: r.pageUrl, ...stream() };
    case 'on_dvr':
      // SRS 6 SrsHttpHooks::on_dvr: cwd and file between param and stream_url; `url` (a recording in a bucket behind a CDN), `duration` and `bytes` are ours
      return {
        ...head, tcUrl: r.tcUrl, stream: r.stream, param: r.param, cwd: r.cwd ?? '', file: r.file ?? '',
        ...(r.recordingUrl === undefined ? {} : { url: r.recordingUrl }),
        // ms resolution like on_hls; a bucket's control plane indexes the file without opening it
        ...(r.recordingDuration === undefined ? {} : { duration: Math.round(r.recordingDuration * 1000) / 1000 }),
        ...(r.recordingBytes === undefined ? {} : { bytes: Math.trunc(r.recordingBytes) }),
        ...stream(),
      };
    case 'on_hls':
      // SRS 6 SrsHttpHooks::on_hls: duration is a number of seconds at ms resolution (srsu2ms(duration) / 1000.0);
      // rounded, not truncated, so 1.001 s (1000.999... ms in binary) stays 1.001
      return {
        ...head, tcUrl: r.tcUrl, stream: r.stream, param: r.param, duration: Math.round((r.duration ?? 0) * 1000) / 1000,
        cwd: r.cwd ?? '', file: r.file ?? '', url: r.url ?? '', m3u8: r.m3u8 ?? '', m3u8_url: r.m3u8Url ?? '',
        seq_no: Math.trunc(r.seqNo ?? 0), ...stream(),
      };
  }
}
