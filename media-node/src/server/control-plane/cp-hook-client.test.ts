import { describe, expect, it } from 'vitest';
import { buildHookBody } from '../hooks/hook-body.ts';
import type { HookAction, HookRequest } from '../hooks/hook-body.ts';
import { cpHookBody } from './cp-hook-client.ts';

/** The control plane's hook bodies: SRS's body plus `protocol` from the tcUrl scheme on stream events only. */

const ids = { serverId: 'node-1', serviceId: 'svc1' };
const request = (tcUrl: string): HookRequest => ({ clientId: 'c1', ip: '127.0.0.1', vhost: '__defaultVhost__', app: 'live', stream: 'k', param: '', tcUrl, pageUrl: '' });

const cases: Array<[action: HookAction, tcUrl: string, protocol: string | undefined]> = [
  ['on_publish', 'rtmp://127.0.0.1:1935/live', 'rtmp'],
  ['on_publish', 'RTMPS://example.com/live', 'rtmp'],
  ['on_unpublish', 'rtmp://127.0.0.1/live', 'rtmp'],
  ['on_play', 'webrtc://example.com/live', 'webrtc'],
  ['on_hls', 'srt://example.com:10080/live', 'srt'],
  ['on_publish', '', undefined],
  ['on_publish', 'gopher://example.com/live', undefined],
  ['on_publish', 'rtmp:/no-slashes', undefined],
  ['on_connect', 'rtmp://127.0.0.1/live', undefined],
  ['on_close', 'rtmp://127.0.0.1/live', undefined],
];

describe('cpHookBody', () => {
  it.each(cases)('%s with tcUrl %j carries protocol %j', (action, tcUrl, protocol) => {
    const body = cpHookBody(action, ids, request(tcUrl));
    expect(body.protocol).toBe(protocol);
    // Everything SRS sends is there unchanged; only `protocol` is added.
    const { protocol: _, ...rest } = body;
    expect(rest).toEqual(buildHookBody(action, ids, request(tcUrl)));
  });
});
