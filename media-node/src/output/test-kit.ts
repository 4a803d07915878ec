import type { SyntheticTag } from '../format/remux/synthetic-stream.ts';
import { FakeClock } from '../hub/clock.ts';
import type { PublishHandle, SourceOptions } from '../hub/source.ts';
import { Source } from '../hub/source.ts';
import { signedDelta32 } from '../hub/timestamp-jitter.ts';

/**
 * Test helper (imported by the output tests only): a hub source on a fake
 * wall clock, a publisher, and a feeder that moves the clock with the media.
 * hls/test-kit.ts and dvr/test-kit.ts attach their output to it.
 */

/** 2026-11-23 12:00:00 UTC: the wall clock the tests start at. */
export const T0 = Date.UTC(2026, 10, 23, 12, 0, 0);

export interface SourceRig {
  readonly clock: FakeClock;
  readonly source: Source;
  publish(): PublishHandle;
  /** Pushes tags, setting the wall clock to follow the media time; returns how many the source accepted. */
  feed(pub: PublishHandle, tags: readonly SyntheticTag[]): number;
}

/** Source `live/livestream` on the default vhost with id `id`, its clock at T0. */
export function sourceRig(id: string, options?: SourceOptions): SourceRig {
  const clock = new FakeClock(T0);
  const source = new Source({ id, vhost: '__defaultVhost__', app: 'live', stream: 'livestream' }, clock, options);
  return {
    clock,
    source,
    publish() {
      const r = source.publish({ clientId: `pub${clock.now()}`, protocol: 'rtmp' });
      if (!r.ok) throw new Error(`publish refused: ${r.code}`);
      return r.publisher;
    },
    feed(pub, tags) {
      let accepted = 0;
      let last: number | null = null;
      for (const t of tags) {
        // Wall time follows media time; a jump in timestamps is not a jump in wall time.
        if (last !== null) clock.advance(Math.min(1000, Math.max(0, signedDelta32(t.timestamp, last))));
        last = t.timestamp;
        if (pub.push(t.kind, t.timestamp, t.payload) !== null) accepted++;
      }
      return accepted;
    },
  };
}
