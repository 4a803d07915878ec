import { ProtocolError } from '@runnel/shared';
import { checkKey, type PutOptions } from '../storage.ts';
import { backoffDelay, DEFAULT_BACKOFF, type BackoffOptions } from '../spool/backoff.ts';
import { QueueDir, type QueueMeta } from './queue-dir.ts';

export type { QueueMeta } from './queue-dir.ts';

/** Where queued files go: S3Store (streams them), or a fake in tests. */
export interface FileStore {
  /** Stores the file at `path` under `key`. A ProtocolError means "never"; anything else "try again later". */
  putFile(key: string, path: string, options: PutOptions): Promise<void>;
}

export type UploadQueueLogValue = string | number | boolean | Error | undefined;
type Fields = { readonly [key: string]: UploadQueueLogValue };

/** What the queue logs through (a server Logger fits). */
export interface UploadQueueLog {
  info(event: string, fields?: Fields): void;
  warn(event: string, fields?: Fields): void;
  error(event: string, fields?: Fields): void;
}

/** One queued file, as the listener sees it. */
export interface QueuedFile {
  readonly id: number;
  readonly key: string;
  readonly options: PutOptions;
  readonly bytes: number;
  /** The caller's data (JSON), as last set by enqueue or update. */
  readonly meta: QueueMeta;
  /** Found on disk at open: queued by an earlier run of the node. */
  readonly restored: boolean;
}

export interface UploadQueueListener {
  /** The file is in the store (called before the local copy is removed). Must not throw. */
  onUploaded?(file: QueuedFile): void;
  /** The store refused the file for good; it was kept at `keptAt`. Must not throw. */
  onFailed?(file: QueuedFile, error: ProtocolError, keptAt: string): void;
  /** The queue reached its byte cap (true), or drained below the resume mark (false). Must not throw. */
  onFullChange?(full: boolean): void;
}

export interface FileUploadQueueOptions {
  readonly inner: FileStore;
  /** The queue's directory (QueueDir); put it on the filesystem files come from, so they move in by rename. */
  readonly dir: string;
  /** Bytes the queue holds before it reports `full` (files are still accepted: see the README). */
  readonly maxBytes: number;
  readonly backoff?: BackoffOptions;
  readonly random?: () => number;
  /** Monotonic milliseconds (default performance.now). */
  readonly now?: () => number;
  readonly log?: UploadQueueLog;
  readonly listener?: UploadQueueListener;
}

/**
 * Full stays reported until the queue is below this share of its cap, so a
 * stopped recorder restarts with room for several files instead of stopping
 * again at its next one.
 */
export const RESUME_RATIO = 0.75;

export interface UploadQueueStats {
  readonly queued: number;
  readonly queuedBytes: number;
  readonly full: boolean;
  /** True from a failed upload until the next successful one. */
  readonly degraded: boolean;
  readonly uploaded: number;
  readonly retries: number;
  /** Files the store refused for good (kept in `failed/`). */
  readonly failed: number;
}

interface Entry extends QueuedFile {
  meta: QueueMeta;
  /** Uploaded: update() no longer applies. */
  done: boolean;
  /** Manifest writes, in order; removal waits for them. */
  writing: Promise<void>;
}

/**
 * Finished files (DVR recordings) waiting for a bucket: each is moved into
 * the queue's directory, then uploaded one at a time in the order it came.
 * A failure other than a ProtocolError keeps the file and retries it with
 * backoff (250 ms doubling to 5 s, jitter) for as long as it takes, so a
 * storage outage delays files but loses none; a ProtocolError (the bucket
 * will never take it) moves it to `failed/` and tells the listener. Nothing
 * is ever deleted that is not in the bucket. The byte cap does not refuse
 * files (they are finished recordings, already on disk): it reports `full`
 * so the producer stops making new ones. A restarted node re-queues what the
 * previous run left, in order.
 *
 * @example
 * const q = await FileUploadQueue.open({ inner: s3, dir: 'data/dvr-upload', maxBytes: 10 * 2 ** 30, listener, log });
 * await q.enqueue('live/cam.1700000000000.mp4', spoolPath, { contentType: 'video/mp4' }, { stream: 'cam' });
 * await q.close(10_000); // shutdown: what is left stays for the next open
 */
export class FileUploadQueue {
  readonly dir: QueueDir;
  private readonly inner: FileStore;
  private readonly maxBytes: number;
  private readonly backoff: BackoffOptions;
  private readonly random: () => number;
  private readonly now: () => number;
  private readonly log: UploadQueueLog | undefined;
  private readonly listener: UploadQueueListener;
  private readonly entries: Entry[] = [];
  private nextId: number;
  private bytes = 0;
  private isFull = false;
  private failures = 0;
  private downSince = 0;
  private counts = { uploaded: 0, retries: 0, failed: 0 };
  /** Enqueues run one after another, so ids follow the order files came in. */
  private enqueueing: Promise<unknown> = Promise.resolve();
  /** Ends the loop's wait for a file. */
  private wake: (() => void) | null = null;
  /** Ends the loop's backoff pause (close only: new files must not cut a backoff short). */
  private interrupt: (() => void) | null = null;
  private closed = false;
  private readonly loop: Promise<void>;
  private idleWaiters: (() => void)[] = [];

  private constructor(opts: FileUploadQueueOptions, dir: QueueDir, nextId: number) {
    this.dir = dir;
    this.inner = opts.inner;
    this.maxBytes = opts.maxBytes;
    this.backoff = opts.backoff ?? DEFAULT_BACKOFF;
    this.random = opts.random ?? Math.random;
    this.now = opts.now ?? (() => performance.now());
    this.log = opts.log;
    this.listener = opts.listener ?? {};
    this.nextId = nextId;
    this.loop = Promise.resolve()
      .then(() => this.run())
      .catch((error: unknown) => this.log?.error('upload_queue_stopped', { error: error as Error }));
  }

  /** Opens the directory and re-queues what a previous run left there (oldest first). */
  static async open(opts: FileUploadQueueOptions): Promise<FileUploadQueue> {
    const dir = await QueueDir.open(opts.dir);
    const found = await dir.recover();
    if (found.dropped > 0) opts.log?.warn('upload_queue_dropped_records', { count: found.dropped, dir: dir.dir });
    for (const path of found.orphans) opts.log?.warn('upload_queue_orphan_file', { path });
    if (found.failed > 0) opts.log?.warn('upload_queue_failed_files', { count: found.failed, dir: dir.dir });
    const q = new FileUploadQueue(opts, dir, found.lastId + 1);
    for (const e of found.entries) q.add({ ...e, restored: true, done: false, writing: Promise.resolve() });
    if (found.entries.length > 0) opts.log?.info('upload_queue_restored', { count: found.entries.length, bytes: q.bytes, dir: dir.dir });
    return q;
  }

  get full(): boolean {
    return this.isFull;
  }

  get stats(): UploadQueueStats {
    return { queued: this.entries.length, queuedBytes: this.bytes, full: this.isFull, degraded: this.failures > 0, ...this.counts };
  }

  /**
   * Takes the finished file at `path` (moved into the queue) to store under
   * `key`; resolves once it is in the queue's directory with its manifest.
   * Rejects (and leaves the file where it was) when it cannot be moved.
   */
  enqueue(key: string, path: string, options: PutOptions, meta: QueueMeta = {}): Promise<void> {
    try {
      checkKey(key);
    } catch (e) {
      return Promise.reject(e as Error);
    }
    if (this.closed) return Promise.reject(new ProtocolError('storage_closed', 'the upload queue is closed'));
    const job = this.enqueueing.then(async () => {
      const id = this.nextId++;
      await this.dir.writeManifest(id, { key, options, meta });
      let bytes: number;
      try {
        bytes = await this.dir.moveIn(id, path);
      } catch (e) {
        await this.dir.remove(id);
        throw e;
      }
      this.add({ id, key, options, bytes, meta, restored: false, done: false, writing: Promise.resolve() });
    });
    this.enqueueing = job.catch(() => undefined);
    return job;
  }

  /** Replaces the meta of the newest queued file stored under `key`; false when there is none (uploaded, failed, never queued). */
  update(key: string, meta: QueueMeta): boolean {
    const e = this.entries.findLast((x) => x.key === key && !x.done);
    if (e === undefined) return false;
    e.meta = meta;
    e.writing = e.writing.then(() => this.persist(e));
    return true;
  }

  /** Resolves when nothing is queued (tests, shutdown). */
  idle(): Promise<void> {
    if (this.entries.length === 0) return Promise.resolve();
    return new Promise((resolve) => this.idleWaiters.push(resolve));
  }

  /** Waits up to `waitMs` for the queue to drain, then stops starting uploads; what is left stays on disk for the next open. */
  async close(waitMs: number): Promise<void> {
    await this.enqueueing;
    let timer: ReturnType<typeof setTimeout> | undefined;
    await Promise.race([this.idle(), new Promise((resolve) => (timer = setTimeout(resolve, waitMs)))]);
    clearTimeout(timer);
    this.closed = true;
    this.wake?.();
    this.interrupt?.();
    // the newest meta of what is left must be on disk for the next open
    await Promise.all(this.entries.map((e) => e.writing));
    if (this.entries.length > 0) this.log?.warn('upload_queue_closed_with_backlog', { count: this.entries.length, bytes: this.bytes, dir: this.dir.dir });
  }

  private add(e: Entry): void {
    this.entries.push(e);
    this.bytes += e.bytes;
    if (!this.isFull && this.bytes >= this.maxBytes) this.setFull(true);
    this.wake?.();
  }

  private setFull(full: boolean): void {
    this.isFull = full;
    if (full) this.log?.error('upload_queue_full', { bytes: this.bytes, max_bytes: this.maxBytes, files: this.entries.length, dir: this.dir.dir });
    else this.log?.info('upload_queue_resumed', { bytes: this.bytes, max_bytes: this.maxBytes });
    try {
      this.listener.onFullChange?.(full);
    } catch (error) {
      this.log?.warn('upload_queue_listener_error', { error: error as Error });
    }
  }

  private persist(e: Entry): Promise<void> {
    if (e.done) return Promise.resolve();
    return this.dir.writeManifest(e.id, { key: e.key, options: e.options, meta: e.meta }).catch((error: unknown) => {
      // the file is still queued; only a restart would lose the newer meta
      this.log?.warn('upload_queue_manifest_failed', { key: e.key, error: error as Error });
    });
  }

  private async run(): Promise<void> {
    while (!this.closed) {
      const head = this.entries[0];
      if (head === undefined) {
        await new Promise<void>((resolve) => (this.wake = resolve));
        this.wake = null;
        continue;
      }
      if (this.failures > 0) {
        await this.pause(backoffDelay(this.failures, this.backoff, this.random));
        if (this.closed) return;
      }
      await this.upload(head);
    }
  }

  private async upload(e: Entry): Promise<void> {
    try {
      await this.inner.putFile(e.key, this.dir.filePath(e.id), e.options);
    } catch (error) {
      if (error instanceof ProtocolError) return this.refused(e, error);
      if (this.failures === 0) {
        this.downSince = this.now();
        this.log?.warn('upload_queue_degraded', { key: e.key, error: error as Error, queued: this.entries.length });
      }
      this.failures++;
      this.counts.retries++;
      return;
    }
    if (this.failures > 0) this.log?.info('upload_queue_recovered', { down_ms: Math.round(this.now() - this.downSince), queued: this.entries.length });
    this.failures = 0;
    this.counts.uploaded++;
    e.done = true;
    this.take(e);
    this.tell(() => this.listener.onUploaded?.(e));
    await e.writing;
    await this.dir.remove(e.id).catch((error: unknown) => this.log?.warn('upload_queue_remove_failed', { key: e.key, error: error as Error }));
  }

  private async refused(e: Entry, error: ProtocolError): Promise<void> {
    e.done = true;
    this.counts.failed++;
    this.take(e);
    await e.writing;
    let keptAt = this.dir.filePath(e.id);
    try {
      keptAt = await this.dir.moveToFailed(e.id);
    } catch (moveError) {
      this.log?.warn('upload_queue_move_failed', { key: e.key, error: moveError as Error });
    }
    this.log?.error('upload_queue_file_refused', { key: e.key, code: error.code, error, kept_at: keptAt });
    this.tell(() => this.listener.onFailed?.(e, error, keptAt));
  }

  /** Out of the queue: the bytes no longer count, the next file starts. */
  private take(e: Entry): void {
    const i = this.entries.indexOf(e);
    if (i >= 0) this.entries.splice(i, 1);
    this.bytes -= e.bytes;
    if (this.isFull && this.bytes < this.maxBytes * RESUME_RATIO) this.setFull(false);
    if (this.entries.length === 0) for (const w of this.idleWaiters.splice(0)) w();
  }

  private tell(call: () => void): void {
    try {
      call();
    } catch (error) {
      this.log?.warn('upload_queue_listener_error', { error: error as Error });
    }
  }

  private pause(ms: number): Promise<void> {
    return new Promise<void>((resolve) => {
      let timer: ReturnType<typeof setTimeout> | undefined = undefined;
      const done = () => {
        clearTimeout(timer);
        this.interrupt = null;
        resolve();
      };
      timer = setTimeout(done, ms);
      this.interrupt = done;
    });
  }

  /** For tests and shutdown: resolves when the upload loop has stopped (after close). */
  stopped(): Promise<void> {
    return this.loop;
  }
}
