import { isAmf0Object, type Amf0Object, type Amf0Value } from '../../format/amf0.ts';
import { parseTcUrl, resolveVhost } from './rtmp-url.ts';
import { isValidStreamName } from './stream-name.ts';

/** What `connect` told us, validated. */
export interface RtmpConnectInfo {
  readonly app: string;
  readonly tcUrl: string;
  readonly host: string;
  readonly port: number;
  readonly vhost: string;
  /** Query found in the tcUrl or the app (`live?token=x`), raw, '' if none. */
  readonly param: string;
  readonly objectEncoding: number;
  readonly flashVer: string;
  readonly swfUrl: string;
  readonly pageUrl: string;
  /** The whole command object, for anything else a hook wants. */
  readonly commandObject: Amf0Object;
}

export type ConnectRequest =
  | { readonly ok: true; readonly info: RtmpConnectInfo }
  | { readonly ok: false; readonly reason: string; readonly description: string };

/**
 * Validates the command object of `connect` (bad-inputs row 26): `app` must be
 * a string that passes the name rule once a `?query` inside it (OBS puts the
 * stream key there) is split off, `tcUrl` must be a string that parses. The
 * query of the app and of the tcUrl become `param`; the vhost follows SRS.
 * `description` is what goes into NetConnection.Connect.Rejected (SRS wording
 * for a missing tcUrl).
 */
export function parseConnect(commandObject: Amf0Value): ConnectRequest {
  const o = commandObject;
  if (!isAmf0Object(o)) return fail('connect_invalid', 'connect without a command object');
  if (typeof o.app !== 'string') return fail('connect_invalid_app', 'connect without a string app');
  if (typeof o.tcUrl !== 'string') return fail('connect_missing_tcurl', 'invalid request without tcUrl');
  const tc = parseTcUrl(o.tcUrl);
  if (!tc) return fail('connect_invalid_tcurl', 'tcUrl is not a URL');
  const q = o.app.indexOf('?');
  const app = (q < 0 ? o.app : o.app.slice(0, q)).replace(/^\/+|\/+$/g, '');
  const appParam = q < 0 ? '' : o.app.slice(q + 1);
  if (!isValidStreamName(app)) return fail('connect_invalid_app', 'invalid app name');
  const param = [appParam, tc.param].filter((p) => p !== '').join('&');
  return {
    ok: true,
    info: {
      app,
      tcUrl: o.tcUrl,
      host: tc.host,
      port: tc.port,
      vhost: resolveVhost(tc.host, param),
      param,
      objectEncoding: typeof o.objectEncoding === 'number' ? o.objectEncoding : 0,
      flashVer: str(o.flashVer),
      swfUrl: str(o.swfUrl),
      pageUrl: str(o.pageUrl),
      commandObject: o,
    },
  };
}

function fail(reason: string, description: string): ConnectRequest {
  return { ok: false, reason, description };
}

function str(v: Amf0Value): string {
  return typeof v === 'string' ? v : '';
}
