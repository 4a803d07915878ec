import { describe, expect, it } from 'vitest';
import { test as fcTest, fc } from '@fast-check/vitest';
import { SRT_REJX } from './reject.ts';
import { parseStreamId } from './stream-id.ts';

const ok = (vhost: string | null, app: string, stream: string, mode: 'publish' | 'request', param = '') => ({ ok: true, vhost, app, stream, mode, param });

describe('parseStreamId (SRS convention)', () => {
  const cases = [
    { sid: '#!::r=live/livestream,m=publish', want: ok(null, 'live', 'livestream', 'publish') },
    { sid: '#!::r=live/livestream,m=request', want: ok(null, 'live', 'livestream', 'request') },
    { sid: '#!::r=live/livestream,m=PUBLISH', want: ok(null, 'live', 'livestream', 'publish') },
    { sid: '#!::h=srs.srt.com.cn,r=live/livestream,m=publish', want: ok('srs.srt.com.cn', 'live', 'livestream', 'publish') },
    { sid: '#!::r=live/livestream,key1=value1,key2=value2', want: ok(null, 'live', 'livestream', 'request', 'key1=value1&key2=value2') },
    { sid: '#!::r=live/livestream,secret=xxx,m=publish', want: ok(null, 'live', 'livestream', 'publish', 'secret=xxx') },
    { sid: '#!::h=live/livestream?secret=xxx,m=publish', want: ok(null, 'live', 'livestream', 'publish', 'secret=xxx') },
    { sid: '#!::h=live/livestream,m=request', want: ok(null, 'live', 'livestream', 'request') },
    { sid: '#!::h=srs.srt.com.cn/live/livestream,m=publish', want: ok('srs.srt.com.cn', 'live', 'livestream', 'publish') },
    { sid: '#!::r=live/a/b,m=publish', want: ok(null, 'live', 'a/b', 'publish') },
    { sid: '#!::r=cam1,m=publish', want: ok(null, 'live', 'cam1', 'publish') },
    { sid: '#!::u=alice,r=live/x,t=stream,m=publish', want: ok(null, 'live', 'x', 'publish', 'u=alice&t=stream') },
    { sid: 'live/livestream', want: ok(null, 'live', 'livestream', 'request') },
    { sid: 'livestream', want: ok(null, 'live', 'livestream', 'request') },
    { sid: 'live/livestream?token=abc', want: ok(null, 'live', 'livestream', 'request', 'token=abc') },
    { sid: '', want: ok(null, 'live', 'livestream', 'publish') },
  ];
  it.each(cases)('$sid', ({ sid, want }) => {
    expect(parseStreamId(sid)).toEqual(want);
  });

  it('uses the configured default app', () => {
    expect(parseStreamId('#!::r=cam,m=publish', { defaultApp: 'ingest' })).toMatchObject({ ok: true, app: 'ingest', stream: 'cam' });
  });

  const refused = [
    { sid: '#!::r=live/x,m=bidirectional', code: SRT_REJX.badMode, reason: 'stream_id_bad_mode' },
    { sid: '#!::r=live/x,m=play', code: SRT_REJX.badMode, reason: 'stream_id_bad_mode' },
    { sid: '#!::m=publish', code: SRT_REJX.badRequest, reason: 'stream_id_no_resource' },
    { sid: '#!::h=example.com,m=publish', code: SRT_REJX.badRequest, reason: 'stream_id_no_resource' },
    { sid: '#!::r=live/x,novalue,m=publish', code: SRT_REJX.badRequest, reason: 'stream_id_bad_key' },
    { sid: '#!::r=../../etc/x,m=publish', code: SRT_REJX.badRequest, reason: 'stream_id_bad_app' },
    { sid: '#!::r=live/../x,m=publish', code: SRT_REJX.badRequest, reason: 'stream_id_bad_stream' },
    { sid: '#!::r=live/%2e%2e%2fx,m=publish', code: SRT_REJX.badRequest, reason: 'stream_id_bad_stream' },
    { sid: '#!::r=live/x\n#EXT-X-ENDLIST,m=publish', code: SRT_REJX.badRequest, reason: 'stream_id_bad_stream' },
    { sid: '#!::r=li$(id)ve/x,m=publish', code: SRT_REJX.badRequest, reason: 'stream_id_bad_app' },
    { sid: `#!::r=live/${'a'.repeat(129)},m=publish`, code: SRT_REJX.badRequest, reason: 'stream_id_bad_stream' },
    { sid: '#!::h=evil host,r=live/x,m=publish', code: SRT_REJX.badRequest, reason: 'stream_id_bad_vhost' },
    { sid: '#!::r=live/x,token=a;id,m=publish', code: SRT_REJX.badRequest, reason: 'stream_id_bad_param' },
    { sid: '/abs/path', code: SRT_REJX.badRequest, reason: 'stream_id_bad_app' },
  ];
  it.each(refused)('refuses $sid with $reason', ({ sid, code, reason }) => {
    expect(parseStreamId(sid)).toEqual({ ok: false, code, reason });
  });

  fcTest.prop([fc.string({ maxLength: 600 })])('any string gives a result, and accepted names pass the allowlist', (s) => {
    const r = parseStreamId(s);
    if (r.ok) {
      for (const name of [r.app, r.stream]) {
        expect(name).toMatch(/^[0-9A-Za-z_\-./]{1,128}$/);
        expect(name.split('/')).not.toContain('..');
      }
      expect(r.param).not.toMatch(/[\s;$`|<>'"\\]/);
    }
  });
});
