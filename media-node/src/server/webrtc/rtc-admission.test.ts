import type { IncomingMessage } from 'node:http';
import { describe, expect, it } from 'vitest';
import { FakeClock } from '../../hub/clock.ts';
import { StreamRegistry } from '../../hub/stream-registry.ts';
import { ClientRegistry } from '../clients.ts';
import { FakeHookClient } from '../hooks/fake-hook-client.ts';
import { createMemoryLogger } from '../log/index.ts';
import { admitRtcClient, rtcStreamRequest } from './rtc-admission.ts';
import type { RtcDeps } from './rtc-deps.ts';

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

describe('admitRtcClient', () => {
  const deps = (hooks: FakeHookClient) =>
    ({ streams: new StreamRegistry({ clock: new FakeClock() }), clients: new ClientRegistry(), log: createMemoryLogger('warn'), hooks }) as unknown as RtcDeps;

  it("takes a control plane's rename and recording mode for a publish (and neither for a play)", async () => {
    const hooks = new FakeHookClient();
    hooks.admitWith('on_publish', { ok: true, streamName: 'pb1', record: false });
    const s = rtcStreamRequest(req('Bearer key1'), url('?app=live'));
    const pub = await admitRtcClient(deps(hooks), req(), 'publish', s, '127.0.0.1');
    expect([pub.key.stream, pub.record]).toEqual(['pb1', false]);
    hooks.admitWith('on_play', { ok: true, streamName: 'ignored', record: true });
    const play = await admitRtcClient(deps(hooks), req(), 'play', s, '127.0.0.1');
    expect([play.key.stream, 'record' in play]).toEqual(['key1', false]);
  });

  it('refuses with 403 when the hook says no', async () => {
    const hooks = new FakeHookClient();
    hooks.deny('on_publish');
    await expect(admitRtcClient(deps(hooks), req(), 'publish', { app: 'live', stream: 'x', param: '' }, '127.0.0.1')).rejects.toMatchObject({ status: 403 });
  });
});
