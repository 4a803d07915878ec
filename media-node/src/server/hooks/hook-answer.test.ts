import { test as fcTest, fc } from '@fast-check/vitest';
import { describe, expect, it } from 'vitest';
import { judgeHookAnswer } from './hook-answer.ts';
import type { HookAnswer } from './hook-answer.ts';

/** SRS `do_post` (srs.md 3.1): only 200/201 with exactly `0` or an object with integer code 0 passes. */
const cases: ReadonlyArray<{ name: string; status: number; body: string; want: 'ok' | 'hook_rejected' | 'auth_unavailable' }> = [
  { name: '200 bare 0', status: 200, body: '0', want: 'ok' },
  { name: '201 bare 0', status: 201, body: '0', want: 'ok' },
  { name: '200 code 0', status: 200, body: '{"code":0}', want: 'ok' },
  { name: '200 code 0 with msg and data', status: 200, body: '{"code":0,"msg":"OK","data":{"hls":true}}', want: 'ok' },
  { name: 'object with surrounding whitespace', status: 200, body: ' {"code":0}\n', want: 'ok' },
  { name: '200 code 1', status: 200, body: '{"code":1}', want: 'hook_rejected' },
  { name: '200 code -1', status: 200, body: '{"code":-1,"msg":"bad token"}', want: 'hook_rejected' },
  { name: '200 bare 1', status: 200, body: '1', want: 'hook_rejected' },
  { name: '403', status: 403, body: '', want: 'hook_rejected' },
  { name: '401', status: 401, body: '{"code":0}', want: 'hook_rejected' },
  { name: '200 empty', status: 200, body: '', want: 'auth_unavailable' },
  { name: '200 not JSON', status: 200, body: 'OK', want: 'auth_unavailable' },
  { name: '200 HTML', status: 200, body: '<html>ok</html>', want: 'auth_unavailable' },
  { name: 'bare 0 with a newline (SRS compares the raw text)', status: 200, body: '0\n', want: 'auth_unavailable' },
  { name: 'bare 0 with a space', status: 200, body: ' 0', want: 'auth_unavailable' },
  { name: 'code as a string', status: 200, body: '{"code":"0"}', want: 'auth_unavailable' },
  { name: 'code 0.5', status: 200, body: '{"code":0.5}', want: 'auth_unavailable' },
  { name: 'object without code', status: 200, body: '{"msg":"OK"}', want: 'auth_unavailable' },
  { name: 'array', status: 200, body: '[0]', want: 'auth_unavailable' },
  { name: 'null', status: 200, body: 'null', want: 'auth_unavailable' },
  { name: 'string "0"', status: 200, body: '"0"', want: 'auth_unavailable' },
  { name: 'true', status: 200, body: 'true', want: 'auth_unavailable' },
  { name: '0.0', status: 200, body: '0.0', want: 'auth_unavailable' },
  { name: '204', status: 204, body: '', want: 'auth_unavailable' },
  { name: '302', status: 302, body: '0', want: 'auth_unavailable' },
  { name: '404', status: 404, body: '0', want: 'auth_unavailable' },
  { name: '500 with a valid body', status: 500, body: '{"code":0}', want: 'auth_unavailable' },
  { name: '503', status: 503, body: '', want: 'auth_unavailable' },
];

function kind(a: HookAnswer): string {
  return a.ok ? 'ok' : a.reason;
}

describe('judgeHookAnswer (SRS accept rule)', () => {
  it.each(cases)('$name -> $want', (c) => {
    expect(kind(judgeHookAnswer(c.status, c.body))).toBe(c.want);
  });

  it('says what was wrong', () => {
    expect(judgeHookAnswer(500, '')).toEqual({ ok: false, reason: 'auth_unavailable', detail: 'status 500' });
    expect(judgeHookAnswer(200, '{"code":7}')).toEqual({ ok: false, reason: 'hook_rejected', detail: 'code 7' });
    expect(judgeHookAnswer(200, '')).toEqual({ ok: false, reason: 'auth_unavailable', detail: 'empty body' });
  });

  fcTest.prop([fc.integer({ min: 100, max: 599 }), fc.oneof(fc.string(), fc.json())])('is total, and only a 200/201 "0" or code 0 passes', (status, body) => {
    const a = judgeHookAnswer(status, body);
    if (!a.ok) {
      expect(['hook_rejected', 'auth_unavailable']).toContain(a.reason);
      return;
    }
    expect([200, 201]).toContain(status);
    expect(body === '0' || (JSON.parse(body) as { code: unknown }).code === 0).toBe(true);
  });

  fcTest.prop([fc.integer({ min: -1000, max: 1000 }).filter((n) => n !== 0)])('any non-zero integer code is a clean refusal', (code) => {
    expect(kind(judgeHookAnswer(200, JSON.stringify({ code })))).toBe('hook_rejected');
    expect(kind(judgeHookAnswer(201, String(code)))).toBe('hook_rejected');
  });
});
