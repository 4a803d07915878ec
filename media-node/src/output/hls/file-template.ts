import { checkKey } from '../../storage/storage.ts';

/**
 * SRS `hls_ts_file` / `hls_m3u8_file` templates (srs.md 9.1,
 * `SrsHlsMuxer::segment_open`, `srs_path_build_timestamp`) and the segment
 * URI SRS writes into the playlist. Dates are UTC (SRS uses the server's
 * local time; a fleet of nodes should not depend on their time zones).
 */
export interface TemplateVars {
  readonly vhost: string;
  readonly app: string;
  readonly stream: string;
  /** [seq]: the segment's media sequence number. */
  readonly seq?: number;
  /** Wall clock of the segment's start, ms since the epoch: [2006] [01] [02] [15] [04] [05] [999] [timestamp]. */
  readonly timeMs?: number;
  /** [duration]: the segment's duration in whole ms (known when it is reaped). */
  readonly durationMs?: number;
}

const pad = (n: number, w: number) => String(n).padStart(w, '0');

/**
 * Replaces the variables of `template`; an unknown `[x]` is left as is and
 * then refused by the key check, so a typo in a config fails loudly instead of
 * writing somewhere unexpected. Throws ProtocolError('storage_bad_key').
 */
export function expandTemplate(template: string, v: TemplateVars): string {
  const d = new Date(v.timeMs ?? 0);
  const values: Record<string, string | undefined> = {
    '[vhost]': v.vhost,
    '[app]': v.app,
    '[stream]': v.stream,
    '[seq]': v.seq === undefined ? undefined : String(v.seq),
    '[2006]': pad(d.getUTCFullYear(), 4),
    '[01]': pad(d.getUTCMonth() + 1, 2),
    '[02]': pad(d.getUTCDate(), 2),
    '[15]': pad(d.getUTCHours(), 2),
    '[04]': pad(d.getUTCMinutes(), 2),
    '[05]': pad(d.getUTCSeconds(), 2),
    '[999]': pad(d.getUTCMilliseconds(), 3),
    '[timestamp]': String(Math.floor(v.timeMs ?? 0)),
    '[duration]': v.durationMs === undefined ? undefined : String(Math.round(v.durationMs)),
  };
  const key = template.replace(/\[[^\]]*\]/g, (m) => values[m] ?? m);
  return checkKey(key);
}

/** POSIX dirname of a key ('' for a key without '/'). */
function dirOf(key: string): string {
  const i = key.lastIndexOf('/');
  return i < 0 ? '' : key.slice(0, i);
}

/**
 * The URI of segment `tsKey` in playlist `m3u8Key`, as SRS 4 builds it
 * (`SrsHlsMuxer::segment_open`): the key relative to the playlist's
 * directory; with an entry prefix, prefix + that, and when the prefix does
 * not end in '/', prefix + '/' + the playlist's directory + '/' + that
 * (`http://cdn` -> `http://cdn/live/livestream-0.ts`). A segment outside
 * the playlist's directory is named from the root of the store ('/' + key)
 * where SRS would write a URI that resolves to the wrong place.
 */
export function segmentUri(tsKey: string, m3u8Key: string, entryPrefix: string): string {
  const dir = dirOf(m3u8Key);
  const inDir = dir === '' || tsKey.startsWith(dir + '/');
  const rel = dir === '' ? tsKey : inDir ? tsKey.slice(dir.length + 1) : tsKey;
  if (entryPrefix === '') return inDir ? rel : `/${rel}`;
  if (entryPrefix.endsWith('/')) return entryPrefix + rel;
  return `${entryPrefix}/${dir === '' || !inDir ? '' : `${dir}/`}${rel}`;
}
