import { join } from 'node:path';
import type { HlsListener, HlsSegmentEvent } from '../../output/hls/hls-events.ts';
import { HlsSegmenter } from '../../output/hls/hls-segmenter.ts';
import type { Source, SourceObserver } from '../../hub/source.ts';
import type { ObjectStore } from '../../storage/storage.ts';
import type { ClientRegistry } from '../clients.ts';
import type { NodeConfig } from '../config/index.ts';
import type { HookClient } from '../hooks/hook-client.ts';
import { SerialNotifier } from '../hooks/serial-notifier.ts';
import type { Logger } from '../log/logger.ts';

/**
 * Most on_hls calls of one stream waiting for the hook. A healthy hook
 * answers within `hooks.timeout_ms` (3 s) and segments come every
 * `hls_fragment` (1 s or more), so a few wait at most; 32 rides out half a
 * minute of 1 s segments behind a hook that hangs, then newer events are
 * dropped (counted and logged) instead of held without bound.
 */
export const MAX_PENDING_HLS_HOOKS = 32;

export interface HlsOutputsOptions {
  readonly store: ObjectStore;
  readonly config: NodeConfig['hls'];
  readonly log: Logger;
  /** Where on_hls goes (config `hooks.on_hls`). */
  readonly hooks: HookClient;
  /** Where the publisher's ip and tcUrl come from for on_hls. */
  readonly clients: ClientRegistry;
  /** The directory the store's keys are under (SRS's on_hls `file`/`m3u8` are paths); null when HLS lives in a bucket (keys as they are). */
  readonly fileRoot: string | null;
  /** Also told about every stored segment (the control-plane client). */
  readonly listener?: HlsListener;
  /** SRS on_hls `cwd` (default: the process's). */
  readonly cwd?: string;
}

/** Who publishes a stream, kept from publish time for on_hls (the client may be gone when its last segment is stored). */
interface Publisher {
  readonly clientId: string;
  readonly ip: string;
  readonly tcUrl: string;
}

interface Entry {
  readonly segmenter: HlsSegmenter;
  readonly hookQueue: SerialNotifier;
  publisher: Publisher;
  endTimer: ReturnType<typeof setTimeout> | null;
}

/**
 * SRS's on_hls `url` (`SrsHttpHooks::on_hls`): a segment URI relative to the
 * playlist is put under the playlist's directory; an http(s) URI (an
 * `hls_entry_prefix`) stays as it is. A root-relative URI (`/key`, a segment
 * outside the playlist's directory) is the key itself.
 */
export function hookSegmentUrl(uri: string, m3u8Url: string): string {
  if (/^https?:\/\//i.test(uri)) return uri;
  if (uri.startsWith('/')) return uri.slice(1);
  const slash = m3u8Url.lastIndexOf('/');
  return slash < 0 ? uri : `${m3u8Url.slice(0, slash)}/${uri}`;
}

/**
 * HLS for every published stream, whatever protocol it came in on: the hub
 * tells this observer about publishes, and each source gets one segmenter for
 * as long as it lives. A publisher that leaves and comes back within the
 * reconnect window continues the same playlist (one discontinuity); after the
 * window the playlist gets EXT-X-ENDLIST and the segmenter lets go.
 *
 * Every stored segment is posted as SRS's `on_hls` hook (srs.md 3.2), one
 * call after another per stream and never on the media path (SRS runs it on
 * its async worker), and handed to the listener.
 */
export class HlsOutputs implements SourceObserver {
  private readonly entries = new Map<Source, Entry>();
  private readonly opts: HlsOutputsOptions;
  private readonly store: ObjectStore;
  private readonly config: NodeConfig['hls'];
  private readonly log: Logger;
  private readonly ticker: ReturnType<typeof setInterval>;

  constructor(opts: HlsOutputsOptions) {
    this.opts = opts;
    this.store = opts.store;
    this.config = opts.config;
    this.log = opts.log;
    // hls_dispose is checked once a second, like SRS's hls timer.
    this.ticker = setInterval(() => {
      for (const e of this.entries.values()) e.segmenter.tick();
    }, 1000);
    this.ticker.unref();
  }

  published(source: Source): void {
    const publisher = this.publisherOf(source);
    const existing = this.entries.get(source);
    if (existing !== undefined) {
      if (existing.endTimer !== null) clearTimeout(existing.endTimer);
      existing.endTimer = null;
      existing.publisher = publisher;
      return;
    }
    const c = this.config;
    const log = this.log.child({ stream: `${source.app}/${source.stream}`, output: 'hls' });
    const segmenter = new HlsSegmenter({
      names: source,
      store: this.store,
      clock: { now: Date.now },
      config: {
        fragmentMs: c.fragmentMs,
        windowMs: c.windowMs,
        tdRatio: c.tdRatio,
        aofRatio: c.aofRatio,
        waitKeyframe: c.waitKeyframe,
        cleanup: c.cleanup,
        disposeMs: c.disposeMs,
        tsFile: c.tsFile,
        m3u8File: c.playlistFile,
        entryPrefix: c.entryPrefix,
      },
      listener: { onHls: (e) => this.stored(source, entry, e, log) },
      log,
      // Segment names outlive this object (CDN caches keep them as immutable): start [seq] from the clock, not 0.
      firstSequence: Math.floor(Date.now() / 1000),
    });
    const hookQueue = new SerialNotifier(MAX_PENDING_HLS_HOOKS, () => log.warn('hls_hook_dropped', { pending: MAX_PENDING_HLS_HOOKS }));
    const entry: Entry = { segmenter, hookQueue, publisher, endTimer: null };
    segmenter.attach(source, { schedule: (run) => setImmediate(run) });
    this.entries.set(source, entry);
  }

  unpublished(source: Source): void {
    const e = this.entries.get(source);
    if (e === undefined) return;
    if (e.endTimer !== null) clearTimeout(e.endTimer);
    e.endTimer = setTimeout(() => {
      this.entries.delete(source);
      e.segmenter.end().catch((error: unknown) => this.log.warn('hls_end_failed', { error: error as Error }));
    }, this.config.reconnectWindowMs);
    e.endTimer.unref();
  }

  /** Node shutdown: stop consuming, let queued writes finish (playlists stay as they are, without ENDLIST). */
  async stop(): Promise<void> {
    clearInterval(this.ticker);
    const all = [...this.entries.values()];
    this.entries.clear();
    for (const e of all) {
      if (e.endTimer !== null) clearTimeout(e.endTimer);
      e.segmenter.detach();
    }
    await Promise.all(all.map((e) => e.segmenter.idle()));
  }

  private publisherOf(source: Source): Publisher {
    const clientId = source.publisher?.clientId ?? '';
    const record = clientId === '' ? undefined : this.opts.clients.get(clientId);
    return { clientId, ip: record?.ip ?? '', tcUrl: record?.tcUrl ?? '' };
  }

  /** A segment is stored and listed: on_hls (queued, in order) and the listener. Runs in the segmenter's write queue, never on the media path. */
  private stored(source: Source, entry: Entry, e: HlsSegmentEvent, log: Logger): void {
    const p = entry.publisher;
    const root = this.opts.fileRoot;
    const request = {
      clientId: p.clientId, ip: p.ip, vhost: e.vhost, app: e.app, stream: e.stream, param: '', tcUrl: p.tcUrl, pageUrl: '',
      streamId: source.id, cwd: this.opts.cwd ?? process.cwd(), duration: e.duration,
      file: root === null ? e.file : join(root, e.file), url: hookSegmentUrl(e.url, e.m3u8_url),
      m3u8: root === null ? e.m3u8 : join(root, e.m3u8), m3u8Url: e.m3u8_url, seqNo: e.seq_no,
    };
    entry.hookQueue.push(() => this.opts.hooks.notify('on_hls', request));
    try {
      this.opts.listener?.onHls?.(e);
    } catch (error) {
      log.warn('hls_listener_error', { error: error as Error });
    }
  }
}
