import type { Clock } from '../../hub/clock.ts';
import type { Consumer } from '../../hub/consumer.ts';
import type { MediaMessage } from '../../hub/media-message.ts';
import type { Source } from '../../hub/source.ts';
import type { PutOptions } from '../../storage/storage.ts';
import { expandTemplate } from '../hls/file-template.ts';
import { MAX_JUMP_MS, MediaTimeline, jumpLimitMs } from '../hls/media-timeline.ts';
import { WriteQueue } from '../hls/write-queue.ts';
import { HubAttachment, type AttachOptions } from '../hub-attachment.ts';
import { resolveDvrConfig, type DvrConfig, type ResolvedDvrConfig } from './dvr-config.ts';
import type { DvrCloseReason, DvrFileEvent, DvrListener, DvrLog, DvrStats } from './dvr-events.ts';
import type { DvrSpool, DvrStore, SpoolFile } from './dvr-spool.ts';
import type { FileEnding, FileMuxer, FileMuxerInit } from './file-muxer.ts';
import { FlvFile } from './flv-file.ts';
import { Mp4File } from './mp4-file.ts';

export type { DvrCloseReason, DvrFileEvent, DvrListener, DvrLog, DvrStats } from './dvr-events.ts';

export interface DvrRecorderOptions {
  /** The stream's names, for templates and events (`source.vhost/app/stream`). */
  readonly names: { readonly vhost: string; readonly app: string; readonly stream: string };
  readonly store: DvrStore;
  readonly spool: DvrSpool;
  /** Wall clock, ms since the epoch: [timestamp] and date variables, MP4 creation_time. */
  readonly clock: Clock;
  readonly config?: Partial<DvrConfig>;
  readonly listener?: DvrListener;
  readonly log?: DvrLog;
  /** Bytes allowed to wait for the spool; past it the file is closed and frames dropped (default DEFAULT_MAX_PENDING_BYTES). */
  readonly maxPendingBytes?: number;
  /** Largest file; a bigger one is closed and the next starts (default: by store, see maxFileBytesFor). */
  readonly maxFileBytes?: number;
  /** MP4 sample cap per file (default MAX_MP4_SAMPLES). */
  readonly maxSamples?: number;
}

/** 32 MiB: seconds of even a 50 Mbit/s stream waiting for a local disk; a stalled disk costs frames, not memory. */
export const DEFAULT_MAX_PENDING_BYTES = 32 * 1024 * 1024;
/**
 * Largest file for a store that takes bytes: it is read back into memory
 * once to be put, and Node's fs.readFile refuses 2 GiB. 1 GiB is 45 minutes
 * of 3 Mbit/s; longer sessions continue in a new file.
 */
export const MAX_FILE_BYTES_IN_MEMORY = 1024 * 1024 * 1024;
/** Largest file for a store that takes a file (local directory): no memory is involved; 64 GiB keeps one file below common filesystem and object limits (S3: 5 TiB). */
export const MAX_FILE_BYTES_ON_DISK = 64 * 1024 * 1024 * 1024;
/**
 * With dvr_wait_keyframe, a segment with no keyframe in sight is cut anyway
 * at this many times dvr_duration (a stream without keyframes, bad-inputs
 * row 38), so no file grows without bound; the next one's video waits for a
 * keyframe.
 */
export const MAX_OVERRUN_RATIO = 2;

function createFileMuxer(init: FileMuxerInit): FileMuxer {
  return init.format === 'mp4' ? new Mp4File(init) : new FlvFile(init);
}

export function maxFileBytesFor(store: DvrStore): number {
  return store.putFile === undefined ? MAX_FILE_BYTES_IN_MEMORY : MAX_FILE_BYTES_ON_DISK;
}

const PUT: Readonly<Record<'flv' | 'mp4', PutOptions>> = {
  flv: { contentType: 'video/x-flv', cacheControl: 'public, max-age=31536000, immutable' },
  mp4: { contentType: 'video/mp4', cacheControl: 'public, max-age=31536000, immutable' },
};

/** Keys of recent files, to give a file that would land on one of them another name. */
const RECENT_KEYS = 16;

interface OpenFile {
  readonly muxer: FileMuxer;
  readonly key: string;
  /** Timeline position of the file's first frame (its time 0). */
  readonly startT: number;
  readonly wall: number;
  lastT: number;
  readonly frames: { audio: number; video: number };
  /** Parts waiting for the next flush to the spool. */
  buffered: Uint8Array[];
  bufferedBytes: number;
  spool: SpoolFile | null;
  failed: boolean;
}

/**
 * The DVR recorder of one live stream (SRS `SrsDvr`, srs.md 9.2): a hub
 * consumer that writes FLV or MP4 files by plan `session` (a file per
 * publish) or `segment` (a new file every dvr_duration, at a keyframe with
 * dvr_wait_keyframe), growing each in a spool file and putting it in the
 * store when it is finished, then telling the listener (on_dvr). Pure of IO
 * itself: spool, store and clock are injected; spool and store work runs in
 * order in one queue, off the media path, and never throws into the hub.
 *
 * A file always starts its video at a keyframe and after the sequence
 * headers; a changed header, a timestamp jump, the size or sample cap and a
 * store backlog close the file and start another, so files stay valid and
 * bounded whatever the publisher sends.
 *
 * @example
 * const dvr = new DvrRecorder({ names: source, store, spool, clock, config: { plan: 'segment' }, listener });
 * dvr.attach(source, { schedule: setImmediate });   // at publish
 * await dvr.end();                                  // stream gone: close and store the last file
 */
export class DvrRecorder {
  readonly config: ResolvedDvrConfig;
  readonly stats: DvrStats = {
    files: 0, closeReasons: {}, droppedFrames: {}, emptyFiles: 0, storeErrors: 0, pendingBytes: 0, listenerErrors: 0, internalErrors: 0,
  };

  private readonly names: DvrRecorderOptions['names'];
  private readonly store: DvrStore;
  private readonly spool: DvrSpool;
  private readonly clock: Clock;
  private readonly listener: DvrListener;
  private readonly log: DvrLog | undefined;
  private readonly maxPendingBytes: number;
  private readonly maxFileBytes: number;
  private readonly maxSamples: number | undefined;
  private readonly timeline: MediaTimeline;
  private readonly queue: WriteQueue;
  private readonly recentKeys: string[] = [];
  private readonly loggedDrops = new Set<string>();

  private readonly hub = new HubAttachment('dvr', {
    onMessages: (messages) => {
      for (const m of messages) this.writeOne(m);
      this.flush();
    },
    onUnpublish: () => this.unpublish(),
    onLost: (reason) => {
      this.log?.warn('dvr_consumer_closed', { reason, stream: this.streamName() });
      this.closeFile('end', null);
    },
  });
  private file: OpenFile | null = null;
  private readonly headers: { audio: MediaMessage | null; video: MediaMessage | null; meta: MediaMessage | null } = {
    audio: null, video: null, meta: null,
  };
  /** Frames are dropped until the spool catches up (pendingBytes under half the limit). */
  private backlogged = false;
  private ended = false;

  constructor(opts: DvrRecorderOptions) {
    this.config = resolveDvrConfig(opts.config);
    this.names = { vhost: opts.names.vhost, app: opts.names.app, stream: opts.names.stream };
    this.store = opts.store;
    this.spool = opts.spool;
    this.clock = opts.clock;
    this.listener = opts.listener ?? {};
    this.log = opts.log;
    this.maxPendingBytes = opts.maxPendingBytes ?? DEFAULT_MAX_PENDING_BYTES;
    this.maxFileBytes = opts.maxFileBytes ?? maxFileBytesFor(opts.store);
    this.maxSamples = opts.maxSamples;
    // A jump longer than this either way closes the file: half a segment, or 5 s for whole sessions.
    this.timeline = new MediaTimeline(this.config.plan === 'segment' ? jumpLimitMs(this.config.durationMs) : MAX_JUMP_MS);
    this.queue = new WriteQueue((e) => this.internalError(e));
  }

  /** The open file's store key, or null. */
  get recording(): string | null {
    return this.file?.key ?? null;
  }

  /**
   * Become a consumer of `source` (at publish). `schedule` runs the drain
   * after the hub signals; default now, in the publisher's push.
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
    this.writeOne(msg);
    this.flush();
  }

  /** The publisher left: the open file is finished (both plans, as SRS); the next publish starts a new one. */
  unpublish(): void {
    this.pump();
    this.closeFile('unpublish', null);
    this.timeline.reset();
    this.headers.audio = this.headers.video = this.headers.meta = null;
  }

  /** Finish the open file, stop consuming; resolves when every file is stored. */
  async end(): Promise<void> {
    if (!this.ended) {
      this.pump();
      this.closeFile('end', null);
      this.ended = true;
      this.detach();
    }
    return this.queue.idle();
  }

  /** Stop consuming; the open file is left unfinished (use end() to keep it). */
  detach(): void {
    this.hub.detach();
  }

  /** Resolves when the spool and store have every job queued so far. */
  idle(): Promise<void> {
    return this.queue.idle();
  }

  private writeOne(msg: MediaMessage): void {
    try {
      this.writeMessage(msg);
    } catch (e) {
      this.internalError(e);
    }
  }

  private writeMessage(msg: MediaMessage): void {
    if (this.ended) return;
    if (msg.kind === 'data') {
      if (msg.sequenceHeader) this.headers.meta = msg;
      return;
    }
    const kind = msg.kind;
    if (msg.sequenceHeader) {
      this.headers[kind] = msg;
      const f = this.file;
      if (f === null) return;
      const r = f.muxer.push(kind, f.lastT - f.startT, msg.payload, msg);
      if (r.kind === 'restart') this.closeFile('codec_changed', null);
      else if (r.kind === 'written') this.buffer(f, r.parts);
      return;
    }
    const p = this.timeline.next(msg.timestamp);
    if (this.backlogged) {
      if (this.stats.pendingBytes > this.maxPendingBytes / 2) return this.drop('backlog');
      this.backlogged = false;
    }
    let f = this.file;
    if (f !== null) {
      const reason = p.jump ? 'timestamp_jump' : this.cutReason(f, msg, p.t);
      if (reason !== null) {
        this.closeFile(reason, p.jump ? null : p.t);
        f = null;
      }
    }
    f ??= this.openFile(p.t);
    const r = f.muxer.push(kind, p.t - f.startT, msg.payload, msg);
    if (r.kind === 'written') {
      if (r.frame) f.frames[kind]++;
      f.lastT = Math.max(f.lastT, p.t);
      this.buffer(f, r.parts);
    } else if (r.kind === 'drop') {
      this.drop(r.reason, f.muxer.lastError);
    }
  }

  /** Why the open file must end before this frame, or null. */
  private cutReason(f: OpenFile, msg: MediaMessage, t: number): DvrCloseReason | null {
    if (f.muxer.full || f.muxer.bytes >= this.maxFileBytes) return 'limit';
    if (this.config.plan !== 'segment') return null;
    const d = t - f.startT;
    const target = this.config.durationMs;
    if (d < target) return null;
    if (!this.config.waitKeyframe || d >= MAX_OVERRUN_RATIO * target) return 'duration';
    // SRS dvr_wait_keyframe: a video stream cuts at a keyframe; an audio-only one at any frame.
    const atKeyframe = this.headers.video === null ? msg.kind === 'audio' : msg.kind === 'video' && msg.keyframe;
    return atKeyframe ? 'duration' : null;
  }

  private openFile(t: number): OpenFile {
    const wall = this.clock.now();
    const muxer = createFileMuxer({
      format: this.config.format,
      wallMs: wall,
      hasAudio: this.headers.audio !== null,
      hasVideo: this.headers.video !== null,
      metadata: this.headers.meta?.payload ?? null,
      maxSamples: this.maxSamples,
    });
    const f: OpenFile = {
      muxer, key: this.keyFor(wall), startT: t, wall, lastT: t, frames: { audio: 0, video: 0 },
      buffered: [], bufferedBytes: 0, spool: null, failed: false,
    };
    this.file = f;
    this.queue.run(async () => {
      try {
        f.spool = await this.spool.create(this.config.format);
      } catch (e) {
        f.failed = true;
        this.storeError('dvr_spool_failed', f.key, e);
      }
    });
    this.buffer(f, muxer.header());
    for (const kind of ['video', 'audio'] as const) {
      const h = this.headers[kind];
      if (h === null) continue;
      const r = muxer.push(kind, 0, h.payload, h);
      if (r.kind === 'written') this.buffer(f, r.parts);
      else if (r.kind === 'drop') this.drop(r.reason, muxer.lastError);
    }
    return f;
  }

  /** SRS dvr_path at the file's start; a key used moments ago gets a `.1`, `.2` ... before its extension. */
  private keyFor(wall: number): string {
    const base = expandTemplate(this.config.file, { ...this.names, timeMs: wall });
    let key = base;
    for (let n = 1; this.recentKeys.includes(key); n++) key = base.replace(/(\.[a-z0-9]+)$/, `.${n}$1`);
    this.recentKeys.push(key);
    if (this.recentKeys.length > RECENT_KEYS) this.recentKeys.shift();
    return key;
  }

  private buffer(f: OpenFile, parts: readonly Uint8Array[]): void {
    for (const p of parts) {
      f.buffered.push(p);
      f.bufferedBytes += p.length;
    }
  }

  /** Hands buffered parts of the open file to the spool queue; past the backlog limit the file is closed. */
  private flush(): void {
    const f = this.file;
    if (f === null || f.bufferedBytes === 0) return;
    this.queueAppend(f);
    if (this.stats.pendingBytes > this.maxPendingBytes) {
      this.closeFile('backlog', null);
      this.backlogged = true;
      this.log?.warn('dvr_backlog', { pending_bytes: this.stats.pendingBytes, stream: this.streamName() });
    }
  }

  private queueAppend(f: OpenFile): void {
    const parts = f.buffered;
    const n = f.bufferedBytes;
    f.buffered = [];
    f.bufferedBytes = 0;
    this.stats.pendingBytes += n;
    this.queue.run(async () => {
      try {
        if (f.spool !== null && !f.failed) await f.spool.append(parts);
      } catch (e) {
        f.failed = true;
        this.storeError('dvr_spool_write_failed', f.key, e);
      } finally {
        this.stats.pendingBytes -= n;
      }
    });
  }

  /** Ends the open file at `endT` (the next file's first frame) or after its last frame, and queues storing it. */
  private closeFile(reason: DvrCloseReason, endT: number | null): void {
    const f = this.file;
    if (f === null) return;
    this.file = null;
    this.stats.closeReasons[reason] = (this.stats.closeReasons[reason] ?? 0) + 1;
    if (f.muxer.empty) {
      this.stats.emptyFiles++;
      this.queue.run(() => this.discard(f));
      return;
    }
    const ending = f.muxer.finish(endT === null ? undefined : endT - f.startT);
    this.buffer(f, ending.tail);
    this.queueAppend(f);
    this.queue.run(() => this.storeFile(f, ending, reason));
  }

  private async storeFile(f: OpenFile, ending: FileEnding, reason: DvrCloseReason): Promise<void> {
    const spool = f.spool;
    if (spool === null || f.failed) return this.discard(f);
    const options = PUT[this.config.format];
    try {
      for (const p of ending.patches) await spool.writeAt(p.offset, p.bytes);
      await spool.close();
      if (this.store.putFile !== undefined && spool.path !== null) await this.store.putFile(f.key, spool.path, options);
      else await this.store.put(f.key, await spool.read(), options);
    } catch (e) {
      // The recording stays in the spool for an operator to recover.
      this.storeError('dvr_store_failed', f.key, e, spool.path);
      return;
    }
    try {
      await spool.remove();
    } catch (e) {
      this.storeError('dvr_spool_remove_failed', f.key, e, spool.path);
    }
    this.stats.files++;
    this.emit({
      action: 'on_dvr', ...this.names, file: f.key, format: this.config.format, plan: this.config.plan,
      duration: Math.round(ending.durationMs) / 1000, bytes: ending.fileBytes, startTime: f.wall,
      videoFrames: f.frames.video, audioFrames: f.frames.audio, reason,
    });
  }

  private async discard(f: OpenFile): Promise<void> {
    try {
      await f.spool?.remove();
    } catch (e) {
      this.storeError('dvr_spool_remove_failed', f.key, e, f.spool?.path ?? null);
    }
  }

  private emit(event: DvrFileEvent): void {
    const fn = this.listener.onDvr;
    if (fn === undefined) return;
    try {
      fn.call(this.listener, event);
    } catch (e) {
      this.stats.listenerErrors++;
      this.log?.warn('dvr_listener_error', { error: e instanceof Error ? e : String(e), stream: this.streamName() });
    }
  }

  /** Counted by reason; one log line per reason and recorder (bad frames come in floods). */
  private drop(reason: string, error: unknown = null): void {
    this.stats.droppedFrames[reason] = (this.stats.droppedFrames[reason] ?? 0) + 1;
    if (this.loggedDrops.has(reason)) return;
    this.loggedDrops.add(reason);
    this.log?.warn('dvr_frame_dropped', {
      reason, error: error instanceof Error ? error : error === null ? undefined : String(error), stream: this.streamName(),
    });
  }

  private storeError(event: string, key: string, e: unknown, path: string | null = null): void {
    this.stats.storeErrors++;
    this.log?.warn(event, { key, spool: path ?? undefined, error: e instanceof Error ? e : String(e), stream: this.streamName() });
  }

  private internalError(e: unknown): void {
    this.stats.internalErrors++;
    this.log?.warn('dvr_internal_error', { error: e instanceof Error ? e : String(e), stream: this.streamName() });
  }

  private streamName(): string {
    return `${this.names.app}/${this.names.stream}`;
  }
}
