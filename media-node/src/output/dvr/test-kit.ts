import { FlvDemuxer, type FlvTag } from '../../format/flv/flv-demuxer.ts';
import { decodeOnMetaData } from '../../format/flv/script-data.ts';
import type { SyntheticTag } from '../../format/remux/synthetic-stream.ts';
import { FakeClock } from '../../hub/clock.ts';
import type { PublishHandle, SourceOptions } from '../../hub/source.ts';
import { Source } from '../../hub/source.ts';
import { signedDelta32 } from '../../hub/timestamp-jitter.ts';
import { MemoryStore } from '../../storage/memory-store.ts';
import type { DvrConfig } from './dvr-config.ts';
import type { DvrFileEvent } from './dvr-events.ts';
import { DvrRecorder, type DvrRecorderOptions } from './dvr-recorder.ts';
import { MemorySpool } from './dvr-spool.ts';

/**
 * A hub source with a DVR recorder attached, an in-memory store and spool,
 * a feeder that moves the fake wall clock with the media, and readers for
 * the stored files: what the DVR tests share.
 */

/** 2026-11-23 12:00:00 UTC: the wall clock the tests start at. */
export const T0 = Date.UTC(2026, 10, 23, 12, 0, 0);

export interface DvrRig {
  readonly clock: FakeClock;
  readonly source: Source;
  readonly store: MemoryStore;
  readonly spool: MemorySpool;
  readonly dvr: DvrRecorder;
  readonly events: DvrFileEvent[];
  readonly warnings: string[];
  publish(): PublishHandle;
  /** Pushes tags, moving the wall clock with media time; returns how many the source accepted. */
  feed(pub: PublishHandle, tags: readonly SyntheticTag[]): number;
  /** The stored bytes of an event's file. */
  bytes(e: DvrFileEvent): Uint8Array;
}

type RigOptions = Partial<Pick<DvrRecorderOptions, 'maxPendingBytes' | 'maxFileBytes' | 'maxSamples'>> & {
  readonly config?: Partial<DvrConfig>;
  readonly source?: SourceOptions;
};

export function dvrRig(opts: RigOptions = {}): DvrRig {
  const clock = new FakeClock(T0);
  const source = new Source({ id: 'vid-dvr0001', vhost: '__defaultVhost__', app: 'live', stream: 'livestream' }, clock, opts.source);
  const store = new MemoryStore();
  const spool = new MemorySpool();
  const events: DvrFileEvent[] = [];
  const warnings: string[] = [];
  const dvr = new DvrRecorder({
    names: source, store, spool, clock, config: opts.config,
    maxPendingBytes: opts.maxPendingBytes, maxFileBytes: opts.maxFileBytes, maxSamples: opts.maxSamples,
    listener: { onDvr: (e) => events.push(e) },
    log: { warn: (event, fields) => warnings.push(`${event} ${String(fields?.reason ?? fields?.key ?? '')}`) },
  });
  dvr.attach(source);
  return {
    clock, source, store, spool, dvr, events, warnings,
    publish() {
      const r = source.publish({ clientId: `pub${clock.now()}`, protocol: 'rtmp' });
      if (!r.ok) throw new Error(`publish refused: ${r.code}`);
      return r.publisher;
    },
    feed(pub, tags) {
      let accepted = 0;
      let last: number | null = null;
      for (const t of tags) {
        if (last !== null) clock.advance(Math.min(1000, Math.max(0, signedDelta32(t.timestamp, last))));
        last = t.timestamp;
        if (pub.push(t.kind, t.timestamp, t.payload) !== null) accepted++;
      }
      return accepted;
    },
    bytes(e) {
      const o = store.objects.get(e.file);
      if (o === undefined) throw new Error(`${e.file} not stored`);
      return o.bytes;
    },
  };
}

/** What an FLV recording holds: its metadata, and its audio/video tags (headers apart). */
export interface FlvContent {
  readonly duration: number | undefined;
  readonly filesize: number | undefined;
  readonly headers: FlvTag[];
  readonly video: FlvTag[];
  readonly audio: FlvTag[];
  readonly firstVideoKey: boolean;
}

/** FLV tag bodies: video sequence header = AVCPacketType 0 (legacy) or PacketType 0 (enhanced); AAC header = AACPacketType 0. */
function isHeaderTag(t: FlvTag): boolean {
  if (t.type === 9) return (t.body[0]! & 0x80) !== 0 ? (t.body[0]! & 0x0f) === 0 : t.body[1] === 0;
  return t.type === 8 && t.body[0]! >> 4 === 10 && t.body[1] === 0;
}

export function readFlv(bytes: Uint8Array): FlvContent {
  const tags = new FlvDemuxer().push(bytes);
  const metaTag = tags.find((t) => t.type === 18);
  const meta = metaTag === undefined ? null : decodeOnMetaData(metaTag.body);
  const av = tags.filter((t) => t.type !== 18);
  const video = av.filter((t) => t.type === 9 && !isHeaderTag(t));
  return {
    duration: meta?.duration as number | undefined,
    filesize: meta?.filesize as number | undefined,
    headers: av.filter(isHeaderTag),
    video,
    audio: av.filter((t) => t.type === 8 && !isHeaderTag(t)),
    // legacy FrameType 1 or enhanced frame type 1 in bits 4-6
    firstVideoKey: video.length === 0 || ((video[0]!.body[0]! >> 4) & 0x07) === 1,
  };
}
