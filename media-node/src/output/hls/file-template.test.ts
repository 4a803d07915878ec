import { describe, expect, it } from 'vitest';
import { expandTemplate, segmentUri } from './file-template.ts';

const names = { vhost: '__defaultVhost__', app: 'live', stream: 'livestream' };
const t = Date.UTC(2026, 10, 3, 7, 4, 5, 9);

describe('hls file templates (SRS hls_ts_file / hls_m3u8_file)', () => {
  it.each([
    { template: '[app]/[stream]-[seq].ts', want: 'live/livestream-42.ts' },
    { template: '[app]/[stream].m3u8', want: 'live/livestream.m3u8' },
    { template: '[vhost]/[app]/[stream]/[2006]-[01]-[02]/[15][04][05].[999]-[seq].ts', want: '__defaultVhost__/live/livestream/2026-11-03/070405.009-42.ts' },
    { template: '[app]/[stream]-[timestamp]-[duration].ts', want: `live/livestream-${t}-10010.ts` },
    { template: 'tenant1/[stream]/live/s1/[seq].ts', want: 'tenant1/livestream/live/s1/42.ts' },
  ])('expands $template', ({ template, want }) => {
    expect(expandTemplate(template, { ...names, seq: 42, timeMs: t, durationMs: 10_010.4 })).toBe(want);
  });

  it.each(['[app]/[strem].ts', '../[app]/x.ts', '/abs/[seq].ts', '[app]/[seq].ts'])('refuses %j when it does not make a safe key', (template) => {
    expect(() => expandTemplate(template, names)).toThrow(expect.objectContaining({ code: 'storage_bad_key' }));
  });

  it('refuses a stream name that would leave the root (the hub allowlists them; this is the second fence)', () => {
    expect(() => expandTemplate('[app]/[stream].m3u8', { ...names, stream: '../../etc/x' })).toThrow(expect.objectContaining({ code: 'storage_bad_key' }));
  });
});

describe('segment URIs in the playlist (SRS segment_open)', () => {
  it.each([
    { ts: 'live/livestream-0.ts', m3u8: 'live/livestream.m3u8', prefix: '', want: 'livestream-0.ts' },
    { ts: 'live/livestream/2026/0.ts', m3u8: 'live/livestream.m3u8', prefix: '', want: 'livestream/2026/0.ts' },
    { ts: 's-0.ts', m3u8: 's.m3u8', prefix: '', want: 's-0.ts' },
    { ts: 'segs/live/s-0.ts', m3u8: 'live/s.m3u8', prefix: '', want: '/segs/live/s-0.ts' },
    { ts: 'live/livestream-0.ts', m3u8: 'live/livestream.m3u8', prefix: 'http://your-server', want: 'http://your-server/live/livestream-0.ts' },
    { ts: 'live/livestream-0.ts', m3u8: 'live/livestream.m3u8', prefix: 'https://cdn.example.com/hls/', want: 'https://cdn.example.com/hls/livestream-0.ts' },
  ])('$ts in $m3u8 with prefix "$prefix"', ({ ts, m3u8, prefix, want }) => {
    expect(segmentUri(ts, m3u8, prefix)).toBe(want);
  });
});
