import { describe, expect, it } from 'vitest';
import { parseStreamUrl } from './srs-rtc-api.ts';
import { RtcProblem } from './rtc-problem.ts';

describe('parseStreamUrl (SRS 4 /rtc/v1/play/ and /publish/ streamurl)', () => {
  it.each([
    { url: 'webrtc://host/live/livestream', want: { app: 'live', stream: 'livestream', param: '' } },
    { url: 'webrtc://host:1985/live/s1?token=abc&x=1', want: { app: 'live', stream: 's1', param: '?token=abc&x=1' } },
    { url: 'webrtc://[::1]/app/st-ream', want: { app: 'app', stream: 'st-ream', param: '' } },
  ])('reads $url', ({ url, want }) => {
    expect(parseStreamUrl(url)).toEqual(want);
  });

  it.each(['http://host/live/s', 'webrtc://host/live', 'webrtc://host/a/b/c', 'webrtc://host/live/..', 'webrtc://host/live/%ZZ', 'not a url'])('refuses %s', (url) => {
    expect(() => parseStreamUrl(url)).toThrow(RtcProblem);
  });
});
