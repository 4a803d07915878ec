import { SRT_REJX } from './reject.ts';

/**
 * SRS's reading of the SRT stream id (SRS `srs_srt_streamid_info`, docs
 * "SRT URL"), on top of libsrt's access-control syntax `#!::key=value,...`:
 *
 *   #!::r=live/livestream,m=publish                 publish live/livestream
 *   #!::h=example.com,r=live/cam,m=request,token=t  play, vhost example.com, param token=t
 *   #!::h=live/livestream?secret=x,m=publish        old style: h carries the path, `?` starts keys
 *   #!::h=example.com/live/cam,m=publish            old style with the vhost in front
 *   live/livestream                                 no prefix: the path, mode request (play)
 *   livestream                                      no prefix, no `/`: defaultApp/livestream
 *   (empty)                                         SRS 5.0.76+: #!::r=live/livestream,m=publish
 *
 * `m` is `publish` or `request`, case-insensitive; anything else is refused
 * (SRT_REJX_BAD_MODE), as SRS refuses it. Every other key is passed on in
 * `param` (`k=v&k2=v2`, in the order given) so token auth works through the
 * hooks. App and stream names follow the one naming rule of the node
 * (hub/stream-name.ts: an allowlist, bad-inputs rows 30-32), checked here as
 * well because this module may not import the hub.
 */

export type SrtMode = 'publish' | 'request';

export type StreamIdResult =
  | {
      readonly ok: true;
      /** The `h` key, or null when absent (the server picks its default vhost). */
      readonly vhost: string | null;
      readonly app: string;
      readonly stream: string;
      readonly mode: SrtMode;
      /** Other keys as a query string, `''` when none. */
      readonly param: string;
    }
  | { readonly ok: false; readonly code: number; readonly reason: string };

export interface StreamIdOptions {
  /** App used when the path has no `/` (SRS `default_app`, "live"). */
  readonly defaultApp?: string;
}

/** The access-control prefix (libsrt docs/features/access-control.md). */
export const STREAM_ID_PREFIX = '#!::';

/** Same rule as hub/stream-name.ts (MAX_NAME_LENGTH 128, allowlist, no empty/./.. segment). */
const MAX_NAME_LENGTH = 128;
const NAME_RE = /^[0-9A-Za-z_\-./]+$/;
/** Host names: letters, digits, `-`, `.`, `_`; DNS allows 253 characters. */
const VHOST_RE = /^[0-9A-Za-z_\-.]{1,253}$/;
/** Keys and values as tokens write them; the same character set RTMP queries are held to. */
const KEY_RE = /^[0-9A-Za-z_\-.~]{1,64}$/;
const VALUE_RE = /^[0-9A-Za-z_\-.~%+/:@=]*$/;

function validName(name: string): boolean {
  if (name.length === 0 || name.length > MAX_NAME_LENGTH || !NAME_RE.test(name)) return false;
  if (name.startsWith('/') || name.endsWith('/')) return false;
  return name.split('/').every((s) => s !== '' && s !== '.' && s !== '..');
}

const fail = (code: number, reason: string): StreamIdResult => ({ ok: false, code, reason });

function split(path: string, vhost: string | null, mode: SrtMode, params: string[], defaultApp: string): StreamIdResult {
  let stream = path;
  const q = path.indexOf('?');
  if (q >= 0) {
    stream = path.slice(0, q);
    for (const kv of path.slice(q + 1).split('&')) if (kv) params.push(kv);
  }
  const slash = stream.indexOf('/');
  const app = slash >= 0 ? stream.slice(0, slash) : defaultApp;
  const name = slash >= 0 ? stream.slice(slash + 1) : stream;
  if (!validName(app)) return fail(SRT_REJX.badRequest, 'stream_id_bad_app');
  if (!validName(name)) return fail(SRT_REJX.badRequest, 'stream_id_bad_stream');
  if (vhost !== null && !VHOST_RE.test(vhost)) return fail(SRT_REJX.badRequest, 'stream_id_bad_vhost');
  for (const kv of params) {
    const eq = kv.indexOf('=');
    if (eq <= 0 || !KEY_RE.test(kv.slice(0, eq)) || !VALUE_RE.test(kv.slice(eq + 1))) return fail(SRT_REJX.badRequest, 'stream_id_bad_param');
  }
  return { ok: true, vhost, app, stream: name, mode, param: params.join('&') };
}

export function parseStreamId(streamId: string, opts: StreamIdOptions = {}): StreamIdResult {
  const defaultApp = opts.defaultApp ?? 'live';
  const sid = streamId === '' ? `${STREAM_ID_PREFIX}r=live/livestream,m=publish` : streamId;
  if (!sid.startsWith(STREAM_ID_PREFIX)) return split(sid, null, 'request', [], defaultApp);

  let vhost: string | null = null;
  let path = '';
  let mode: SrtMode = 'request';
  const params: string[] = [];
  // Old style `h=live/livestream?secret=x`: SRS turns `?` into `,` first.
  for (const item of sid.slice(STREAM_ID_PREFIX.length).replaceAll('?', ',').split(',')) {
    if (item === '') continue;
    const eq = item.indexOf('=');
    if (eq <= 0) return fail(SRT_REJX.badRequest, 'stream_id_bad_key');
    const key = item.slice(0, eq);
    const value = item.slice(eq + 1);
    if (key === 'h') {
      const first = value.indexOf('/');
      if (first < 0) vhost = value;
      else if (first !== value.lastIndexOf('/')) {
        vhost = value.slice(0, first);
        path = value.slice(first + 1);
      } else path = value;
    } else if (key === 'r') {
      path = value;
    } else if (key === 'm') {
      const m = value.toLowerCase();
      if (m !== 'publish' && m !== 'request') return fail(SRT_REJX.badMode, 'stream_id_bad_mode');
      mode = m;
    } else {
      params.push(item);
    }
  }
  if (path === '') return fail(SRT_REJX.badRequest, 'stream_id_no_resource');
  return split(path, vhost, mode, params, defaultApp);
}
