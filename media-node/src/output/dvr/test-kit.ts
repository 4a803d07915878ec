import { FlvDemuxer, type FlvTag } from '../../format/flv/flv-demuxer.ts';
import { decodeOnMetaData } from '../../format/flv/script-data.ts';
import type { SourceOptions } from '../../hub/source.ts';
import { MemoryStore } from '../../storage/memory-store.ts';
import type { DvrConfig } from './dvr-config.ts';
import type { DvrFileEvent } from './dvr-events.ts';
import { DvrRecorder, type DvrRecorderOptions } from './dvr-recorder.ts';
import { MemorySpool } from './dvr-spool.ts';
import { sourceRig, type SourceRig } from '../test-kit.ts';

export { T0 } from '../test-kit.ts';

/**
 * A hub source with a DVR recorder attached, an in-memory store and spool,
 * a feeder that moves the fake wall clock with the media, and readers for
 * the stored files: what the DVR tests share.
 */

export interface DvrRig extends SourceRig {
  readonly store: MemoryStore;
  readonly spool: MemorySpool;
  readonly dvr: DvrRecorder;
  readonly events: DvrFileEvent[];
  readonly warnings: string[];
  /** The stored bytes of an event's file. */
  bytes(e: DvrFileEvent): Uint8Array;
}

type RigOptions = Partial<Pick<DvrRecorderOptions, 'maxPendingBytes' | 'maxFileBytes' | 'maxSamples'>> & {
  readonly config?: Partial<DvrConfig>;
  readonly source?: SourceOptions;
};

export function dvrRig(opts: RigOptions = {}): DvrRig {
  const rig = sourceRig('vid-dvr0001', opts.source);
  const { clock, source } = rig;
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
    ...rig, store, spool, dvr, events, warnings,
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
