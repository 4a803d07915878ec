/**
 * A tiny structured logger: an event name plus key/value fields, one line per
 * record, as text people read or as JSON lines machines read. No dependency,
 * no global: the entry point builds one and passes it down; `child` binds
 * fields (a client id, a stream) so every line of a connection carries them.
 *
 * @example
 * const log = createLogger({ level: 'info', sink: lineSink('text', (l) => process.stdout.write(l)) });
 * log.child({ client: 'o6q55g32', ip: '127.0.0.1' }).info('publish', { stream: 'live/livestream' });
 * // 2026-11-23T21:54:37.123Z INFO  publish client=o6q55g32 ip=127.0.0.1 stream=live/livestream
 */

export type LogLevel = 'debug' | 'info' | 'warn' | 'error';
export type LogFormat = 'text' | 'json';

export const LOG_LEVELS: readonly LogLevel[] = ['debug', 'info', 'warn', 'error'];

/** Values a field can hold; `undefined` fields are left out of the line. */
export type LogValue = string | number | boolean | bigint | null | undefined | Error | readonly (string | number)[];
export type LogFields = { readonly [key: string]: LogValue };

export interface LogRecord {
  /** Wall-clock milliseconds since the epoch. */
  readonly timeMs: number;
  readonly level: LogLevel;
  /** What happened, a short snake_case word: `publish`, `close`, `listen`. */
  readonly event: string;
  /** Bound fields of the logger (outermost first), then the call's fields. */
  readonly fields: LogFields;
}

export interface Logger {
  debug(event: string, fields?: LogFields): void;
  info(event: string, fields?: LogFields): void;
  warn(event: string, fields?: LogFields): void;
  error(event: string, fields?: LogFields): void;
  /** A logger that adds `fields` to every record (a later field of the same name wins). */
  child(fields: LogFields): Logger;
  /** False when records of `level` are dropped: skip building expensive fields. */
  isEnabled(level: LogLevel): boolean;
}

/** Where records go: a line writer, the in-memory fake, or anything else. */
export type LogSink = (record: LogRecord) => void;

export interface LoggerOptions {
  /** Records below this level are dropped. */
  readonly level: LogLevel;
  readonly sink: LogSink;
  /** Wall clock in ms (injected so tests get stable times). */
  readonly now?: () => number;
}

const RANK: Readonly<Record<LogLevel, number>> = { debug: 10, info: 20, warn: 30, error: 40 };

export function createLogger(opts: LoggerOptions): Logger {
  return new FieldLogger(RANK[opts.level], opts.sink, opts.now ?? Date.now, {});
}

class FieldLogger implements Logger {
  private readonly minRank: number;
  private readonly sink: LogSink;
  private readonly now: () => number;
  private readonly bound: LogFields;

  constructor(minRank: number, sink: LogSink, now: () => number, bound: LogFields) {
    this.minRank = minRank;
    this.sink = sink;
    this.now = now;
    this.bound = bound;
  }

  debug(event: string, fields?: LogFields): void {
    this.emit('debug', event, fields);
  }

  info(event: string, fields?: LogFields): void {
    this.emit('info', event, fields);
  }

  warn(event: string, fields?: LogFields): void {
    this.emit('warn', event, fields);
  }

  error(event: string, fields?: LogFields): void {
    this.emit('error', event, fields);
  }

  child(fields: LogFields): Logger {
    return new FieldLogger(this.minRank, this.sink, this.now, { ...this.bound, ...fields });
  }

  isEnabled(level: LogLevel): boolean {
    return RANK[level] >= this.minRank;
  }

  private emit(level: LogLevel, event: string, fields: LogFields | undefined): void {
    if (RANK[level] < this.minRank) return;
    this.sink({ timeMs: this.now(), level, event, fields: fields === undefined ? this.bound : { ...this.bound, ...fields } });
  }
}

/** A sink that formats each record as one line (ending in `\n`) and hands it to `write`. */
export function lineSink(format: LogFormat, write: (line: string) => void): LogSink {
  const fmt = format === 'json' ? formatJson : formatText;
  return (r) => write(fmt(r));
}

/** `2026-11-23T21:54:37.123Z INFO  publish client=o6q55g32 ip=127.0.0.1 stream=live/livestream` */
export function formatText(r: LogRecord): string {
  let line = `${new Date(r.timeMs).toISOString()} ${r.level.toUpperCase().padEnd(5)} ${textToken(r.event)}`;
  for (const [key, value] of Object.entries(r.fields)) {
    if (value === undefined) continue;
    line += ` ${key.replace(/[^\w.-]/g, '_')}=${textValue(value)}`;
  }
  return `${line}\n`;
}

/** `{"time":"2026-11-23T21:54:37.123Z","level":"info","event":"publish","client":"o6q55g32",...}` */
export function formatJson(r: LogRecord): string {
  const out: Record<string, unknown> = { time: new Date(r.timeMs).toISOString(), level: r.level, event: r.event };
  for (const [key, value] of Object.entries(r.fields)) {
    if (value === undefined) continue;
    // A field may not overwrite time/level/event; it keeps its value under another name.
    out[key === 'time' || key === 'level' || key === 'event' ? `field_${key}` : key] = jsonValue(value);
  }
  return `${JSON.stringify(out)}\n`;
}

/** Plain when unambiguous, else JSON-quoted, so a line always splits back into its fields. */
function textToken(s: string): string {
  return PLAIN_TOKEN.test(s) ? s : JSON.stringify(s);
}

/** No whitespace, quote, `=`, backslash or control character (C0, DEL): safe to write unquoted. */
// eslint-disable-next-line no-control-regex -- matching control characters is the point
const PLAIN_TOKEN = /^[^\s"=\\\x00-\x1f\x7f]+$/;

function textValue(v: Exclude<LogValue, undefined>): string {
  if (v === null || typeof v === 'number' || typeof v === 'boolean' || typeof v === 'bigint') return String(v);
  if (v instanceof Error) return textToken(errorText(v));
  if (typeof v === 'string') return textToken(v);
  return textToken(v.join(','));
}

function jsonValue(v: Exclude<LogValue, undefined>): unknown {
  if (typeof v === 'bigint') return v.toString();
  if (v instanceof Error) return errorText(v);
  return v;
}

/** `chunk_size_out_of_range: set chunk size 12 < 128` for coded errors (ProtocolError), else the message. */
function errorText(e: Error): string {
  const code = (e as { code?: unknown }).code;
  return typeof code === 'string' && code !== '' ? `${code}: ${e.message}` : e.message;
}
