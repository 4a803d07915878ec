import { describe, expect, it } from 'vitest';
import { FakeClock } from './clock.ts';
import { FakePublisher, RecordingListener, flv } from './fake-stream.ts';
import type { MediaMessage } from './media-message.ts';
import { Source } from './source.ts';
import type { PublishHandle, SourceOptions } from './source.ts';

function newSource(options: SourceOptions = {}, clock = new FakeClock(1_000)): Source {
  return new Source({ id: 'vid-test001', vhost: '__defaultVhost__', app: 'live', stream: 's' }, clock, options);
}

function publish(source: Source, clientId = 'pub1'): PublishHandle {
  const r = source.publish({ clientId, protocol: 'rtmp' });
  if (!r.ok) throw new Error(`publish refused: ${r.code}`);
  return r.publisher;
}

const describeMsg = (m: MediaMessage): string =>
  `${m.kind}${m.sequenceHeader ? ':sh' : ''}${m.keyframe ? ':key' : ''}`;

describe('Source join', () => {
  it('gives a mid-stream joiner metadata, sequence headers, then the GOP from its keyframe', () => {
    const source = newSource();
    const pub = new FakePublisher(publish(source), { gopFrames: 25 });
    pub.start();
    pub.runFor(1_000 + 400); // one full GOP, then 10 frames into the second
    const c = source.addConsumer();
    const got = c.take();
    expect(got.slice(0, 3).map(describeMsg)).toEqual(['data:sh', 'video:sh', 'audio:sh']);
    expect(got[3].kind).toBe('video');
    expect(got[3].keyframe).toBe(true);
    expect(got.slice(4).some((m) => m.keyframe)).toBe(false);
    // The GOP is the 10 frames of the second GOP plus the audio interleaved after its keyframe.
    expect(got.filter((m) => m.kind === 'video' && !m.sequenceHeader)).toHaveLength(10);
    expect(got[3].timestamp).toBe(1_000);
    expect(c.waitingForKeyframe).toBe(false);
  });

  it('strips @setDataFrame so players get onMetaData', () => {
    const source = newSource();
    publish(source).push('data', 0, flv.setDataFrameMetadata());
    const meta = source.metadata!;
    expect(meta.sequenceHeader).toBe(true);
    expect(meta.payload[0]).toBe(0x02);
    expect(String.fromCharCode(...meta.payload.subarray(3, 13))).toBe('onMetaData');
  });

  it('makes a joiner without a GOP (cache off) wait for the next keyframe', () => {
    const source = newSource({ gopCache: false });
    const pub = new FakePublisher(publish(source), { gopFrames: 25 });
    pub.start();
    pub.runFor(400);
    const c = source.addConsumer();
    expect(c.take().map(describeMsg)).toEqual(['data:sh', 'video:sh', 'audio:sh']);
    expect(c.waitingForKeyframe).toBe(true);
    pub.runFor(1_000);
    const live = c.take();
    expect(live.find((m) => m.kind === 'video')!.keyframe).toBe(true);
    expect(live.filter((m) => m.kind === 'audio').length).toBeGreaterThan(0);
    expect(c.droppedMessages).toBeGreaterThan(0);
  });
});

describe('Source fan-out', () => {
  it('hands every consumer the same MediaMessage objects (serialize-once precondition)', () => {
    const source = newSource();
    const pub = new FakePublisher(publish(source));
    pub.start();
    const a = source.addConsumer();
    const b = source.addConsumer();
    pub.runFor(2_000);
    const fromA = a.take();
    const fromB = b.take();
    expect(fromA.length).toBeGreaterThan(50);
    expect(fromB).toHaveLength(fromA.length);
    fromA.forEach((m, i) => expect(fromB[i]).toBe(m));
    // what one output caches on a message, the other sees
    (fromA[5].wire as { flv?: Uint8Array[] }).flv = [Uint8Array.of(1)];
    expect(fromB[5].wire.flv).toEqual([Uint8Array.of(1)]);
  });

  it('corrects timestamps per its jitter mode; atc passes them through', () => {
    const raw = [90_000, 90_040, 2 ** 32 + 5];
    const run = (options: SourceOptions): number[] => {
      const pub = publish(newSource(options));
      return raw.map((ts) => pub.push('video', ts, flv.avcInterframe())!.timestamp);
    };
    expect(run({})).toEqual([0, 40, 50]);
    // 2^32 + 5 is 5 on the wire: 89 995 ms before the base in serial arithmetic, so clamped
    expect(run({ timeJitter: 'zero' })).toEqual([0, 40, 0]);
    expect(run({ timeJitter: 'full', atc: true })).toEqual([90_000, 90_040, 5]);
  });

  it('counts frames, bytes and kbps over the clock', () => {
    const clock = new FakeClock(0);
    const source = newSource({}, clock);
    const pub = publish(source);
    for (let i = 0; i < 10; i++) {
      pub.push('video', i * 100, flv.avcInterframe(995)); // 1000-byte bodies
      clock.advance(100);
    }
    expect(source.stats.frames).toBe(10);
    expect(source.stats.recvBytes).toBe(10_000);
    expect(source.kbps(clock.now()).recv30s).toBe(80); // 10 kB in 1 s = 80 kb/s
  });
});

describe('Source publisher lifecycle', () => {
  it('refuses a second publisher with stream_busy and keeps the first flowing (row 35)', () => {
    const source = newSource();
    const first = publish(source, 'a');
    const r = source.publish({ clientId: 'b' });
    expect(r).toEqual({ ok: false, code: 'stream_busy', current: { clientId: 'a', protocol: 'rtmp' } });
    const c = source.addConsumer();
    expect(first.push('video', 0, flv.avcKeyframe())).not.toBeNull();
    expect(c.take()).toHaveLength(1);
    expect(source.publisher?.clientId).toBe('a');
  });

  it('lets a takeover replace the publisher; the old handle goes inert', () => {
    const source = newSource();
    const first = publish(source, 'a');
    const r = source.publish({ clientId: 'b' }, { takeover: true });
    expect(r.ok && r.replaced?.clientId).toBe('a');
    expect(first.active).toBe(false);
    expect(first.push('video', 0, flv.avcKeyframe())).toBeNull();
    expect(source.publisher?.clientId).toBe('b');
  });

  it('notifies consumers on unpublish and republish; they stay attached; caches are dropped', () => {
    const source = newSource();
    const l = new RecordingListener();
    const c = source.addConsumer({ listener: l });
    const pub = new FakePublisher(publish(source));
    pub.start();
    pub.runFor(500);
    c.take();
    pub.handle.unpublish();
    expect(l.events).toContain('unpublish');
    expect(source.gop.messages).toHaveLength(0);
    expect([source.metadata, source.videoSequenceHeader, source.audioSequenceHeader]).toEqual([null, null, null]);
    expect(source.consumers).toContain(c);

    const again = new FakePublisher(publish(source, 'pub2'), { startTs: 0 });
    expect(l.events.at(-1)).toBe('publish');
    again.start();
    again.runFor(200);
    const after = c.take();
    const firstAv = after.find((m) => m.kind !== 'data')!;
    expect(firstAv.discontinuity).toBe(true);
    expect(after.filter((m) => m.discontinuity)).toHaveLength(1);
    // full jitter continues the timeline across the republish
    expect(firstAv.timestamp).toBeGreaterThan(480);
  });

  it('flags a changed sequence header (codec switch) as a discontinuity and restarts the GOP', () => {
    const source = newSource();
    const pub = publish(source);
    pub.push('video', 0, flv.avcSequenceHeader(0));
    pub.push('video', 0, flv.avcKeyframe());
    pub.push('video', 40, flv.avcSequenceHeader(0)); // same bytes: no break
    pub.push('video', 80, flv.avcInterframe());
    expect(source.gop.messages).toHaveLength(2);
    const hevc = pub.push('video', 120, flv.hevcSequenceStart())!;
    expect(hevc.discontinuity).toBe(true);
    expect(hevc.sequenceHeader).toBe(true);
    expect(source.gop.messages).toHaveLength(0);
    expect(source.info.video).toEqual({ codec: 'HEVC' });
    expect(source.stats.sequenceHeaderChanges).toBe(1);
    expect(pub.push('video', 160, flv.hevcKeyframe())!.keyframe).toBe(true);
  });

  it('ignores pushes when nothing publishes and drops empty payloads', () => {
    const source = newSource();
    expect(source.push('video', 0, flv.avcKeyframe())).toBeNull();
    const pub = publish(source);
    expect(pub.push('audio', 0, new Uint8Array(0))).toBeNull();
    expect(source.stats.emptyMessages).toBe(1);
  });
});

describe('source observer', () => {
  it('is told of every publish and unpublish, after the source changed', () => {
    const seen: string[] = [];
    const clock = new FakeClock(0);
    const source = new Source({ id: 'vid-obs0001', vhost: 'v', app: 'a', stream: 's' }, clock, {
      observer: {
        published: (s) => seen.push(`publish ${s.publishing}`),
        unpublished: (s) => seen.push(`unpublish ${s.publishing}`),
      },
    });
    const r = source.publish({ clientId: 'c1' });
    expect(source.publish({ clientId: 'c2' }).ok).toBe(false);
    if (r.ok) r.publisher.unpublish();
    source.publish({ clientId: 'c3' });
    expect(seen).toEqual(['publish true', 'unpublish false', 'publish true']);
  });
});
