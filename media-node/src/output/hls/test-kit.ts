import { decodeMediaPlaylist, type MediaPlaylist } from '../../format/m3u8/media-playlist.ts';
import type { SyntheticTag } from '../../format/remux/synthetic-stream.ts';
import { FakeClock } from '../../hub/clock.ts';
import type { PublishHandle, SourceOptions } from '../../hub/source.ts';
import { Source } from '../../hub/source.ts';
import { signedDelta32 } from '../../hub/timestamp-jitter.ts';
import { MemoryStore } from '../../storage/memory-store.ts';
import type { PutOptions } from '../../storage/storage.ts';
import type { HlsConfig } from './hls-config.ts';
import { HlsSegmenter, type HlsSegmentEvent } from './hls-segmenter.ts';

/**
 * A hub source, an HLS segmenter attached to it, a fake store that checks
 * every playlist it receives names only stored segments, and a feeder that
 * moves the fake wall clock with the media: what the HLS tests share.
 */

/** 2026-11-23 12:00:00 UTC: the wall clock the tests start at. */
export const T0 = Date.UTC(2026, 10, 23, 12, 0, 0);

/** A MemoryStore that records a violation whenever a playlist names a segment that is not stored. */
export class PlaylistCheckingStore extends MemoryStore {
  readonly violations: string[] = [];
  /** Every playlist text written, in order. */
  readonly playlists: string[] = [];

  override async put(key: string, bytes: Uint8Array, options: PutOptions): Promise<void> {
    await super.put(key, bytes, options);
    if (!key.endsWith('.m3u8')) return;
    const text = new TextDecoder().decode(bytes);
    this.playlists.push(text);
    const dir = key.includes('/') ? key.slice(0, key.lastIndexOf('/') + 1) : '';
    for (const s of decodeMediaPlaylist(text).segments) {
      // an entry-prefixed URI names the key after its origin; a relative one is relative to the playlist
      const absolute = /^(?:https?:\/\/[^/]+)?\/(.*)$/.exec(s.uri);
      const segKey = absolute ? absolute[1]! : dir + s.uri;
      if (!this.objects.has(segKey)) this.violations.push(`${key} names ${s.uri} before it is stored`);
    }
  }
}

export interface HlsRig {
  readonly clock: FakeClock;
  readonly source: Source;
  readonly store: PlaylistCheckingStore;
  readonly hls: HlsSegmenter;
  readonly events: HlsSegmentEvent[];
  readonly warnings: string[];
  publish(): PublishHandle;
  /** Pushes tags, setting the wall clock to follow the media time; returns how many the source accepted. */
  feed(pub: PublishHandle, tags: readonly SyntheticTag[]): number;
  /** The stored playlist, parsed. */
  playlist(): MediaPlaylist;
  /** The bytes of a playlist entry. */
  segment(uri: string): Uint8Array;
}

export function hlsRig(opts: { config?: Partial<HlsConfig>; source?: SourceOptions; maxPendingBytes?: number } = {}): HlsRig {
  const clock = new FakeClock(T0);
  const source = new Source({ id: 'vid-hls0001', vhost: '__defaultVhost__', app: 'live', stream: 'livestream' }, clock, opts.source);
  const store = new PlaylistCheckingStore();
  const events: HlsSegmentEvent[] = [];
  const warnings: string[] = [];
  const hls = new HlsSegmenter({
    names: source, store, clock, config: opts.config, maxPendingBytes: opts.maxPendingBytes,
    listener: { onHls: (e) => events.push(e) },
    log: { warn: (event, fields) => warnings.push(`${event} ${String(fields?.reason ?? fields?.key ?? '')}`) },
  });
  hls.attach(source);
  const m3u8Dir = hls.m3u8Key.slice(0, hls.m3u8Key.lastIndexOf('/') + 1);
  return {
    clock, source, store, hls, events, warnings,
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
    playlist() {
      const text = store.text(hls.m3u8Key);
      if (text === undefined) throw new Error('no playlist stored');
      return decodeMediaPlaylist(text);
    },
    segment(uri) {
      const o = store.objects.get(m3u8Dir + uri);
      if (o === undefined) throw new Error(`segment ${uri} not stored`);
      return o.bytes;
    },
  };
}
