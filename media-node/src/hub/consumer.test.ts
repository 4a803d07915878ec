import { describe, expect, it } from 'vitest';
import { FakeClock } from './clock.ts';
import type { ConsumerOptions } from './consumer.ts';
import { FakePublisher, RecordingListener, flv } from './fake-stream.ts';
import type { MediaMessage } from './media-message.ts';
import { Source } from './source.ts';
import type { SourceOptions } from './source.ts';

function setup(options: SourceOptions = {}, publisher: { gopFrames?: number; video?: boolean } = {}) {
  const clock = new FakeClock(0);
  const errors: unknown[] = [];
  const source = new Source({ id: 'vid-cons001', vhost: 'v', app: 'live', stream: 's' }, clock, {
    ...options,
    reportError: (e) => errors.push(e),
  });
  const r = source.publish({ clientId: 'p' });
  if (!r.ok) throw new Error('refused');
  const pub = new FakePublisher(r.publisher, { ...publisher, record: true });
  return { clock, source, pub, errors };
}

const isFrame = (m: MediaMessage): boolean => m.kind !== 'data' && !m.sequenceHeader;

describe('Consumer queue bound (SRS queue_length)', () => {
  it('drops a slow consumer to its newest keyframe, keeps the headers, then closes it; a fast one gets everything', () => {
    const { source, pub, clock } = setup({}, { gopFrames: 50 }); // 2 s GOPs
    const fastGot: MediaMessage[] = [];
    const slowL = new RecordingListener();
    const fast = source.addConsumer();
    const slow = source.addConsumer({ listener: slowL, maxShrinks: 2 });
    pub.start();
    let firstShrinkChecked = false;
    for (let s = 0; s < 200 && !slow.closed; s++) {
      pub.runFor(1_000);
      clock.advance(1_000);
      fastGot.push(...fast.take());
      expect(slow.queuedMs).toBeLessThanOrEqual(slow.queueLengthMs);
      if (slow.shrinks === 1 && !firstShrinkChecked) {
        firstShrinkChecked = true;
        expect(slow.droppedMessages).toBeGreaterThan(1000);
        // what is left: the headers from the cut part, then a GOP from its keyframe
        const left = [...(slow as unknown as { q: MediaMessage[] }).q];
        expect(left.slice(0, 3).map((m) => m.sequenceHeader)).toEqual([true, true, true]);
        expect(left[3].keyframe).toBe(true);
      }
    }
    expect(firstShrinkChecked).toBe(true);
    expect(slow.closed).toBe(true);
    expect(slow.closedReason).toBe('slow_consumer');
    expect(slowL.closeReason).toBe('slow_consumer');
    expect(slow.shrinks).toBe(2);
    expect(source.consumers).toEqual([fast]);
    expect(slow.take()).toEqual([]);
    // the fast consumer saw every message, in order, and the publisher never noticed
    pub.runFor(1_000);
    fastGot.push(...fast.take());
    expect(fastGot).toHaveLength(pub.pushed.length);
    fastGot.forEach((m, i) => expect(m).toBe(pub.pushed[i]));
    expect(fast.droppedMessages).toBe(0);
  });

  it('a consumer that catches up after a shrink is not closed', () => {
    const { source, pub, clock } = setup();
    const c = source.addConsumer({ maxShrinks: 1 });
    pub.start();
    for (let round = 0; round < 5; round++) {
      pub.runFor(31_000); // fall behind: one shrink
      clock.advance(31_000);
      c.take();
      pub.runFor(1_000); // then keep up for a while
      c.take();
    }
    expect(c.shrinks).toBe(5);
    expect(c.closed).toBe(false);
  });

  it('a take() of a queue still over half a bound does not count as catching up', () => {
    const pushAudio = (pub: FakePublisher, n: number, from: number): void => {
      for (let i = 0; i < n; i++) pub.handle.push('audio', (from + i) * 23, flv.aacFrame());
    };
    for (const [takeAt, closed] of [[60, true], [10, false]] as const) {
      const { source, pub } = setup();
      const c = source.addConsumer({ maxQueueMessages: 100, maxShrinks: 1 });
      pushAudio(pub, 101, 0); // shrink 1: no keyframe queued, so emptied
      expect(c.shrinks).toBe(1);
      pushAudio(pub, takeAt, 101);
      c.take();
      pushAudio(pub, 101, 101 + takeAt); // shrink 2, or the first of a new run
      expect(c.closed).toBe(closed);
    }
  });

  it('empties the queue and waits for the next keyframe when no keyframe is queued', () => {
    const { source, pub } = setup({}, { gopFrames: 10_000 });
    pub.start();
    pub.runFor(200);
    const c = source.addConsumer({ queueLengthMs: 1_000 });
    c.take();
    pub.runFor(1_100);
    expect(c.shrinks).toBe(1);
    expect(c.waitingForKeyframe).toBe(true);
    const after = c.take();
    expect(after.filter((m) => m.kind === 'video' && isFrame(m))).toHaveLength(0);
    expect(after.filter((m) => m.kind === 'audio' && isFrame(m)).length).toBeGreaterThan(0);
  });

  it('enforces the byte and message caps as well as the span', () => {
    const { source, pub } = setup({}, { gopFrames: 5 });
    pub.start();
    const byBytes = source.addConsumer({ maxQueueBytes: 2_000 });
    const byCount = source.addConsumer({ maxQueueMessages: 20 });
    for (let i = 0; i < 100; i++) {
      pub.runFor(40);
      expect(byBytes.queuedBytes).toBeLessThanOrEqual(2_000);
      expect(byCount.queuedMessages).toBeLessThanOrEqual(20);
    }
    expect(byBytes.shrinks).toBeGreaterThan(0);
    expect(byCount.shrinks).toBeGreaterThan(0);
  });

  it('an audio-only consumer resumes with the next audio frame after a shrink', () => {
    const { source, pub } = setup({}, { video: false });
    pub.start();
    const c = source.addConsumer({ queueLengthMs: 1_000 });
    pub.runFor(1_100);
    expect(c.shrinks).toBe(1);
    c.take();
    pub.runFor(100);
    expect(c.take().filter(isFrame).length).toBeGreaterThan(0);
  });
});

describe('Consumer merged writes (SRS mw_latency / mw_msgs)', () => {
  function oneConsumer(options: ConsumerOptions) {
    const ctx = setup();
    const l = new RecordingListener();
    const c = ctx.source.addConsumer({ ...options, listener: l });
    return { ...ctx, c, l };
  }

  it('is ready after mw_latency of wall time, or early once more than mw_msgs span mw_latency', () => {
    const { c, pub, clock } = oneConsumer({});
    expect(c.ready(clock.now())).toBe(false);
    expect(c.flushAt).toBe(Infinity);
    pub.handle.push('audio', 0, flv.aacFrame());
    pub.handle.push('audio', 23, flv.aacFrame());
    expect(c.ready(clock.now())).toBe(false);
    expect(c.flushAt).toBe(350);
    expect(c.ready(349)).toBe(false);
    expect(c.ready(350)).toBe(true);
    for (let i = 2; i <= 8; i++) pub.handle.push('audio', i * 50, flv.aacFrame());
    expect(c.queuedMessages).toBe(9);
    expect(c.queuedMs).toBe(400);
    expect(c.ready(clock.now())).toBe(true);
  });

  it('needs more than mw_msgs messages for the early wake', () => {
    const { c, pub, clock } = oneConsumer({ mwMsgs: 8 });
    pub.handle.push('audio', 0, flv.aacFrame());
    pub.handle.push('audio', 1_000, flv.aacFrame()); // a jump: the jitter makes it +10 ms
    for (let i = 0; i < 6; i++) pub.handle.push('audio', 1_000 + (i + 1) * 100, flv.aacFrame());
    expect(c.queuedMessages).toBe(8);
    expect(c.queuedMs).toBeGreaterThan(350);
    expect(c.ready(clock.now())).toBe(false);
  });

  it('min_latency: ready as soon as anything is queued', () => {
    const { c, pub, clock } = oneConsumer({ minLatency: true });
    pub.handle.push('audio', 0, flv.aacFrame());
    expect(c.ready(clock.now())).toBe(true);
    expect(c.flushAt).toBe(clock.now());
  });

  it('calls onReadable once per take-cycle, not per frame', () => {
    const { c, l, pub } = oneConsumer({});
    pub.runFor(1_000);
    expect(l.readable).toBe(1);
    c.take();
    pub.runFor(1_000);
    expect(l.readable).toBe(2);
    const out: MediaMessage[] = [{} as MediaMessage];
    expect(c.takeInto(out)).toBe(out.length);
    expect(out.length).toBeGreaterThan(20);
    expect(c.queuedMessages).toBe(0);
    expect(c.queuedBytes).toBe(0);
    pub.runFor(100);
    expect(l.readable).toBe(3);
  });
});

describe('Consumer lifecycle', () => {
  it('close() detaches, reports once, and empties the queue', () => {
    const { source, pub } = setup();
    const l = new RecordingListener();
    const c = source.addConsumer({ listener: l });
    pub.runFor(100);
    c.close();
    c.close();
    expect(l.events.filter((e) => e.startsWith('close'))).toEqual(['close:closed']);
    expect(source.consumers).toHaveLength(0);
    pub.runFor(100);
    expect(c.take()).toEqual([]);
    expect(c.queuedBytes).toBe(0);
  });

  it('a listener that throws closes only its consumer; the error is reported', () => {
    const { source, pub, errors } = setup();
    const bad = source.addConsumer({
      listener: {
        onReadable: () => {
          throw new Error('boom');
        },
      },
    });
    const good = source.addConsumer();
    pub.runFor(500);
    expect(bad.closedReason).toBe('listener_error');
    expect(errors).toHaveLength(1);
    expect(good.take().length).toBe(pub.pushed.length);
  });

  it('closeConsumers tells every consumer why', () => {
    const { source } = setup();
    const ls = [new RecordingListener(), new RecordingListener()];
    for (const l of ls) source.addConsumer({ listener: l });
    source.closeConsumers();
    expect(ls.map((l) => l.closeReason)).toEqual(['source_closed', 'source_closed']);
    expect(source.consumers).toHaveLength(0);
  });
});
