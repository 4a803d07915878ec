import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { flv } from '../../hub/fake-stream.ts';
import { MSG } from '../../protocol/rtmp/message.ts';
import { createMemoryLogger } from '../log/memory-logger.ts';
import { FakeRtmpServer } from './fake-dialer.ts';
import { RtmpClient, RtmpClientError } from './rtmp-client.ts';
import type { RtmpClientMedia, RtmpClientOptions } from './rtmp-client.ts';

const URL = 'rtmp://origin.test:1936/live/cam?token=secret';

/** Lets the fake's microtask deliveries run (handshake, connect, publish take a few round trips). */
async function flush(): Promise<void> {
  for (let i = 0; i < 50; i++) await Promise.resolve();
}

function setup(extra: Partial<RtmpClientOptions> = {}) {
  const server = new FakeRtmpServer(() => Date.now());
  const states: string[] = [];
  const errors: RtmpClientError[] = [];
  const media: RtmpClientMedia[] = [];
  const log = createMemoryLogger('debug');
  const client = new RtmpClient({
    url: URL,
    mode: 'publish',
    dial: server.dial,
    now: () => Date.now(),
    random: () => 0,
    reconnect: { initialDelayMs: 100, maxDelayMs: 400 },
    logger: log,
    onState: (s, why) => states.push(why ? `${s}:${why}` : s),
    onError: (e) => errors.push(e),
    onMedia: (m) => media.push(m),
    ...extra,
  });
  return { server, client, states, errors, media, log };
}

const types = (msgs: readonly { typeId: number }[]): number[] => msgs.map((m) => m.typeId);

beforeEach(() => {
  vi.useFakeTimers();
});

afterEach(() => {
  vi.useRealTimers();
});

describe('RtmpClient publishing', () => {
  it('connects, writes the headers it was given before publishing first, and starts video at a keyframe', async () => {
    const { server, client, states, log } = setup();
    client.start();
    expect(client.sendMedia('data', 0, flv.setDataFrameMetadata())).toBe(false);
    expect(client.sendMedia('video', 0, flv.avcSequenceHeader())).toBe(false);
    expect(client.sendMedia('audio', 0, flv.aacSequenceHeader())).toBe(false);
    await flush();
    expect(states).toEqual(['connecting', 'connected', 'publishing']);
    expect(server.dials).toEqual(['origin.test:1936']);
    const conn = server.last;
    expect(conn.events).toContain('publish');
    expect(types(conn.media)).toEqual([MSG.dataAmf0, MSG.video, MSG.audio]);
    expect(conn.media[0].payload).toEqual(flv.setDataFrameMetadata().subarray(16)); // the server strips @setDataFrame
    expect(conn.media[1].payload).toEqual(flv.avcSequenceHeader());

    expect(client.sendMedia('video', 40, flv.avcInterframe())).toBe(false);
    expect(client.sendMedia('video', 80, flv.avcKeyframe())).toBe(true);
    expect(client.sendMedia('audio', 85, flv.aacFrame())).toBe(true);
    expect(client.sendMedia('video', 120, flv.avcInterframe())).toBe(true);
    expect(conn.media.slice(3).map((m) => [m.typeId, m.timestamp])).toEqual([[9, 80], [8, 85], [9, 120]]);
    expect(client.stats.publish).toMatchObject({ sent: 3, droppedDisconnected: 3, droppedVideo: 1 }); // headers were written on publish, not by sendMedia
    // tokens in the query never reach the log
    expect(log.lines().join('\n')).not.toContain('secret');
    expect(log.events('publishing')).toHaveLength(1);
    await client.close();
  });

  it('reconnects after the server drops it, re-sends metadata and headers at the last timestamp, resumes at a keyframe', async () => {
    const { server, client, states, errors } = setup();
    client.start();
    client.sendMedia('data', 0, flv.setDataFrameMetadata());
    client.sendMedia('video', 0, flv.avcSequenceHeader());
    client.sendMedia('audio', 0, flv.aacSequenceHeader());
    await flush();
    client.sendMedia('video', 1000, flv.avcKeyframe());
    server.last.kick();
    await flush();
    expect(client.state).toBe('disconnected');
    expect(states.at(-1)).toBe('disconnected:socket_closed');
    expect(errors.map((e) => [e.code, e.willRetry])).toEqual([['socket_closed', true]]);
    expect(client.sendMedia('video', 1040, flv.avcKeyframe())).toBe(false);

    await vi.advanceTimersByTimeAsync(99); // random 0: exactly initialDelayMs
    expect(server.dials).toHaveLength(1);
    await vi.advanceTimersByTimeAsync(1);
    await flush();
    expect(server.dials).toHaveLength(2);
    expect(client.state).toBe('publishing');
    const second = server.last;
    expect(second.media.map((m) => [m.typeId, m.timestamp])).toEqual([[18, 1040], [9, 1040], [8, 1040]]);
    expect(client.sendMedia('video', 1080, flv.avcInterframe())).toBe(false);
    expect(client.sendMedia('video', 1120, flv.avcKeyframe())).toBe(true);
    expect(client.stats).toMatchObject({ attempts: 2, sessions: 2 });
    expect(client.stats.publish.droppedDisconnected).toBe(4); // 3 headers before the first publish + 1 frame while disconnected
    await client.close();
  });

  it('backs off exponentially while refused, then gives up after maxAttempts', async () => {
    const { server, client, states, errors } = setup({ reconnect: { initialDelayMs: 100, maxDelayMs: 300, maxAttempts: 3 } });
    server.mode = 'refuse';
    client.start();
    const dialTimes: number[] = [];
    const t0 = Date.now();
    for (let i = 0; i < 40; i++) {
      const before = server.dials.length;
      await vi.advanceTimersByTimeAsync(25);
      await flush();
      if (server.dials.length > before) dialTimes.push(Date.now() - t0);
    }
    // first dial at 0 (not seen by the loop), then 100, 200, 300 ms after each failure
    expect(dialTimes).toEqual([100, 300, 600]);
    expect(errors.map((e) => e.code)).toEqual(['socket_error', 'socket_error', 'socket_error', 'reconnect_exhausted']);
    expect(errors.at(-1)!.willRetry).toBe(false);
    expect(errors[0].message).toContain('ECONNREFUSED');
    expect(states.at(-1)).toBe('closed:reconnect_exhausted');
    expect(vi.getTimerCount()).toBe(0);
  });

  it('reconnect: false makes one attempt only', async () => {
    const { server, client, states } = setup({ reconnect: false });
    server.mode = 'refuse';
    client.start();
    await flush();
    await vi.advanceTimersByTimeAsync(5000);
    expect(server.dials).toHaveLength(1);
    expect(states).toEqual(['connecting', 'closed:socket_error']);
  });

  it('a server that never answers hits connectTimeoutMs and is retried', async () => {
    const { server, client, errors } = setup({ connectTimeoutMs: 1000 });
    server.mode = 'silent';
    client.start();
    await vi.advanceTimersByTimeAsync(999);
    expect(errors).toHaveLength(0);
    await vi.advanceTimersByTimeAsync(1); // the 250 ms tick at 1000 ms
    expect(errors.map((e) => e.code)).toEqual(['connect_timeout']);
    expect(client.state).toBe('disconnected');
    await vi.advanceTimersByTimeAsync(100);
    expect(server.dials).toHaveLength(2);
    await client.close();
  });

  it('sheds video while the socket is backed up and resumes at a keyframe', async () => {
    const { server, client } = setup({ maxBufferedBytes: 1000 });
    client.start();
    await flush();
    expect(client.sendMedia('video', 0, flv.avcKeyframe())).toBe(true);
    server.buffered = 1500;
    expect(client.sendMedia('video', 40, flv.avcInterframe())).toBe(false);
    expect(client.sendMedia('audio', 45, flv.aacFrame())).toBe(true);
    server.buffered = 2500;
    expect(client.sendMedia('audio', 60, flv.aacFrame())).toBe(false);
    expect(client.sendMedia('video', 60, flv.avcSequenceHeader())).toBe(true);
    server.buffered = 0;
    expect(client.sendMedia('video', 80, flv.avcInterframe())).toBe(false);
    expect(client.sendMedia('video', 120, flv.avcKeyframe())).toBe(true);
    expect(client.stats.publish).toMatchObject({ droppedVideo: 2, droppedAudio: 1 });
    expect(types(server.last.media)).toEqual([9, 8, 9, 9]);
    await client.close();
  });

  it('close() says goodbye, stops retrying, and later sends are dropped', async () => {
    const { server, client, states } = setup();
    client.start();
    await flush();
    await client.close();
    expect(server.last.events).toContain('unpublish');
    expect(states.at(-1)).toBe('closed:closed');
    await vi.advanceTimersByTimeAsync(10_000);
    expect(server.dials).toHaveLength(1);
    expect(client.sendMedia('video', 0, flv.avcKeyframe())).toBe(false);
    await client.close();
    client.start();
    expect(server.dials).toHaveLength(1);
  });

  it('close() while connecting or waiting to retry ends at once', async () => {
    const a = setup();
    a.server.mode = 'silent';
    a.client.start();
    await a.client.close();
    expect(a.client.state).toBe('closed');
    const b = setup();
    b.server.mode = 'refuse';
    b.client.start();
    await flush();
    expect(b.client.state).toBe('disconnected');
    await b.client.close();
    await vi.advanceTimersByTimeAsync(1000);
    expect(b.server.dials).toHaveLength(1);
    expect(vi.getTimerCount()).toBe(0);
  });

  it('bytes that are not RTMP end the connection with the protocol error code and a retry, never a throw', async () => {
    const { server, client, errors } = setup();
    client.start();
    await flush();
    // Set Chunk Size 0 (Adobe RTMP spec 5.4.1: 1..2^31-1; we require >= 128)
    server.last.toClient(Uint8Array.from([0x02, 0, 0, 0, 0, 0, 4, 1, 0, 0, 0, 0, 0, 0, 0, 0]));
    await flush();
    expect(errors.map((e) => e.code)).toEqual(['chunk_size_out_of_range']);
    expect(client.state).toBe('disconnected');
    await vi.advanceTimersByTimeAsync(100);
    await flush();
    expect(client.state).toBe('publishing');
    await client.close();
  });

  it('a dialer that throws is a socket error, retried', async () => {
    const { client, errors } = setup({
      dial: () => {
        throw new Error('no route');
      },
    });
    client.start();
    expect(errors.map((e) => [e.code, e.willRetry])).toEqual([['socket_error', true]]);
    await client.close();
  });

  it('a throwing callback is logged and does not break the connection', async () => {
    const { server, client, log } = setup({
      onState: () => {
        throw new Error('caller bug');
      },
    });
    client.start();
    await flush();
    expect(client.state).toBe('publishing');
    expect(server.last.events).toContain('publish');
    expect(log.events('callback_error').length).toBeGreaterThan(0);
    await client.close();
  });
});

describe('RtmpClient playing', () => {
  it('delivers media with kind and keyframe/sequence-header flags', async () => {
    const { server, client, media, states } = setup({ mode: 'play' });
    client.start();
    await flush();
    expect(states).toEqual(['connecting', 'connected', 'playing']);
    const conn = server.last;
    expect(conn.events).toContain('play');
    conn.play(MSG.dataAmf0, 0, flv.setDataFrameMetadata().subarray(16));
    conn.play(MSG.video, 0, flv.avcSequenceHeader());
    conn.play(MSG.audio, 0, flv.aacSequenceHeader());
    conn.play(MSG.video, 40, flv.avcKeyframe());
    conn.play(MSG.audio, 45, flv.aacFrame());
    conn.play(MSG.video, 80, flv.avcInterframe());
    await flush();
    expect(media.map((m) => [m.kind, m.timestamp, m.keyframe, m.sequenceHeader])).toEqual([
      ['data', 0, false, true],
      ['video', 0, false, true],
      ['audio', 0, false, true],
      ['video', 40, true, false],
      ['audio', 45, false, false],
      ['video', 80, false, false],
    ]);
    expect(media[3].payload).toEqual(flv.avcKeyframe());
    expect(client.stats.mediaReceived).toBe(6);
    expect(() => client.sendMedia('video', 0, flv.avcKeyframe())).toThrow();
    await client.close();
  });

  it('reconnects when nothing arrives for idleTimeoutMs, and plays again', async () => {
    const { server, client, errors } = setup({ mode: 'play', idleTimeoutMs: 2000 });
    client.start();
    await flush();
    await vi.advanceTimersByTimeAsync(1500);
    server.last.play(MSG.audio, 0, flv.aacFrame());
    await flush();
    await vi.advanceTimersByTimeAsync(1900);
    expect(errors).toHaveLength(0);
    await vi.advanceTimersByTimeAsync(350);
    expect(errors.map((e) => e.code)).toEqual(['idle_timeout']);
    await vi.advanceTimersByTimeAsync(100);
    await flush();
    expect(client.state).toBe('playing');
    expect(server.connections).toHaveLength(2);
    expect(server.connections[0].isClosed).toBe(true);
    await client.close();
  });
});

describe('RtmpClient options', () => {
  it.each(['http://h/live/s', 'rtmp://h/live', 'rtmps://h/live/s', 'rtmp:///live/s', 'nonsense'])('refuses the URL %s', (url) => {
    expect(() => new RtmpClient({ url, mode: 'play' })).toThrow(RangeError);
  });

  it.each([{ connectTimeoutMs: 0 }, { idleTimeoutMs: -1 }, { maxBufferedBytes: 0 }, { reconnect: { jitter: 2 } }])('refuses %o', (o) => {
    expect(() => new RtmpClient({ url: URL, mode: 'publish', ...o })).toThrow(RangeError);
  });

  it('does not put the query in errors about the URL', () => {
    expect(() => new RtmpClient({ url: 'rtmp://h/live?token=secret', mode: 'play' })).toThrow(/^(?!.*secret)/);
  });

  it('errors carry a code and say whether a retry follows', () => {
    const e = new RtmpClientError('socket_error', 'connect ECONNREFUSED', true);
    expect(e).toBeInstanceOf(Error);
    expect(e.message).toBe('socket_error: connect ECONNREFUSED');
    expect(e.willRetry).toBe(true);
  });
});
