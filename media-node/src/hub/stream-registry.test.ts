import { describe, expect, it } from 'vitest';
import { FakeClock } from './clock.ts';
import { RecordingListener } from './fake-stream.ts';
import { DEFAULT_VHOST, StreamRegistry, randomStatId, streamKey } from './stream-registry.ts';

function counterIds(): () => string {
  let n = 0;
  return () => `vid-${String(++n).padStart(7, '0')}`;
}

describe('StreamRegistry', () => {
  it('creates one source per vhost/app/stream with a stat id', () => {
    const reg = new StreamRegistry({ clock: new FakeClock(), newId: counterIds() });
    const a = reg.getOrCreate({ app: 'live', stream: 'a' });
    expect(reg.getOrCreate({ vhost: DEFAULT_VHOST, app: 'live', stream: 'a' })).toBe(a);
    const b = reg.getOrCreate({ vhost: 'v2', app: 'live', stream: 'a' });
    expect(b).not.toBe(a);
    expect([a.id, b.id]).toEqual(['vid-0000001', 'vid-0000002']);
    expect(a.key).toBe('__defaultVhost__/live/a');
    expect(streamKey({ vhost: 'v2', app: 'live', stream: 'a' })).toBe(b.key);
    expect(reg.get({ app: 'live', stream: 'a' })).toBe(a);
    expect(reg.getById('vid-0000002')).toBe(b);
    expect(reg.get({ app: 'live', stream: 'zz' })).toBeUndefined();
    expect(reg.list()).toEqual([a, b]);
    expect(reg.size).toBe(2);
  });

  it('passes source options (defaults or per call)', () => {
    const reg = new StreamRegistry({ clock: new FakeClock(), sourceDefaults: { timeJitter: 'zero' } });
    expect(reg.getOrCreate({ app: 'a', stream: 's' }).timeJitter).toBe('zero');
    expect(reg.getOrCreate({ app: 'a', stream: 't' }, { atc: true }).atc).toBe(true);
  });

  it('retries on an id collision', () => {
    const ids = ['vid-aaaaaaa', 'vid-aaaaaaa', 'vid-bbbbbbb'];
    const reg = new StreamRegistry({ clock: new FakeClock(), newId: () => ids.shift()! });
    reg.getOrCreate({ app: 'a', stream: '1' });
    expect(reg.getOrCreate({ app: 'a', stream: '2' }).id).toBe('vid-bbbbbbb');
  });

  it('sweeps sources idle long enough, and only those', () => {
    const clock = new FakeClock(0);
    const reg = new StreamRegistry({ clock });
    const playing = reg.getOrCreate({ app: 'a', stream: 'playing' });
    playing.addConsumer();
    const publishing = reg.getOrCreate({ app: 'a', stream: 'publishing' });
    publishing.publish({ clientId: 'p' });
    const left = reg.getOrCreate({ app: 'a', stream: 'left' });
    const c = left.addConsumer();
    clock.advance(10_000);
    c.close();
    expect(reg.sweepIdle(5_000)).toBe(0);
    clock.advance(5_000);
    expect(reg.sweepIdle(5_000)).toBe(1);
    expect(reg.list()).toEqual([playing, publishing]);
    publishing.unpublish();
    expect(reg.sweepIdle()).toBe(1);
    expect(reg.list()).toEqual([playing]);
  });

  it('remove() closes consumers and makes the publisher handle inert', () => {
    const reg = new StreamRegistry({ clock: new FakeClock() });
    const s = reg.getOrCreate({ app: 'a', stream: 's' });
    const r = s.publish({ clientId: 'p' });
    const l = new RecordingListener();
    s.addConsumer({ listener: l });
    expect(reg.remove(s)).toBe(true);
    expect(reg.remove(s)).toBe(false);
    expect(l.events).toEqual(['unpublish', 'close:source_closed']);
    expect(r.ok && r.publisher.active).toBe(false);
    expect(reg.getOrCreate({ app: 'a', stream: 's' })).not.toBe(s);
  });

  it('makes SRS-shaped random ids', () => {
    expect(randomStatId()).toMatch(/^vid-[0-9a-z]{7}$/);
  });
});
