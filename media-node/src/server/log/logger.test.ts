import { describe, expect, it } from 'vitest';
import { test as fcTest, fc } from '@fast-check/vitest';
import { ProtocolError } from '@runnel/shared';
import { clientLog } from './client-events.ts';
import { createLogger, formatJson, formatText, lineSink } from './logger.ts';
import type { LogFormat, LogLevel, LogRecord } from './logger.ts';
import { createMemoryLogger } from './memory-logger.ts';

const T = Date.parse('2026-11-23T21:54:37.123Z');

function capture(format: LogFormat, level: LogLevel = 'debug') {
  const lines: string[] = [];
  const log = createLogger({ level, now: () => T, sink: lineSink(format, (l) => lines.push(l)) });
  return { log, lines };
}

/** Splits a text line back into its event and fields (the inverse the format promises). */
function parseTextLine(line: string): { event: string; fields: Record<string, string> } {
  const tokens = [...line.slice(31).matchAll(/([\w.-]+=)?("(?:[^"\\]|\\.)*"|\S+)/g)];
  const unquote = (s: string) => (s.startsWith('"') ? (JSON.parse(s) as string) : s);
  const [first, ...rest] = tokens;
  return { event: unquote(first[2]), fields: Object.fromEntries(rest.map((m) => [m[1].slice(0, -1), unquote(m[2])])) };
}

describe('text lines', () => {
  it('writes the documented line', () => {
    const { log, lines } = capture('text');
    log.child({ client: 'o6q55g32', ip: '127.0.0.1' }).info('publish', { stream: 'live/livestream' });
    expect(lines).toEqual(['2026-11-23T21:54:37.123Z INFO  publish client=o6q55g32 ip=127.0.0.1 stream=live/livestream\n']);
  });

  it('quotes values with spaces, quotes, = or control characters, and keeps one line', () => {
    const { log, lines } = capture('text');
    log.warn('close', { reason: 'a b', q: 'say "hi"', eq: 'k=v', nl: 'x\ny', empty: '', n: 3, ok: true, none: null, skipped: undefined, list: ['a', 1] });
    expect(lines).toEqual([
      '2026-11-23T21:54:37.123Z WARN  close reason="a b" q="say \\"hi\\"" eq="k=v" nl="x\\ny" empty="" n=3 ok=true none=null list=a,1\n',
    ]);
  });

  it('writes coded errors as code: message', () => {
    const { log, lines } = capture('text');
    log.error('close', { error: new ProtocolError('chunk_size_out_of_range', 'set chunk size 12 < 128'), plain: new Error('boom') });
    expect(lines[0]).toBe('2026-11-23T21:54:37.123Z ERROR close error="chunk_size_out_of_range: set chunk size 12 < 128" plain=boom\n');
  });

  fcTest.prop([fc.string(), fc.string({ minLength: 1 })])('any string value is one line that parses back', (value, event) => {
    const line = formatText({ timeMs: T, level: 'info', event, fields: { v: value } });
    expect(line.indexOf('\n')).toBe(line.length - 1);
    expect(parseTextLine(line.slice(0, -1))).toEqual({ event, fields: { v: value } });
  });
});

describe('JSON lines', () => {
  it('writes one JSON object per line with time, level, event and the fields', () => {
    const { log, lines } = capture('json');
    log.child({ client: 'c1' }).info('play', { stream: 'live/s', n: 1, big: 10n, err: new Error('x'), skipped: undefined });
    expect(lines).toHaveLength(1);
    expect(lines[0].endsWith('}\n')).toBe(true);
    expect(JSON.parse(lines[0])).toEqual({ time: '2026-11-23T21:54:37.123Z', level: 'info', event: 'play', client: 'c1', stream: 'live/s', n: 1, big: '10', err: 'x' });
  });

  it('never lets a field overwrite time, level or event', () => {
    const r: LogRecord = { timeMs: T, level: 'warn', event: 'e', fields: { level: 'debug', time: 1, event: 'x' } };
    expect(JSON.parse(formatJson(r))).toEqual({ time: '2026-11-23T21:54:37.123Z', level: 'warn', event: 'e', field_level: 'debug', field_time: 1, field_event: 'x' });
  });
});

describe('levels and children', () => {
  it('drops records below the level', () => {
    const { log, lines } = capture('text', 'warn');
    log.debug('a');
    log.info('b');
    log.warn('c');
    log.error('d');
    expect(lines.map((l) => parseTextLine(l.trimEnd()).event)).toEqual(['c', 'd']);
    expect(log.isEnabled('info')).toBe(false);
    expect(log.isEnabled('error')).toBe(true);
    expect(log.child({ a: 1 }).isEnabled('info')).toBe(false);
  });

  it('children stack bound fields and a later field wins', () => {
    const mem = createMemoryLogger();
    mem.child({ client: 'a', stream: 'x' }).child({ stream: 'y' }).info('e', { extra: 1 });
    mem.info('root');
    expect(mem.records.map((r) => [r.event, r.fields])).toEqual([
      ['e', { client: 'a', stream: 'y', extra: 1 }],
      ['root', {}],
    ]);
    expect(mem.lines()).toEqual(['INFO  e client=a stream=y extra=1', 'INFO  root']);
    mem.clear();
    expect(mem.records).toEqual([]);
  });
});

describe('client lifecycle lines', () => {
  it('writes one line per step with client, ip and proto', () => {
    const mem = createMemoryLogger();
    const c = clientLog(mem, { client: 'o6q55g32', ip: '127.0.0.1', proto: 'rtmp' });
    c.connect({ tcUrl: 'rtmp://127.0.0.1:1935/live', app: 'live' });
    c.publish('live/livestream');
    c.unpublish('live/livestream', 'client_closed');
    c.close({ reason: 'client_closed', durationMs: 61234.4, recvBytes: 9120344, sendBytes: 3512 });
    c.reject('stream_busy', { stream: 'live/livestream' });
    c.close({ reason: 'protocol_error', durationMs: 1, recvBytes: 1, sendBytes: 0, error: new ProtocolError('bad_chunk', 'fmt 3 first') });
    expect(mem.lines()).toEqual([
      'INFO  connect client=o6q55g32 ip=127.0.0.1 proto=rtmp tc_url=rtmp://127.0.0.1:1935/live app=live',
      'INFO  publish client=o6q55g32 ip=127.0.0.1 proto=rtmp stream=live/livestream',
      'INFO  unpublish client=o6q55g32 ip=127.0.0.1 proto=rtmp stream=live/livestream reason=client_closed',
      'INFO  close client=o6q55g32 ip=127.0.0.1 proto=rtmp reason=client_closed duration_ms=61234 recv_bytes=9120344 send_bytes=3512',
      'WARN  reject client=o6q55g32 ip=127.0.0.1 proto=rtmp reason=stream_busy stream=live/livestream',
      'WARN  close client=o6q55g32 ip=127.0.0.1 proto=rtmp reason=protocol_error duration_ms=1 recv_bytes=1 send_bytes=0 error="bad_chunk: fmt 3 first"',
    ]);
  });

  it('players write play and stop', () => {
    const mem = createMemoryLogger();
    const c = clientLog(mem, { client: 'p1', ip: '::1', proto: 'flv' });
    c.play('live/livestream', { type: 'flv-play' });
    c.stop('live/livestream', 'kicked');
    expect(mem.events('play')[0].fields).toEqual({ client: 'p1', ip: '::1', proto: 'flv', stream: 'live/livestream', type: 'flv-play' });
    expect(mem.events('stop')[0].fields.reason).toBe('kicked');
  });
});
