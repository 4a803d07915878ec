import { hookBodySchema } from '@runnel/shared/hook-api';
import { describe, expect, it } from 'vitest';
import { buildHookBody, hookParam, streamUrl } from './hook-body.ts';
import type { HookAction, HookRequest } from './hook-body.ts';

const ids = { serverId: 'vid-0xk989d', serviceId: '3y1tcaw2' };

const publisher: HookRequest = {
  clientId: '341w361a',
  ip: '127.0.0.1',
  vhost: '__defaultVhost__',
  app: 'live',
  stream: 'livestream',
  param: '?token=abc',
  tcUrl: 'rtmp://127.0.0.1:1935/live',
  pageUrl: '',
  streamId: 'vid-124q9y3',
  sendBytes: 3512,
  recvBytes: 9120344,
  cwd: '/usr/local/srs',
  file: '/data/live/livestream.1420282650776.flv',
  duration: 9.36,
  url: 'live/livestream-476584165.ts',
  m3u8: '/data/hls/live/livestream.m3u8',
  m3u8Url: 'live/livestream.m3u8',
  seqNo: 100,
};

/** The SRS 6 bodies (srs.md 3.2 and its on_publish example; on_dvr and on_hls from SRS 6 `SrsHttpHooks::on_dvr`/`on_hls`), keys in SRS's order. */
const golden: ReadonlyArray<{ action: HookAction; body: Record<string, string | number> }> = [
  {
    action: 'on_connect',
    body: {
      server_id: 'vid-0xk989d', service_id: '3y1tcaw2', action: 'on_connect', client_id: '341w361a', ip: '127.0.0.1',
      vhost: '__defaultVhost__', app: 'live', stream: 'livestream', param: '?token=abc', tcUrl: 'rtmp://127.0.0.1:1935/live', pageUrl: '',
    },
  },
  {
    action: 'on_close',
    body: {
      server_id: 'vid-0xk989d', service_id: '3y1tcaw2', action: 'on_close', client_id: '341w361a', ip: '127.0.0.1',
      vhost: '__defaultVhost__', app: 'live', send_bytes: 3512, recv_bytes: 9120344,
    },
  },
  {
    action: 'on_publish',
    body: {
      server_id: 'vid-0xk989d', service_id: '3y1tcaw2', action: 'on_publish', client_id: '341w361a', ip: '127.0.0.1',
      vhost: '__defaultVhost__', app: 'live', tcUrl: 'rtmp://127.0.0.1:1935/live', stream: 'livestream', param: '?token=abc',
      stream_url: '/live/livestream', stream_id: 'vid-124q9y3',
    },
  },
  {
    action: 'on_unpublish',
    body: {
      server_id: 'vid-0xk989d', service_id: '3y1tcaw2', action: 'on_unpublish', client_id: '341w361a', ip: '127.0.0.1',
      vhost: '__defaultVhost__', app: 'live', tcUrl: 'rtmp://127.0.0.1:1935/live', stream: 'livestream', param: '?token=abc',
      stream_url: '/live/livestream', stream_id: 'vid-124q9y3',
    },
  },
  {
    action: 'on_play',
    body: {
      server_id: 'vid-0xk989d', service_id: '3y1tcaw2', action: 'on_play', client_id: '341w361a', ip: '127.0.0.1',
      vhost: '__defaultVhost__', app: 'live', stream: 'livestream', tcUrl: 'rtmp://127.0.0.1:1935/live', param: '?token=abc', pageUrl: '',
      stream_url: '/live/livestream', stream_id: 'vid-124q9y3',
    },
  },
  {
    action: 'on_dvr',
    body: {
      server_id: 'vid-0xk989d', service_id: '3y1tcaw2', action: 'on_dvr', client_id: '341w361a', ip: '127.0.0.1',
      vhost: '__defaultVhost__', app: 'live', tcUrl: 'rtmp://127.0.0.1:1935/live', stream: 'livestream', param: '?token=abc',
      cwd: '/usr/local/srs', file: '/data/live/livestream.1420282650776.flv', stream_url: '/live/livestream', stream_id: 'vid-124q9y3',
    },
  },
  {
    action: 'on_hls',
    body: {
      server_id: 'vid-0xk989d', service_id: '3y1tcaw2', action: 'on_hls', client_id: '341w361a', ip: '127.0.0.1',
      vhost: '__defaultVhost__', app: 'live', tcUrl: 'rtmp://127.0.0.1:1935/live', stream: 'livestream', param: '?token=abc',
      duration: 9.36, cwd: '/usr/local/srs', file: '/data/live/livestream.1420282650776.flv', url: 'live/livestream-476584165.ts',
      m3u8: '/data/hls/live/livestream.m3u8', m3u8_url: 'live/livestream.m3u8', seq_no: 100, stream_url: '/live/livestream', stream_id: 'vid-124q9y3',
    },
  },
  {
    action: 'on_stop',
    body: {
      server_id: 'vid-0xk989d', service_id: '3y1tcaw2', action: 'on_stop', client_id: '341w361a', ip: '127.0.0.1',
      vhost: '__defaultVhost__', app: 'live', tcUrl: 'rtmp://127.0.0.1:1935/live', stream: 'livestream', param: '?token=abc',
      stream_url: '/live/livestream', stream_id: 'vid-124q9y3',
    },
  },
];

describe('buildHookBody', () => {
  it.each(golden)('$action has exactly SRS fields, in order', (g) => {
    const body = buildHookBody(g.action, ids, publisher);
    expect(body).toEqual(g.body);
    expect(Object.keys(body)).toEqual(Object.keys(g.body));
    expect(JSON.stringify(body)).toBe(JSON.stringify(g.body));
  });

  it.each(golden)('$action passes the control plane\'s contract (shared hookBodySchema)', (g) => {
    expect(hookBodySchema.parse(buildHookBody(g.action, ids, publisher))).toMatchObject({ action: g.action });
  });

  it('leaves stream_id out when the stream does not exist yet (as SRS does)', () => {
    const { streamId: _, ...first } = publisher;
    const body = buildHookBody('on_publish', ids, first);
    expect(body).not.toHaveProperty('stream_id');
    expect(body.stream_url).toBe('/live/livestream');
  });

  it('sends byte counts as integers', () => {
    const body = buildHookBody('on_close', ids, { ...publisher, sendBytes: 10.7, recvBytes: undefined });
    expect(body.send_bytes).toBe(10);
    expect(body.recv_bytes).toBe(0);
  });

  it('sends on_hls duration in seconds at ms resolution and seq_no as an integer', () => {
    const body = buildHookBody('on_hls', ids, { ...publisher, duration: 1001 / 1000, seqNo: 7.9 });
    expect(body.duration).toBe(1.001);
    expect(body.seq_no).toBe(7);
    expect(buildHookBody('on_hls', ids, { ...publisher, duration: 2.0004 }).duration).toBe(2);
  });

  it('adds recv_bytes to on_unpublish only when the publisher\'s byte count is known (SRS sends none)', () => {
    const body = buildHookBody('on_unpublish', ids, { ...publisher, publishedBytes: 9120344.9 });
    expect(body.recv_bytes).toBe(9120344);
    expect(hookBodySchema.parse(body)).toMatchObject({ action: 'on_unpublish', recv_bytes: 9120344 });
    expect('recv_bytes' in buildHookBody('on_unpublish', ids, publisher)).toBe(false);
  });

  it('adds url to on_dvr only when the recording has one (a bucket behind a CDN); SRS bodies stay as they are', () => {
    const body = buildHookBody('on_dvr', ids, { ...publisher, file: 'rec/live/cam.1.mp4', recordingUrl: 'https://cdn.example/rec/live/cam.1.mp4' });
    expect(Object.keys(body)).toEqual([...Object.keys(golden.find((g) => g.action === 'on_dvr')!.body)].toSpliced(12, 0, 'url'));
    expect(body.url).toBe('https://cdn.example/rec/live/cam.1.mp4');
    expect(hookBodySchema.parse(body)).toMatchObject({ action: 'on_dvr', file: 'rec/live/cam.1.mp4' });
    expect(buildHookBody('on_hls', ids, { ...publisher, recordingUrl: 'https://x/y' }).url).toBe(publisher.url);
  });

  it('carries names and queries as JSON string data only', () => {
    const evil = { ...publisher, stream: '$(touch /tmp/pwn)', param: '?a=`id`;b=$(x)' };
    const parsed = JSON.parse(JSON.stringify(buildHookBody('on_play', ids, evil))) as Record<string, unknown>;
    expect(parsed.stream).toBe('$(touch /tmp/pwn)');
    expect(parsed.param).toBe('?a=`id`;b=$(x)');
  });
});

describe('streamUrl and hookParam', () => {
  it('omits the default vhost and keeps any other (SRS get_stream_url)', () => {
    expect(streamUrl('__defaultVhost__', 'live', 'cam')).toBe('/live/cam');
    expect(streamUrl('video.test.com', 'live', 'livestream')).toBe('video.test.com/live/livestream');
  });

  it('puts the ? back on a query and leaves empty or ?-queries alone', () => {
    expect(hookParam('token=good')).toBe('?token=good');
    expect(hookParam('?token=good')).toBe('?token=good');
    expect(hookParam('')).toBe('');
  });
});
