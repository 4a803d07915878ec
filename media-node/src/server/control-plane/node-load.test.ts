import { describe, expect, expectTypeOf, it } from 'vitest';
import { test as fcTest, fc } from '@fast-check/vitest';
import { MAX_LOAD_STREAMS, MAX_LOAD_STREAM_CHARS, nodeLoadSchema } from '@runnel/shared/node-api';
import type { Source } from '../../hub/source.ts';
import type { ClientRecord } from '../clients.ts';
import { nodeLoad } from './node-load.ts';
import type { LoadClient, LoadSource } from './node-load.ts';

interface FakeSource {
  id: string;
  app?: string;
  stream: string;
  publishing?: boolean;
  video?: LoadSource['info']['video'];
  audio?: LoadSource['info']['audio'];
  recv?: number;
  send?: number;
}

function source(f: FakeSource): LoadSource {
  return {
    id: f.id,
    app: f.app ?? 'live',
    stream: f.stream,
    publishing: f.publishing ?? true,
    info: { video: f.video ?? null, audio: f.audio ?? null },
    kbps: () => ({ recv30s: f.recv ?? 0, send30s: f.send ?? 0 }),
  };
}
const player = (sourceId: string): LoadClient => ({ sourceId, publish: false });
const publisher = (sourceId: string): LoadClient => ({ sourceId, publish: true });

describe('nodeLoad', () => {
  it('sums the totals over every source and describes each published stream with its codecs, size, ingest kbps and players', () => {
    const streams = [
      source({ id: 'vid-a', stream: 'pbA', video: { codec: 'H264', width: 1280, height: 720 }, audio: { codec: 'AAC' }, recv: 2500, send: 7500 }),
      source({ id: 'vid-b', stream: 'pbB', video: { codec: 'H265' }, audio: null, recv: 900, send: 0 }),
      // players waiting for a publisher: counted in the totals, not described
      source({ id: 'vid-c', stream: 'waiting', publishing: false, recv: 0, send: 10 }),
    ];
    const clients = [publisher('vid-a'), player('vid-a'), player('vid-a'), player('vid-a'), publisher('vid-b'), player('vid-c'), { sourceId: '', publish: false }];
    const load = nodeLoad(streams, clients, 0.25);
    expect(load).toEqual({
      streams: 2,
      clients: 7,
      bitrate_in_kbps: 3400,
      bitrate_out_kbps: 7510,
      cpu: 0.25,
      stream_stats: [
        { app: 'live', stream: 'pbA', video: { codec: 'H264', width: 1280, height: 720 }, audio: { codec: 'AAC' }, bitrate_in_kbps: 2500, clients: 3 },
        { app: 'live', stream: 'pbB', video: { codec: 'H265' }, audio: null, bitrate_in_kbps: 900, clients: 0 },
      ],
    });
    expect(nodeLoadSchema.parse(load)).toEqual(load);
  });

  it('describes at most MAX_LOAD_STREAMS streams while the totals still count all of them', () => {
    const streams = Array.from({ length: MAX_LOAD_STREAMS + 5 }, (_, i) => source({ id: `vid-${i}`, stream: `s${i}`, recv: 1 }));
    const load = nodeLoad(streams, [], 0);
    expect(load.streams).toBe(MAX_LOAD_STREAMS + 5);
    expect(load.bitrate_in_kbps).toBe(MAX_LOAD_STREAMS + 5);
    expect(load.stream_stats).toHaveLength(MAX_LOAD_STREAMS);
    expect(load.stream_stats?.[0].stream).toBe('s0');
  });

  it('leaves out what the heartbeat cannot carry: names too long, nonsense frame sizes, overlong codec names; clamps cpu to 0..1', () => {
    const streams = [
      source({ id: 'vid-long', stream: 'x'.repeat(MAX_LOAD_STREAM_CHARS + 1) }),
      source({ id: 'vid-odd', stream: 'odd', video: { codec: 'H264', width: 0, height: 1080.5 }, audio: { codec: 'y'.repeat(33) } }),
    ];
    const load = nodeLoad(streams, [], 3);
    expect(load.streams).toBe(2);
    expect(load.cpu).toBe(1);
    expect(load.stream_stats).toEqual([{ app: 'live', stream: 'odd', video: { codec: 'H264' }, audio: null, bitrate_in_kbps: 0, clients: 0 }]);
    expect(nodeLoad([], [], -1).cpu).toBe(0);
  });

  const arbSource = fc.record({
    id: fc.constantFrom('vid-1', 'vid-2', 'vid-3'),
    app: fc.string({ maxLength: 80 }),
    stream: fc.string({ maxLength: 140 }),
    publishing: fc.boolean(),
    video: fc.option(fc.record({ codec: fc.string({ maxLength: 40 }), width: fc.option(fc.double(), { nil: undefined }), height: fc.option(fc.integer(), { nil: undefined }) }), { nil: null }),
    audio: fc.option(fc.record({ codec: fc.string({ maxLength: 40 }) }), { nil: null }),
    recv: fc.double({ min: 0, max: 1e7, noNaN: true }),
    send: fc.double({ min: 0, max: 1e7, noNaN: true }),
  });
  const arbClient = fc.record({ sourceId: fc.constantFrom('', 'vid-1', 'vid-2', 'vid-9'), publish: fc.boolean() });

  fcTest.prop([fc.array(arbSource, { maxLength: 20 }), fc.array(arbClient, { maxLength: 30 }), fc.double({ min: -2, max: 5, noNaN: true })])(
    'always produces a load the control plane accepts',
    (srcs, clients, cpu) => {
      const load = nodeLoad(srcs.map(source), clients, cpu);
      expect(nodeLoadSchema.safeParse(load).success).toBe(true);
      expect(load.stream_stats?.length).toBeLessThanOrEqual(srcs.filter((s) => s.publishing).length);
    },
  );

  it('takes the hub\'s sources and the client registry\'s records as they are', () => {
    expectTypeOf<Source>().toExtend<LoadSource>();
    expectTypeOf<ClientRecord>().toExtend<LoadClient>();
  });
});
