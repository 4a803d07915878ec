import { HlsSegmenter } from '../../output/hls/hls-segmenter.ts';
import type { Source, SourceObserver } from '../../hub/source.ts';
import type { ObjectStore } from '../../storage/storage.ts';
import type { NodeConfig } from '../config/index.ts';
import type { Logger } from '../log/logger.ts';

interface Entry {
  readonly segmenter: HlsSegmenter;
  endTimer: ReturnType<typeof setTimeout> | null;
}

/**
 * HLS for every published stream, whatever protocol it came in on: the hub
 * tells this observer about publishes, and each source gets one segmenter for
 * as long as it lives. A publisher that leaves and comes back within the
 * reconnect window continues the same playlist (one discontinuity); after the
 * window the playlist gets EXT-X-ENDLIST and the segmenter lets go.
 */
export class HlsOutputs implements SourceObserver {
  private readonly entries = new Map<Source, Entry>();
  private readonly store: ObjectStore;
  private readonly config: NodeConfig['hls'];
  private readonly log: Logger;
  private readonly ticker: ReturnType<typeof setInterval>;

  constructor(store: ObjectStore, config: NodeConfig['hls'], log: Logger) {
    this.store = store;
    this.config = config;
    this.log = log;
    // hls_dispose is checked once a second, like SRS's hls timer.
    this.ticker = setInterval(() => {
      for (const e of this.entries.values()) e.segmenter.tick();
    }, 1000);
    this.ticker.unref();
  }

  published(source: Source): void {
    const existing = this.entries.get(source);
    if (existing !== undefined) {
      if (existing.endTimer !== null) clearTimeout(existing.endTimer);
      existing.endTimer = null;
      return;
    }
    const c = this.config;
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
      log: this.log.child({ stream: `${source.app}/${source.stream}`, output: 'hls' }),
      // Segment names outlive this object (CDN caches keep them as immutable): start [seq] from the clock, not 0.
      firstSequence: Math.floor(Date.now() / 1000),
    });
    segmenter.attach(source, { schedule: (run) => setImmediate(run) });
    this.entries.set(source, { segmenter, endTimer: null });
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
}
