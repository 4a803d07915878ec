import { describe, expect, it } from 'vitest';
import type { RtmpConnectInfo } from '../../protocol/rtmp/connect-request.ts';
import { FakeHookClient } from '../hooks/fake-hook-client.ts';
import { RtmpHookCalls } from './rtmp-hooks.ts';

function connectInfo(param = ''): RtmpConnectInfo {
  return {
    app: 'live',
    tcUrl: 'rtmp://127.0.0.1:1935/live',
    host: '127.0.0.1',
    port: 1935,
    vhost: '__defaultVhost__',
    param,
    objectEncoding: 0,
    flashVer: 'FMLE/3.0',
    swfUrl: '',
    pageUrl: 'http://example.com/page',
    commandObject: {},
  };
}

/** Lets pending promise callbacks run. */
const flush = (): Promise<void> => new Promise((r) => setImmediate(r));

function setup() {
  const fake = new FakeHookClient();
  const calls = new RtmpHookCalls(fake, { clientId: 'c0ffee01', ip: '10.1.2.3' });
  return { fake, calls };
}

describe('RtmpHookCalls', () => {
  it('holds on_publish until on_connect has answered', async () => {
    const { fake, calls } = setup();
    fake.hold();
    void calls.connect(connectInfo());
    const publish = calls.publish({ stream: 'cam', param: 'token=good' });
    await flush();
    expect(fake.actions()).toEqual(['on_connect']);
    fake.release();
    expect(await publish).toEqual({ ok: true });
    expect(fake.actions()).toEqual(['on_connect', 'on_publish']);
  });

  it('a refused on_connect refuses publish and play without calling them, and sends no on_close', async () => {
    const { fake, calls } = setup();
    fake.deny('on_connect', 'auth_unavailable', 'status 500');
    expect(await calls.connect(connectInfo())).toMatchObject({ ok: false, reason: 'auth_unavailable' });
    expect(await calls.publish({ stream: 'cam', param: '' })).toMatchObject({ ok: false, reason: 'auth_unavailable' });
    expect(await calls.play({ stream: 'cam', param: '' })).toMatchObject({ ok: false, reason: 'auth_unavailable' });
    calls.close(10, 20);
    await calls.settled();
    expect(fake.actions()).toEqual(['on_connect']);
  });

  it('passes a refused on_publish through', async () => {
    const { fake, calls } = setup();
    fake.deny('on_publish', 'hook_rejected', 'code 1');
    void calls.connect(connectInfo());
    expect(await calls.publish({ stream: 'cam', param: 'token=bad' })).toMatchObject({ ok: false, reason: 'hook_rejected', detail: 'code 1' });
  });

  it('sends on_unpublish with the bytes received, then on_close with the byte counts', async () => {
    const { fake, calls } = setup();
    void calls.connect(connectInfo());
    await calls.publish({ stream: 'cam', param: '' });
    calls.unpublish({ stream: 'cam', param: '', streamId: 'vid-abc1234' }, 9120000);
    calls.close(3512, 9120344);
    await calls.settled();
    expect(fake.actions()).toEqual(['on_connect', 'on_publish', 'on_unpublish', 'on_close']);
    expect(fake.calls[2].request).toMatchObject({ stream: 'cam', streamId: 'vid-abc1234', publishedBytes: 9120000 });
    expect(fake.calls[3].request).toMatchObject({ sendBytes: 3512, recvBytes: 9120344, stream: '' });
  });

  it('sends on_close only once on_connect admitted, even if the connection closed while it was pending', async () => {
    const { fake, calls } = setup();
    fake.hold();
    void calls.connect(connectInfo());
    calls.close(1, 2);
    await flush();
    expect(fake.actions()).toEqual(['on_connect']);
    fake.release();
    await calls.settled();
    expect(fake.actions()).toEqual(['on_connect', 'on_close']);
  });

  it('sends no on_close for a connection that never sent connect', async () => {
    const { fake, calls } = setup();
    calls.close(0, 100);
    await calls.settled();
    expect(fake.calls).toHaveLength(0);
  });

  it('builds the request from connect and the stream: query with ?, tcUrl, pageUrl, vhost of the stream', async () => {
    const { fake, calls } = setup();
    void calls.connect(connectInfo('vhost=v1'));
    await calls.play({ vhost: 'v2', stream: 'cam', param: 'token=good', streamId: 'vid-0000001' });
    expect(fake.calls[0].request).toEqual({
      clientId: 'c0ffee01', ip: '10.1.2.3', vhost: '__defaultVhost__', app: 'live', stream: '', param: '?vhost=v1',
      tcUrl: 'rtmp://127.0.0.1:1935/live', pageUrl: 'http://example.com/page', streamId: undefined,
    });
    expect(fake.calls[1].request).toEqual({
      clientId: 'c0ffee01', ip: '10.1.2.3', vhost: 'v2', app: 'live', stream: 'cam', param: '?token=good&vhost=v1',
      tcUrl: 'rtmp://127.0.0.1:1935/live', pageUrl: 'http://example.com/page', streamId: 'vid-0000001',
    });
  });
});
