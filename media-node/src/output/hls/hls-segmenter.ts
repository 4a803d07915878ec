import { encodeMediaPlaylist, CONTENT_TYPE_M3U8 } from '../../format/m3u8/media-playlist.ts';
import { checkUri } from '../../format/m3u8/uri.ts';
import { FlvToTs, type FlvToTsStats, type TsChunk } from '../../format/remux/flv-to-ts.ts';
import type { Clock } from '../../hub/clock.ts';
import type { Consumer } from '../../hub/consumer.ts';
import type { MediaMessage } from '../../hub/media-message.ts';
import type { Source } from '../../hub/source.ts';
import type { ObjectStore, PutOptions } from '../../storage/storage.ts';
import { expandTemplate, segmentUri } from './file-template.ts';
import { resolveHlsConfig, type HlsConfig } from './hls-config.ts';
import type { HlsListener, HlsLog, HlsStats } from './hls-events.ts';
import { MediaTimeline, jumpLimitMs } from './media-timeline.ts';
import { MIN_REAP_MS, closeProblem, reapReason } from './reap-rules.ts';
import { SegmentWindow, type StoredSegment } from './segment-window.ts';
import { WriteQueue } from './write-queue.ts';
import { HubAttachment, type AttachOptions } from '../hub-attachment.ts';

export type { HlsListener, HlsLog, HlsLogFields, HlsSegmentEvent, HlsStats } from './hls-events.ts';

export interface HlsSegmenterOptions {
  /** The stream's names, for templates and events (`source.vhost/app/stream`). */
  readonly names: { readonly vhost: string; readonly app: string; readonly stream: string };
  readonly store: ObjectStore;
  /** Wall clock, ms since the epoch: EXT-X-PROGRAM-DATE-TIME, date template variables, hls_dispose. */
  readonly clock: Clock;
  readonly config?: Partial<HlsConfig>;
  readonly listener?: HlsListener;
  readonly log?: HlsLog;
  /** [seq] of the first segment (default 0). Use a persisted or time-based value when keys outlive this object (CDN caches). */
  readonly firstSequence?: number;
  /** Segment bytes allowed to wait for a slow store; past it segments are dropped (default DEFAULT_MAX_PENDING_BYTES). */
  readonly maxPendingBytes?: number;
}

/** A minute of 16 Mbit/s video waiting for storage; the S3 store spools to disk behind its own queue. */
export const DEFAULT_MAX_PENDING_BYTES = 128 * 1024 * 1024;

const TS_PUT: PutOptions = { contentType: 'video/mp2t', cacheControl: 'public, max-age=31536000, immutable' };
const M3U8_PUT: PutOptions = { contentType: CONTENT_TYPE_M3U8, cacheControl: 'public, max-age=1' };

interface OpenSegment {
  readonly parts: Uint8Array[];
  bytes: number;
  readonly startT: number;
  maxT: number;
  /** Wall clock of its first frame (program date time). */
  readonly wall: number;
  readonly discontinuity: boolean;
}

/**
 * The HLS (MPEG-TS) segmenter of one live stream: a hub consumer that
 * remuxes frames to TS, cuts segments by SRS's rules (reap-rules.ts), keeps
 * a sliding playlist (segment-window.ts) and writes both through an
 * ObjectStore. Pure of IO itself: the store is injected and every write is
 * queued and run in order off the media path; a failure is counted and
 * logged, never thrown into the hub. A segment reaches the playlist only
 * after it is stored.
 *
 * Timeline events: a message with `discontinuity` (republish, changed
 * sequence header), a codec change, a track appearing mid-segment and a
 * timestamp jump close the segment and mark the next with
 * EXT-X-DISCONTINUITY; `end()` writes EXT-X-ENDLIST; `tick()` applies
 * hls_dispose.
 *
 * @example
 * const hls = new HlsSegmenter({ names: source, store, clock, config: { fragmentMs: 4000 }, listener, log });
 * hls.attach(source, { schedule: setImmediate });   // at publish
 * setInterval(() => hls.tick(), 1000);              // hls_dispose
 * await hls.end();                                  // reconnect window over: EXT-X-ENDLIST
 */
export class HlsSegmenter {
  readonly config: HlsConfig;
  readonly stats: HlsStats = {
    segments: 0, droppedSegments: 0, dropReasons: {}, storeErrors: 0, playlistWrites: 0, deletes: 0, pendingBytes: 0,
    disposals: 0, listenerErrors: 0, internalErrors: 0,
  };
  /** The playlist's store key. */
  readonly m3u8Key: string;

  private readonly names: HlsSegmenterOptions['names'];
  private readonly store: ObjectStore;
  private readonly clock: Clock;
  private readonly listener: HlsListener;
  private readonly log: HlsLog | undefined;
  private readonly maxPendingBytes: number;
  private readonly maxTargetMs: number;
  private readonly remux = new FlvToTs();
  private readonly timeline: MediaTimeline;
  private readonly window: SegmentWindow;
  private readonly queue: WriteQueue;
  private readonly loggedDrops = new Set<string>();

  private readonly hub = new HubAttachment('hls', {
    onMessages: (messages) => {
      for (const m of messages) this.write(m);
    },
    onUnpublish: () => this.unpublish(),
    // anything but our own detach (slow_consumer, source_closed) stops HLS for this stream
    onLost: (reason) => this.log?.warn('hls_consumer_closed', { reason, stream: this.streamName() }),
  });
  private seg: OpenSegment | null = null;
  private nextSeq: number;
  /** The next segment opens with EXT-X-DISCONTINUITY. */
  private discontinuityNext = false;
  /** The open segment must close before the next frame (a hub discontinuity arrived on a header). */
  private cutPending = false;
  /** A segment was opened in this playlist, so a discontinuity has something to separate. */
  private started = false;
  /** Set in the write queue when a segment could not be stored: the next one stored is discontinuous. */
  private storeGap = false;
  /** Program date time = wall + (t - anchor.t), re-anchored at each discontinuity. */
  private anchor: { t: number; wall: number } | null = null;
  private readonly lastT: { audio: number | null; video: number | null } = { audio: null, video: null };
  private readonly stepMs = { audio: 0, video: 0 };
  private lastMediaAt: number | null = null;
  private ended = false;

  constructor(opts: HlsSegmenterOptions) {
    this.config = resolveHlsConfig(opts.config);
    this.names = { vhost: opts.names.vhost, app: opts.names.app, stream: opts.names.stream };
    this.store = opts.store;
    this.clock = opts.clock;
    this.listener = opts.listener ?? {};
    this.log = opts.log;
    this.maxPendingBytes = opts.maxPendingBytes ?? DEFAULT_MAX_PENDING_BYTES;
    this.nextSeq = opts.firstSequence ?? 0;
    this.maxTargetMs = this.config.tdRatio * this.config.fragmentMs;
    this.m3u8Key = expandTemplate(this.config.m3u8File, this.names);
    // A template that cannot make a safe key or URI is a config error: refuse it now, not at the first segment.
    checkUri(segmentUri(expandTemplate(this.config.tsFile, { ...this.names, seq: 0, durationMs: 0 }), this.m3u8Key, this.config.entryPrefix));
    this.timeline = new MediaTimeline(jumpLimitMs(this.config.fragmentMs));
    this.window = new SegmentWindow({
      windowMs: this.config.windowMs,
      minTargetS: this.maxTargetMs / 1000,
      keepExpired: this.config.cleanup,
    });
    this.queue = new WriteQueue((e) => this.internalError(e));
  }

  /** Remuxer counters (frames dropped by reason, bad-inputs rows 36/37/40). */
  get remuxStats(): FlvToTsStats {
    return this.remux.stats;
  }

  /** The playlist as it stands (stored segments only). */
  get playlist(): readonly StoredSegment[] {
    return this.window.segments;
  }

  /**
   * Become a consumer of `source` (at publish, or any time: a joiner starts
   * with its sequence headers and GOP cache). `schedule` runs the drain after
   * the hub signals; default now, in the publisher's push; the server may pass
   * `setImmediate` to leave the publisher's call stack first.
   */
  attach(source: Source, opts: AttachOptions = {}): Consumer {
    return this.hub.attach(source, opts);
  }

  /** Takes what the consumer holds and writes it. */
  pump(): void {
    this.hub.pump();
  }

  /** One hub message. Never throws. */
  write(msg: MediaMessage): void {
    try {
      this.writeMessage(msg);
    } catch (e) {
      this.internalError(e);
    }
  }

  /**
   * The publisher left: close the open segment (it is published), forget the
   * codec configurations; a republish continues this playlist after an
   * EXT-X-DISCONTINUITY. Called by the consumer's onUnpublish.
   */
  unpublish(): void {
    try {
      this.pump();
      if (this.seg !== null) this.closeSegment(null);
      this.remux.reset();
      this.timeline.reset();
      this.lastT.audio = this.lastT.video = null;
      this.cutPending = false;
      this.discontinuityNext = this.started;
    } catch (e) {
      this.internalError(e);
    }
  }

  /**
   * The stream is over for good (the server's reconnect window passed):
   * publish the open segment, write the playlist with EXT-X-ENDLIST, detach.
   * Resolves when every write is done.
   */
  async end(): Promise<void> {
    if (!this.ended) {
      try {
        this.pump();
        if (this.seg !== null) this.closeSegment(null);
      } catch (e) {
        this.internalError(e);
      }
      this.ended = true;
      this.queue.run(() => this.writePlaylist(true));
      this.detach();
    }
    return this.queue.idle();
  }

  /** Stop consuming without ending the playlist (node shutdown); the open segment is lost. */
  detach(): void {
    this.hub.detach();
  }

  /** hls_dispose: call every second or so; with no media for disposeMs, the playlist and its segments are deleted. */
  tick(now: number = this.clock.now()): void {
    if (this.config.disposeMs <= 0 || this.lastMediaAt === null) return;
    if (now - this.lastMediaAt < this.config.disposeMs) return;
    this.dispose();
  }

  /** Delete the playlist and every segment now (SRS dispose); a later frame starts a new playlist. */
  dispose(): void {
    this.lastMediaAt = null;
    this.seg = null;
    this.started = false;
    this.discontinuityNext = false;
    this.anchor = null;
    this.queue.run(async () => {
      const all = this.window.clear();
      for (const s of all) await this.remove(s.key);
      await this.remove(this.m3u8Key);
      this.stats.disposals++;
    });
  }

  /** Resolves when the store has every write queued so far. */
  idle(): Promise<void> {
    return this.queue.idle();
  }

  private writeMessage(msg: MediaMessage): void {
    if (this.ended || msg.kind === 'data') return;
    if (msg.discontinuity) {
      if (this.seg !== null) this.cutPending = true;
      else this.discontinuityNext = this.started;
    }
    const chunk = this.remux.remux(msg.kind, msg.timestamp, msg.payload);
    if (chunk === null) {
      this.noteRemuxDrop();
      return;
    }
    this.lastMediaAt = this.clock.now();
    const kind = chunk.kind;
    const p = this.timeline.next(msg.timestamp);
    if (this.seg !== null) {
      const duration = p.t - this.seg.startT;
      if (p.jump) {
        this.closeSegment(null);
        this.discontinuityNext = true;
        this.lastT.audio = this.lastT.video = null;
      } else if (this.cutPending || chunk.codecChanged || (chunk.tablesChanged && duration >= MIN_REAP_MS)) {
        this.closeSegment(p.t);
        this.discontinuityNext = true;
      } else if (reapReason(this.config, duration, this.seg.bytes, chunk) !== null) {
        this.closeSegment(p.t);
      }
    }
    this.cutPending = false;
    if (this.seg === null) this.openSegment(p.t, chunk);
    this.append(chunk, p.t, kind);
  }

  private openSegment(t: number, chunk: TsChunk): void {
    const discontinuity = this.discontinuityNext && this.started;
    if (discontinuity || this.anchor === null) this.anchor = { t, wall: this.clock.now() };
    this.seg = { parts: [], bytes: 0, startT: t, maxT: t, wall: this.anchor.wall + (t - this.anchor.t), discontinuity };
    // A segment must start with PAT + PMT; keyframes and program changes bring theirs.
    if (!chunk.withTables) {
      const tables = this.remux.writeTables();
      this.seg.parts.push(tables);
      this.seg.bytes += tables.length;
    }
    this.discontinuityNext = false;
    this.started = true;
  }

  private append(chunk: TsChunk, t: number, kind: 'audio' | 'video'): void {
    const s = this.seg!;
    for (const part of chunk.parts) s.parts.push(part);
    s.bytes += chunk.byteLength;
    if (t > s.maxT) s.maxT = t;
    const last = this.lastT[kind];
    if (last !== null && t > last) this.stepMs[kind] = t - last;
    this.lastT[kind] = t;
  }

  /** Closes the open segment at `endT` (the next segment's start), or after its last frame when null. */
  private closeSegment(endT: number | null): void {
    const s = this.seg!;
    this.seg = null;
    const durationMs = (endT ?? this.lastFrameEnd(s)) - s.startT;
    const problem = closeProblem(durationMs, this.maxTargetMs);
    if (problem !== null) return this.dropSegment(problem, durationMs);
    if (this.stats.pendingBytes + s.bytes > this.maxPendingBytes) return this.dropSegment('backlog', durationMs);
    const bytes = concat(s.parts, s.bytes);
    this.stats.pendingBytes += bytes.length;
    this.queue.run(() => this.storeSegment(s, bytes, durationMs));
  }

  /** Where the media of a segment closed without a next frame ends: its latest frame of either kind plus that kind's frame interval. */
  private lastFrameEnd(s: OpenSegment): number {
    let end = s.maxT;
    for (const kind of ['audio', 'video'] as const) {
      const t = this.lastT[kind];
      if (t !== null && t >= s.startT) end = Math.max(end, t + this.stepMs[kind]);
    }
    return end;
  }

  private dropSegment(reason: string, durationMs: number): void {
    this.stats.droppedSegments++;
    this.stats.dropReasons[reason] = (this.stats.dropReasons[reason] ?? 0) + 1;
    this.discontinuityNext = true; // the timeline has a hole here
    this.log?.warn('hls_segment_dropped', { reason, duration_ms: Math.round(durationMs), stream: this.streamName() });
  }

  private async storeSegment(s: OpenSegment, bytes: Uint8Array, durationMs: number): Promise<void> {
    const seq = this.nextSeq;
    let key = '';
    let uri: string;
    try {
      key = expandTemplate(this.config.tsFile, { ...this.names, seq, timeMs: s.wall, durationMs });
      uri = checkUri(segmentUri(key, this.m3u8Key, this.config.entryPrefix));
      await this.store.put(key, bytes, TS_PUT);
    } catch (e) {
      this.storeError('hls_segment_store_failed', key, e);
      this.stats.droppedSegments++;
      this.stats.dropReasons.store_failed = (this.stats.dropReasons.store_failed ?? 0) + 1;
      this.storeGap = true;
      return;
    } finally {
      this.stats.pendingBytes -= bytes.length;
    }
    this.nextSeq++;
    const stored: StoredSegment = {
      seq, key, uri, durationMs, discontinuity: s.discontinuity || this.storeGap, programDateTime: s.wall,
    };
    this.storeGap = false;
    const due = this.window.add(stored);
    this.stats.segments++;
    await this.writePlaylist(false);
    this.emit(stored);
    for (const d of due) await this.remove(d.key);
  }

  private async writePlaylist(endList: boolean): Promise<void> {
    if (this.window.segments.length === 0) return;
    try {
      const text = encodeMediaPlaylist(this.window.playlist(endList));
      await this.store.put(this.m3u8Key, new TextEncoder().encode(text), M3U8_PUT);
      this.stats.playlistWrites++;
    } catch (e) {
      this.storeError('hls_playlist_store_failed', this.m3u8Key, e);
    }
  }

  private async remove(key: string): Promise<void> {
    try {
      await this.store.delete(key);
      this.stats.deletes++;
    } catch (e) {
      this.storeError('hls_delete_failed', key, e);
    }
  }

  private emit(s: StoredSegment): void {
    const fn = this.listener.onHls;
    if (fn === undefined) return;
    try {
      fn.call(this.listener, {
        action: 'on_hls', ...this.names, duration: s.durationMs / 1000, file: s.key, url: s.uri,
        m3u8: this.m3u8Key, m3u8_url: this.m3u8Key, seq_no: s.seq, discontinuity: s.discontinuity,
      });
    } catch (e) {
      this.stats.listenerErrors++;
      this.log?.warn('hls_listener_error', { error: e instanceof Error ? e : String(e), stream: this.streamName() });
    }
  }

  private storeError(event: string, key: string, e: unknown): void {
    this.stats.storeErrors++;
    this.log?.warn(event, { key, error: e instanceof Error ? e : String(e), stream: this.streamName() });
  }

  /** One log line per drop reason and segmenter: bad frames come in floods. */
  private noteRemuxDrop(): void {
    const e = this.remux.lastError;
    if (e === null) return;
    const code = (e as { code?: string }).code ?? 'ts_remux_failed';
    if (this.loggedDrops.has(code)) return;
    this.loggedDrops.add(code);
    this.log?.warn('hls_frame_dropped', { reason: code, error: e, stream: this.streamName() });
  }

  private internalError(e: unknown): void {
    this.stats.internalErrors++;
    this.log?.warn('hls_internal_error', { error: e instanceof Error ? e : String(e), stream: this.streamName() });
  }

  private streamName(): string {
    return `${this.names.app}/${this.names.stream}`;
  }
}

function concat(parts: readonly Uint8Array[], total: number): Uint8Array {
  const out = new Uint8Array(total);
  let off = 0;
  for (const p of parts) {
    out.set(p, off);
    off += p.length;
  }
  return out;
}
