import { describe, expect, it } from 'vitest';
import { ingestMbps, MAX_API_REPLY_CHARS, parseStreamsReply, type StreamCounters } from './stream-stats.ts';

/** The shape the node's API answers (server/api/node-stats.ts StreamStat), trimmed to what matters plus noise. */
function reply(streams: readonly object[]): string {
  return JSON.stringify({ code: 0, server: 'vid-x', service: 'y', pid: '1', streams });
}

const STREAM = { id: 's1', name: 'bench-1', vhost: 'vid-1', app: 'live', tcUrl: 'rtmp://127.0.0.1/live', url: '/live/bench-1', live_ms: 1, clients: 1, frames: 10, send_bytes: 0, recv_bytes: 123_456, kbps: { recv_30s: 2000, send_30s: 0 }, publish: { active: true, cid: 'abc' }, video: null, audio: null };

describe('parseStreamsReply', () => {
  it('reads app, name, bytes received and whether it publishes', () => {
    expect(parseStreamsReply(reply([STREAM, { ...STREAM, name: 'bench-2', recv_bytes: 7, publish: { active: false } }]))).toEqual([
      { app: 'live', name: 'bench-1', recvBytes: 123_456, publishing: true },
      { app: 'live', name: 'bench-2', recvBytes: 7, publishing: false },
    ]);
  });

  it.each([
    { name: 'an API error', text: JSON.stringify({ code: 2048, streams: [] }), error: /not an SRS streams reply/ },
    { name: 'no streams list', text: JSON.stringify({ code: 0 }), error: /not an SRS streams reply/ },
    { name: 'a stream without counters', text: reply([{ ...STREAM, recv_bytes: '5' }]), error: /streams\[0\]/ },
    { name: 'a stream without publish', text: reply([{ name: 'x', app: 'live', recv_bytes: 1 }]), error: /streams\[0\]/ },
    { name: 'not JSON', text: '<html>', error: /JSON/ },
    { name: 'a reply past the limit', text: ' '.repeat(MAX_API_REPLY_CHARS + 1), error: /longer than/ },
  ])('refuses $name', (c) => {
    expect(() => parseStreamsReply(c.text)).toThrow(c.error);
  });
});

describe('ingestMbps', () => {
  const at = (recvBytes: number, publishing = true): StreamCounters[] => [{ app: 'live', name: 'bench-1', recvBytes, publishing }];

  it('turns the byte delta over the window into Mbit/s', () => {
    // 2.5 MB in 10 s = 2 Mbit/s
    expect(ingestMbps(at(1_000), at(2_501_000), ['live/bench-1'], 10_000)[0]).toBeCloseTo(2, 9);
  });

  it('gives 0 to a stream that is missing, stopped publishing or restarted', () => {
    expect(ingestMbps(at(0), at(5_000_000), ['live/bench-2'], 10_000)).toEqual([0]);
    expect(ingestMbps([], at(5_000_000), ['live/bench-1'], 10_000)).toEqual([0]);
    expect(ingestMbps(at(0), at(5_000_000, false), ['live/bench-1'], 10_000)).toEqual([0]);
    expect(ingestMbps(at(9_000_000), at(5_000_000), ['live/bench-1'], 10_000)).toEqual([0]);
  });
});
