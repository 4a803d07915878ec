import { describe, expect, it } from 'vitest';
import { SRT_REJ, SRT_REJX } from '../../protocol/srt/index.ts';
import { rejectReason } from './reject-reason.ts';
import { SrtClientError } from './srt-client-error.ts';

describe('rejectReason', () => {
  it('names every code the engine knows, with libsrt names in the right family', () => {
    const names = new Set<string>();
    for (const code of Object.values(SRT_REJ)) {
      expect(rejectReason(code).name).toMatch(/^SRT_REJ_[A-Z]+$/);
      names.add(rejectReason(code).name);
    }
    for (const code of Object.values(SRT_REJX)) {
      expect(rejectReason(code).name).toMatch(/^SRT_REJX_[A-Z_]+$/);
      names.add(rejectReason(code).name);
    }
    expect(names.size).toBe(Object.keys(SRT_REJ).length + Object.keys(SRT_REJX).length);
  });

  it.each([
    [10, 'SRT_REJ_BADSECRET', true, /passphrase/],
    [11, 'SRT_REJ_UNSECURE', true, /passphrase/],
    [1400, 'SRT_REJX_BAD_REQUEST', true, /stream id/],
    [1403, 'SRT_REJX_FORBIDDEN', true, /denied/],
    [1405, 'SRT_REJX_BAD_MODE', true, /m=publish/],
    [1409, 'SRT_REJX_CONFLICT', false, /already being published/],
    [1503, 'SRT_REJX_DOWN', false, /later/],
  ] as const)('%i is %s (permanent: %s)', (code, name, permanent, hint) => {
    expect(rejectReason(code)).toMatchObject({ code, name, permanent });
    expect(rejectReason(code).hint).toMatch(hint);
  });

  it.each([
    [99, 'SRT_REJ_99'],
    [1999, 'SRT_REJX_1999'],
    [2001, 'app_2001'],
  ])('an unnamed %i is described by its range (%s) and never permanent', (code, name) => {
    expect(rejectReason(code)).toMatchObject({ code, name, permanent: false });
  });

  it('a rejected SrtClientError carries the code, its name and the hint in its message', () => {
    const e = new SrtClientError('rejected', '', false, 1409);
    expect(e).toMatchObject({ code: 'rejected', willRetry: false, reject: { code: 1409, name: 'SRT_REJX_CONFLICT' } });
    expect(e.message).toBe('rejected: SRT_REJX_CONFLICT (1409): the stream is already being published: stop the other publisher or use another name');
    expect(new SrtClientError('connect_timeout', 'no answer', true)).toMatchObject({ reject: null, message: 'connect_timeout: no answer' });
  });
});
