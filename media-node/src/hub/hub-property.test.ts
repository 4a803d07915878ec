import { test as fcTest, fc } from '@fast-check/vitest';
import { describe, expect } from 'vitest';
import { FakeClock } from './clock.ts';
import type { Consumer } from './consumer.ts';
import { flv } from './fake-stream.ts';
import type { MediaKind, MediaMessage } from './media-message.ts';
import { Source } from './source.ts';
import type { PublishHandle, SourceOptions } from './source.ts';

/** Realistic bodies plus garbage: what the source classifies must never matter for safety. */
const bodies: Record<MediaKind, Uint8Array[]> = {
  video: [
    flv.avcSequenceHeader(0), flv.avcSequenceHeader(1), flv.avcKeyframe(200), flv.avcInterframe(40),
    flv.hevcSequenceStart(), flv.hevcKeyframe(),
  ],
  audio: [flv.aacSequenceHeader(), flv.aacFrame(), flv.aacFrame(100)],
  data: [flv.setDataFrameMetadata()],
};

const timestamp = fc.oneof(
  fc.integer({ min: 0, max: 2 ** 32 - 1 }),
  fc.integer({ min: 0, max: 5_000 }),
  fc.constantFrom(NaN, Infinity, -1, 2 ** 31, 2 ** 32, -(2 ** 40)),
);

const op = fc.oneof(
  {
    weight: 20,
    arbitrary: fc.record({
      t: fc.constant('push' as const),
      kind: fc.constantFrom<MediaKind>('video', 'audio', 'data'),
      ts: timestamp,
      body: fc.oneof(fc.nat({ max: 9 }), fc.uint8Array({ maxLength: 300 })),
    }),
  },
  { weight: 3, arbitrary: fc.record({ t: fc.constant('advance' as const), ms: fc.nat({ max: 2_000 }) }) },
  { weight: 4, arbitrary: fc.record({ t: fc.constant('take' as const), i: fc.nat() }) },
  {
    weight: 2,
    arbitrary: fc.record({
      t: fc.constant('add' as const),
      queueLengthMs: fc.integer({ min: 100, max: 30_000 }),
      maxQueueBytes: fc.integer({ min: 4_000, max: 100_000 }),
      maxQueueMessages: fc.integer({ min: 8, max: 200 }),
      maxShrinks: fc.nat({ max: 4 }),
      minLatency: fc.boolean(),
      gopCache: fc.boolean(),
    }),
  },
  { weight: 1, arbitrary: fc.record({ t: fc.constant('close' as const), i: fc.nat() }) },
  { weight: 1, arbitrary: fc.constantFrom({ t: 'publish' as const }, { t: 'unpublish' as const }, { t: 'takeover' as const }) },
);

const sourceOptions = fc.record({
  timeJitter: fc.constantFrom('full' as const, 'zero' as const, 'off' as const),
  atc: fc.boolean(),
  gopCache: fc.boolean(),
  gopCacheMaxFrames: fc.integer({ min: 1, max: 300 }),
  gopCacheMaxBytes: fc.integer({ min: 100, max: 50_000 }),
});

function checkInvariants(source: Source, options: SourceOptions, consumers: Consumer[]): void {
  for (const c of consumers) {
    if (c.closed) {
      expect(c.queuedMessages).toBe(0);
      continue;
    }
    expect(c.queuedMessages).toBeLessThanOrEqual(c.maxQueueMessages);
    expect(c.queuedBytes).toBeLessThanOrEqual(c.maxQueueBytes);
    expect(c.queuedMs).toBeLessThanOrEqual(c.queueLengthMs);
  }
  const gop = source.gop.messages;
  expect(gop.length).toBeLessThanOrEqual(options.gopCacheMaxFrames!);
  expect(source.gop.bytes).toBeLessThanOrEqual(options.gopCacheMaxBytes!);
  if (gop.length > 0) expect(gop[0].keyframe).toBe(true);
}

function checkMessage(m: MediaMessage): void {
  expect(Number.isInteger(m.timestamp)).toBe(true);
  expect(m.timestamp).toBeGreaterThanOrEqual(0);
  expect(m.timestamp).toBeLessThan(2 ** 32);
}

describe('hub under random push sequences', () => {
  fcTest.prop([sourceOptions, fc.array(op, { maxLength: 300 })])(
    'never throws; queue and cache bounds always hold; every delivered message is well-formed',
    (options, ops) => {
      const clock = new FakeClock(0);
      const errors: unknown[] = [];
      const source = new Source({ id: 'vid-prop001', vhost: 'v', app: 'a', stream: 's' }, clock, {
        ...options,
        reportError: (e) => errors.push(e),
      });
      const consumers: Consumer[] = [];
      let handle: PublishHandle | null = null;
      const publish = (takeover: boolean): void => {
        const r = source.publish({ clientId: `p${clock.now()}` }, { takeover });
        if (r.ok) handle = r.publisher;
        else expect(r.code).toBe('stream_busy');
      };
      publish(false);
      for (const o of ops) {
        switch (o.t) {
          case 'push': {
            const body = typeof o.body === 'number' ? bodies[o.kind][o.body % bodies[o.kind].length] : o.body;
            const h = handle as PublishHandle | null;
            const m = h === null ? null : h.push(o.kind, o.ts, body);
            if (m !== null) checkMessage(m);
            break;
          }
          case 'advance':
            clock.advance(o.ms);
            break;
          case 'take':
            if (consumers.length > 0) consumers[o.i % consumers.length].take().forEach(checkMessage);
            break;
          case 'add':
            consumers.push(source.addConsumer(o));
            break;
          case 'close':
            if (consumers.length > 0) consumers[o.i % consumers.length].close();
            break;
          case 'publish':
            publish(false);
            break;
          case 'takeover':
            publish(true);
            break;
          case 'unpublish':
            source.unpublish();
            break;
        }
        checkInvariants(source, options, consumers);
      }
      expect(errors).toEqual([]);
      expect(source.consumers.every((c) => !c.closed)).toBe(true);
    },
  );
});
