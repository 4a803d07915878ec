import { isIP } from 'node:net';
import { checkPassphrase } from '../../protocol/srt/index.ts';

/**
 * An `srt://host:port?key=value&...` URL of a caller, with the options of
 * libsrt's URI syntax (srt-live-transmit, `srt_apps` docs) and the ffmpeg
 * spellings of the same options.
 *
 * Units: every time is in **milliseconds**, as libsrt's own URI syntax and
 * socket options take them (`latency=120` is SRTO_LATENCY 120 ms). ffmpeg's
 * `-latency` / `latency=` option is in **microseconds** (it divides by 1000
 * before setting SRTO_LATENCY): an ffmpeg URL's `latency=120000` means 120 ms
 * there but is refused here (over MAX_LATENCY_MS) with a message that says so.
 */
export interface SrtUrl {
  readonly host: string;
  readonly port: number;
  /** `streamid=` (SRS: `#!::r=live/cam,m=publish`); '' when absent. */
  readonly streamId: string;
  readonly passphrase?: string;
  /** `pbkeylen=` 16, 24 or 32 (bytes); absent: what the listener announces, else 16 (libsrt). */
  readonly keyLength?: number;
  /** `latency=` (both directions) or `rcvlatency=`: the latency we receive with, ms. */
  readonly latencyMs?: number;
  /** `latency=` or `peerlatency=`: the latency we propose for the peer's receiver, ms. */
  readonly peerLatencyMs?: number;
  /** `connect_timeout=` (ffmpeg, ms) or `conntimeo=` (libsrt, ms). */
  readonly connectTimeoutMs?: number;
  /** Keys present that this client does not act on (kept for a log line, not an error: URLs are shared with ffmpeg). */
  readonly ignored: readonly string[];
}

/** Largest latency accepted, ms. libsrt takes more, but a minute of TSBPD delay is a unit mistake (µs from an ffmpeg URL), not a wish. */
export const MAX_LATENCY_MS = 60_000;
/** Largest connect timeout, ms: SRTO_CONNTIMEO is an int of ms; beyond 5 minutes a caller wants reconnect, not a longer wait. */
export const MAX_CONNECT_TIMEOUT_MS = 300_000;
/** Longest URL accepted: a stream id is at most 512 bytes (SRT SID extension), the rest fits easily in 2 KiB more. */
export const MAX_URL_LENGTH = 2560;

/** Options that only make sense as they are set: anything else is refused rather than silently misread. */
const FIXED: Readonly<Record<string, readonly string[]>> = { mode: ['caller', 'client'], transtype: ['live'] };

/** Parses an SRT caller URL; throws RangeError naming the problem (a caller bug, not wire input). */
export function parseSrtUrl(url: string): SrtUrl {
  if (url.length > MAX_URL_LENGTH) throw new RangeError(`SRT URL longer than ${MAX_URL_LENGTH} characters`);
  const m = /^srt:\/\/(\[[^\]]+\]|[^/?:#[\]]+):(\d{1,5})\/?(?:\?(.*))?$/is.exec(url);
  if (m === null) throw new RangeError(`not an srt://host:port[?options] URL: ${redactSrtUrl(url)}`);
  const host = m[1]!.startsWith('[') ? m[1]!.slice(1, -1) : m[1]!;
  if (m[1]!.startsWith('[') && isIP(host) !== 6) throw new RangeError(`not an IPv6 address: ${host}`);
  const port = Number(m[2]);
  if (port < 1 || port > 65535) throw new RangeError(`SRT port ${port} out of 1..65535`);
  const out: { -readonly [K in keyof SrtUrl]: SrtUrl[K] } = { host, port, streamId: '', ignored: [] };
  const ignored: string[] = [];
  for (const [key, value] of queryPairs(m[3] ?? '')) {
    switch (key) {
      case 'streamid':
        if (new TextEncoder().encode(value).length > 512) throw new RangeError('streamid longer than 512 bytes (SRT SID extension limit)');
        out.streamId = value;
        break;
      case 'passphrase':
        if (value === '') break;
        try {
          checkPassphrase(value);
        } catch {
          throw new RangeError(`passphrase must be 10 to 80 characters (libsrt), got ${value.length}`);
        }
        out.passphrase = value;
        break;
      case 'pbkeylen': {
        const n = integer(key, value, 0, 32);
        if (![0, 16, 24, 32].includes(n)) throw new RangeError(`pbkeylen ${n}: expected 0, 16, 24 or 32 (bytes)`);
        if (n !== 0) out.keyLength = n;
        break;
      }
      case 'latency':
      case 'rcvlatency':
      case 'peerlatency': {
        const ms = integer(key, value, 0, Number.MAX_SAFE_INTEGER);
        if (ms > MAX_LATENCY_MS) {
          throw new RangeError(`${key}=${value}: over ${MAX_LATENCY_MS} ms. Latency here is in milliseconds as in libsrt's URLs; ffmpeg's is in microseconds (divide by 1000)`);
        }
        if (key !== 'peerlatency') out.latencyMs = ms;
        if (key !== 'rcvlatency') out.peerLatencyMs = ms;
        break;
      }
      case 'connect_timeout':
      case 'conntimeo':
        out.connectTimeoutMs = integer(key, value, 1, MAX_CONNECT_TIMEOUT_MS);
        break;
      default: {
        const allowed = FIXED[key];
        if (allowed && !allowed.includes(value.toLowerCase())) throw new RangeError(`${key}=${value}: this client supports only ${allowed.join(' / ')}`);
        if (!allowed) ignored.push(key);
      }
    }
  }
  if (out.keyLength !== undefined && out.passphrase === undefined) throw new RangeError('pbkeylen without a passphrase');
  // An explicit rcvlatency/peerlatency wins over latency whatever the order: apply them again.
  for (const [key, value] of queryPairs(m[3] ?? '')) {
    if (key === 'rcvlatency') out.latencyMs = Number(value);
    if (key === 'peerlatency') out.peerLatencyMs = Number(value);
  }
  out.ignored = ignored;
  return out;
}

/** The URL without its query (passphrase, tokens in the stream id): safe for logs and errors. */
export function redactSrtUrl(url: string): string {
  const q = url.indexOf('?');
  return (q < 0 ? url : url.slice(0, q)).slice(0, 200);
}

/**
 * `k=v` pairs split on `&`, then `=`. Not WHATWG URL parsing: SRS stream ids
 * start with `#!::`, which a URL parser would take for a fragment, and `+`
 * stays a plus. Values are percent-decoded (so `%26` and `%23` work, as in
 * ffmpeg 7); a value that is not valid percent-encoding is kept as written
 * (ffmpeg up to 6 and srt-live-transmit decode nothing).
 */
function queryPairs(query: string): [string, string][] {
  if (query === '') return [];
  return query.split('&').filter((p) => p !== '').map((p) => {
    const eq = p.indexOf('=');
    const key = (eq < 0 ? p : p.slice(0, eq)).toLowerCase();
    const raw = eq < 0 ? '' : p.slice(eq + 1);
    try {
      return [key, decodeURIComponent(raw)];
    } catch {
      return [key, raw];
    }
  });
}

function integer(key: string, value: string, min: number, max: number): number {
  if (!/^\d+$/.test(value)) throw new RangeError(`${key}=${value}: expected a whole number`);
  const n = Number(value);
  if (n < min || n > max) throw new RangeError(`${key}=${value}: expected ${min}..${max}`);
  return n;
}
