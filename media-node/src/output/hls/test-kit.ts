import { decodeMediaPlaylist, type MediaPlaylist } from '../../format/m3u8/media-playlist.ts';
import type { SourceOptions } from '../../hub/source.ts';
import { MemoryStore } from '../../storage/memory-store.ts';
import type { PutOptions } from '../../storage/storage.ts';
import type { HlsConfig } from './hls-config.ts';
import { HlsSegmenter, type HlsSegmentEvent } from './hls-segmenter.ts';
import { sourceRig, type SourceRig } from '../test-kit.ts';

export { T0 } from '../test-kit.ts';

/**
 * A hub source, an HLS segmenter attached to it, a fake store that checks
 * every playlist it receives names only stored segments, and a feeder that
 * moves the fake wall clock with the media: what the HLS tests share.
 */

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

export interface HlsRig extends SourceRig {
  readonly store: PlaylistCheckingStore;
  readonly hls: HlsSegmenter;
  readonly events: HlsSegmentEvent[];
  readonly warnings: string[];
  /** The stored playlist, parsed. */
  playlist(): MediaPlaylist;
  /** The bytes of a playlist entry. */
  segment(uri: string): Uint8Array;
}

export function hlsRig(opts: { config?: Partial<HlsConfig>; source?: SourceOptions; maxPendingBytes?: number } = {}): HlsRig {
  const rig = sourceRig('vid-hls0001', opts.source);
  const { clock, source } = rig;
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
    ...rig, store, hls, events, warnings,
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
