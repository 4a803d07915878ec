import type { IncomingMessage } from 'node:http';
import { describe, expect, it } from 'vitest';
import { rtcStreamRequest } from './rtc-admission.ts';

const req = (authorization?: string) => ({ headers: authorization === undefined ? {} : { authorization } }) as IncomingMessage;
const url = (q: string) => new URL(`http://node/rtc/v1/whip/${q}`);

describe('rtcStreamRequest (SRS WHIP/WHEP query)', () => {
  it.each([
    { name: 'SRS query', q: '?app=live&stream=cam&token=t1', auth: undefined, want: { app: 'live', stream: 'cam', param: '?app=live&stream=cam&token=t1' } },
    { name: 'SRS defaults', q: '', auth: undefined, want: { app: 'live', stream: 'livestream', param: '' } },
    { name: 'Bearer token as param', q: '?app=live&stream=cam', auth: 'Bearer abc', want: { app: 'live', stream: 'cam', param: '?app=live&stream=cam&token=abc' } },
    { name: "a control plane's WHIP URL: the Bearer stream key names the stream", q: '?app=live', auth: 'Bearer rnlkey123', want: { app: 'live', stream: 'rnlkey123', param: '?app=live&token=rnlkey123' } },
  ])('$name', ({ q, auth, want }) => {
    expect(rtcStreamRequest(req(auth), url(q))).toEqual(want);
  });

  it('refuses names the hub refuses', () => {
    expect(() => rtcStreamRequest(req(), url('?app=live&stream=../x'))).toThrow(expect.objectContaining({ code: 'rtc_bad_stream' }));
  });
});
