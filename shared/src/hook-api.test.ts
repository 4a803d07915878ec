import { describe, expect, it } from 'vitest';
import { HOOK_DENY_CODES, hookAllowSchema, hookBodySchema, hookDeny, hookDenySchema } from './hook-api.ts';
import type { HookDenyReason } from './hook-api.ts';

/** The on_publish example of SRS 6's docs (srs.md 3.2), verbatim. */
const srs6Publish = {
  server_id: 'vid-0xk989d', action: 'on_publish', client_id: '341w361a', ip: '127.0.0.1',
  vhost: '__defaultVhost__', app: 'live', tcUrl: 'rtmp://127.0.0.1:1935/live?vhost=__defaultVhost__',
  stream: 'livestream', param: '', stream_url: 'video.test.com/live/livestream', stream_id: 'vid-124q9y3',
};

/** SRS 4.0 bodies have fewer fields (no service_id/tcUrl/stream_url/stream_id on unpublish). */
const srs4Unpublish = {
  server_id: 'vid-0xk989d', action: 'on_unpublish', client_id: '341w361a', ip: '127.0.0.1',
  vhost: '__defaultVhost__', app: 'live', stream: 'livestream', param: '',
};

/** on_hls fields from SRS 4.0 full.conf comments (srs.md 3.2). */
const srs4Hls = {
  ...srs4Unpublish, action: 'on_hls', duration: 9.36, cwd: '/usr/local/srs',
  file: './objs/nginx/html/live/livestream/2015-04-23/01/476584165.ts',
  url: 'live/livestream/2015-04-23/01/476584165.ts', m3u8: './objs/nginx/html/live/livestream/live.m3u8',
  m3u8_url: 'live/livestream/live.m3u8', seq_no: 100,
};

describe('hookBodySchema', () => {
  it.each([srs6Publish, srs4Unpublish, srs4Hls])('reads the SRS $action body', (body) => {
    const r = hookBodySchema.safeParse(body);
    expect(r.success).toBe(true);
    expect(r.data?.action).toBe(body.action);
  });

  it('ignores fields it does not know (newer SRS versions add some)', () => {
    const r = hookBodySchema.parse({ ...srs6Publish, future_field: 1 });
    expect(r).not.toHaveProperty('future_field');
  });

  it('names the missing field', () => {
    const { stream: _, ...noStream } = srs6Publish;
    const r = hookBodySchema.safeParse(noStream);
    expect(r.success).toBe(false);
    expect(r.error?.issues.map((i) => i.path.join('.'))).toContain('stream');
  });

  it('refuses an action SRS does not have', () => {
    expect(hookBodySchema.safeParse({ ...srs6Publish, action: 'on_rm_rf' }).success).toBe(false);
  });

  it('refuses oversized names', () => {
    expect(hookBodySchema.safeParse({ ...srs6Publish, stream: 'x'.repeat(257) }).success).toBe(false);
  });
});

describe('answers', () => {
  it('an allow is SRS code 0', () => {
    expect(hookAllowSchema.parse({ code: 0 })).toEqual({ code: 0 });
    expect(hookAllowSchema.safeParse({ code: 1 }).success).toBe(false);
  });

  it.each(Object.keys(HOOK_DENY_CODES) as HookDenyReason[])('the refusal %s has a non-zero code SRS rejects on', (reason) => {
    const deny = hookDeny(reason, 'no');
    expect(deny.code).not.toBe(0);
    expect(Number.isInteger(deny.code)).toBe(true);
    expect(hookDenySchema.parse(deny)).toEqual(deny);
  });
});
