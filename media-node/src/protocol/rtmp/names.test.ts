import { describe, expect, it } from 'vitest';
import { test as fcTest, fc } from '@fast-check/vitest';
import { isValidStreamName, parseStreamName } from './stream-name.ts';
import { DEFAULT_VHOST, parseRtmpUrl, parseTcUrl, queryValue, resolveVhost } from './rtmp-url.ts';

describe('stream names', () => {
  it.each([
    ['livestream', { ok: true, name: 'livestream', param: '' }],
    ['tenant_1/cam-2.hd', { ok: true, name: 'tenant_1/cam-2.hd', param: '' }],
    ['live?token=abc.def-1&vhost=x', { ok: true, name: 'live', param: 'token=abc.def-1&vhost=x' }],
    ['a?k=eyJhbGciOi+/=:,@%20', { ok: true, name: 'a', param: 'k=eyJhbGciOi+/=:,@%20' }],
    ['x'.repeat(128), { ok: true, name: 'x'.repeat(128), param: '' }],
  ])('accepts %j', (raw, want) => expect(parseStreamName(raw)).toEqual(want));

  it.each([
    ['false (row 29)', false, 'not_a_string'],
    ['null (row 29)', null, 'not_a_string'],
    ['123 (row 29)', 123, 'not_a_string'],
    ['undefined', undefined, 'not_a_string'],
    ['empty string (row 29)', '', 'bad_name'],
    ['only a query', '?k=v', 'bad_name'],
    ['../../etc/x (row 30)', '../../etc/x', 'bad_name'],
    ['a/../../b (row 30)', 'a/../../b', 'bad_name'],
    ['./a', './a', 'bad_name'],
    ['%2e%2e%2f (row 30)', '%2e%2e%2f', 'bad_name'],
    ['/abs (row 30)', '/abs', 'bad_name'],
    ['trailing slash', 'a/', 'bad_name'],
    ['empty segment', 'a//b', 'bad_name'],
    ['backslash (row 30)', 'a\\b', 'bad_name'],
    ['NUL (row 30)', 'a\u0000b', 'bad_name'],
    ['4 KiB name (row 30)', 'a'.repeat(4096), 'bad_name'],
    ['129 characters', 'a'.repeat(129), 'bad_name'],
    ['# in the name (row 30)', 'a#b', 'bad_name'],
    ['CR LF playlist injection (row 31)', 'a\r\n#EXT-X-ENDLIST', 'bad_name'],
    ['newline path (row 31)', '\n../x.ts', 'bad_name'],
    ['$(touch) (row 32)', '$(touch /tmp/pwn)', 'bad_name'],
    [';id (row 32)', ';id', 'bad_name'],
    ['backticks (row 32)', '`id`', 'bad_name'],
    ['${IFS} (row 32)', '&touch${IFS}x', 'bad_name'],
    ['non-ASCII', 'caf\u00e9', 'bad_name'],
    ['shell in the query (row 32)', 'live?k=$(touch /tmp/pwn)', 'bad_param'],
    ['semicolon in the query (row 32)', 'live?k=1;id', 'bad_param'],
    ['backtick in the query (row 32)', 'live?k=`id`', 'bad_param'],
    ['${IFS} in the query (row 32)', 'live?a=1&touch${IFS}x', 'bad_param'],
    ['CR LF in the query (row 31)', 'live?k=\r\n#EXT', 'bad_param'],
    ['oversized query', 'live?k=' + 'a'.repeat(3000), 'bad_param'],
  ])('refuses %s', (_name, raw, reason) => expect(parseStreamName(raw)).toEqual({ ok: false, reason }));

  fcTest.prop([fc.string({ maxLength: 200 })])('an accepted name is a safe relative path', (s) => {
    if (!isValidStreamName(s)) return;
    expect(s).toMatch(/^[0-9A-Za-z_\-./]+$/);
    expect(s.startsWith('/') || s.endsWith('/')).toBe(false);
    expect(s.split('/').some((seg) => seg === '.' || seg === '..' || seg === '')).toBe(false);
  });
});

describe('RTMP URLs', () => {
  it.each([
    [
      'rtmp://127.0.0.1/live/livestream',
      { schema: 'rtmp', host: '127.0.0.1', port: 1935, app: 'live', stream: 'livestream', param: '', vhost: DEFAULT_VHOST, tcUrl: 'rtmp://127.0.0.1/live' },
    ],
    [
      'rtmp://Example.COM:19350/live/cam?token=x&vhost=Demo.srs.com',
      { schema: 'rtmp', host: 'example.com', port: 19350, app: 'live', stream: 'cam', param: 'token=x&vhost=Demo.srs.com', vhost: 'demo.srs.com', tcUrl: 'rtmp://example.com:19350/live' },
    ],
    [
      'rtmp://media.example.com/live/stream',
      { schema: 'rtmp', host: 'media.example.com', port: 1935, app: 'live', stream: 'stream', param: '', vhost: 'media.example.com', tcUrl: 'rtmp://media.example.com/live' },
    ],
    [
      'rtmp://10.0.0.1/app/app2/stream',
      { schema: 'rtmp', host: '10.0.0.1', port: 1935, app: 'app/app2', stream: 'stream', param: '', vhost: DEFAULT_VHOST, tcUrl: 'rtmp://10.0.0.1/app/app2' },
    ],
    [
      'rtmp://10.0.0.1/live?vhost=v.com/stream',
      { schema: 'rtmp', host: '10.0.0.1', port: 1935, app: 'live', stream: 'stream', param: 'vhost=v.com', vhost: 'v.com', tcUrl: 'rtmp://10.0.0.1/live' },
    ],
    [
      'rtmp://[::1]:1936/live/x',
      { schema: 'rtmp', host: '::1', port: 1936, app: 'live', stream: 'x', param: '', vhost: DEFAULT_VHOST, tcUrl: 'rtmp://[::1]:1936/live' },
    ],
    [
      'rtmps://live.example.com/app/key',
      { schema: 'rtmps', host: 'live.example.com', port: 443, app: 'app', stream: 'key', param: '', vhost: 'live.example.com', tcUrl: 'rtmps://live.example.com/app' },
    ],
    [
      'rtmp://h/live',
      { schema: 'rtmp', host: 'h', port: 1935, app: 'live', stream: '', param: '', vhost: 'h', tcUrl: 'rtmp://h/live' },
    ],
  ])('parses %s', (url, want) => expect(parseRtmpUrl(url)).toEqual(want));

  it.each(['', 'live/stream', 'http//x/y', 'rtmp://', 'rtmp://:1935/live/x', 'rtmp://h:99999/live/x', 'rtmp://h:12a/live/x', 'rtmp://h/', 'rtmp://[::1/live/x'])(
    'refuses %j',
    (url) => expect(parseRtmpUrl(url)).toBeNull(),
  );

  it('parses a tcUrl with the whole path as app', () => {
    expect(parseTcUrl('rtmp://127.0.0.1:1935/live')).toEqual({ schema: 'rtmp', host: '127.0.0.1', port: 1935, app: 'live', param: '', vhost: DEFAULT_VHOST });
    expect(parseTcUrl('rtmp://host/live/sub/?vhost=a.b')).toEqual({ schema: 'rtmp', host: 'host', port: 1935, app: 'live/sub', param: 'vhost=a.b', vhost: 'a.b' });
    expect(parseTcUrl('not a url')).toBeNull();
  });

  it('resolves the vhost like SRS', () => {
    expect(resolveVhost('1.2.3.4')).toBe(DEFAULT_VHOST);
    expect(resolveVhost('::1')).toBe(DEFAULT_VHOST);
    expect(resolveVhost('cdn.example.com')).toBe('cdn.example.com');
    expect(resolveVhost('1.2.3.4', '', 'domain=d.com')).toBe('d.com');
    expect(resolveVhost('h', 'vhost=first', 'vhost=second')).toBe('first');
  });

  it('reads query values', () => {
    expect(queryValue('a=1&b=x%20y&c', 'b')).toBe('x y');
    expect(queryValue('a=1&c', 'c')).toBe('');
    expect(queryValue('a=%zz', 'a')).toBe('%zz');
    expect(queryValue('a=1', 'b')).toBeUndefined();
  });

  fcTest.prop([fc.string({ maxLength: 100 })])('never throws on arbitrary input', (s) => {
    parseRtmpUrl(s);
    parseTcUrl(`rtmp://${s}`);
  });
});
