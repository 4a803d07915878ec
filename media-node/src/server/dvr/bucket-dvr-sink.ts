import { randomBytes } from 'node:crypto';
import { rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { DvrFileEvent } from '../../output/dvr/dvr-events.ts';
import type { DvrStore } from '../../output/dvr/dvr-spool.ts';
import { FileUploadQueue, type FileStore, type QueuedFile, type QueueMeta, type UploadQueueLog } from '../../storage/file-queue/file-upload-queue.ts';
import type { BackoffOptions } from '../../storage/spool/backoff.ts';
import type { PutOptions } from '../../storage/storage.ts';

/** Who published a recording and which stream it is: what its on_dvr hook says, kept from publish time (the client may be gone when the file is uploaded). */
export interface RecordingContext {
  readonly clientId: string;
  readonly ip: string;
  readonly tcUrl: string;
  /** The source's stat id (SRS `stream_id`). */
  readonly streamId: string;
  readonly vhost: string;
  readonly app: string;
  readonly stream: string;
}

/** Where a stored recording is: the on_dvr `file` (a path, or an object key) and, for a bucket behind a CDN, its URL. */
export interface StoredAt {
  readonly file: string;
  readonly url?: string;
}

/** A bucket a finished file can be put in: S3Store, or a fake in tests. */
export interface BucketStore extends FileStore {
  /** The object key of a store key (prefix included): on_dvr's `file`. */
  objectKey(key: string): string;
}

export interface BucketDvrSinkOptions {
  readonly bucket: BucketStore;
  /** The upload queue's directory (under data_dir, beside the DVR spool so files move in by rename). */
  readonly dir: string;
  /** dvr.backlog_max_bytes. */
  readonly maxBytes: number;
  /** The URL a store key is served at, or null (no dvr.entry_prefix). */
  readonly urlOf: (key: string) => string | null;
  /** The file is in the bucket: post on_dvr. `event` is null for a file a previous run queued and could not describe. */
  readonly announce: (context: RecordingContext, event: DvrFileEvent | null, at: StoredAt) => void;
  /** The backlog reached its cap (true) or drained enough to record again (false). */
  readonly onFullChange: (full: boolean) => void;
  readonly log: UploadQueueLog;
  readonly backoff?: BackoffOptions;
}

/** Uploaded files whose recorder has not told its event yet (it does so right after the put resolves): a few at most; bounded anyway. */
const MAX_UNANNOUNCED = 1000;

/**
 * DVR to a bucket (design.md Storage, issue 3): finished recordings go into
 * a FileUploadQueue (moved from the spool, never read into memory), which
 * uploads them in order and retries while the bucket is down; on_dvr is
 * posted once a file is really in the bucket, with `file` = its object key.
 *
 * The recorder tells its event (duration, frames ...) right after its put
 * resolved, which is when the file is queued, so the event is written into
 * the queued file's manifest (a restarted node still announces it) and
 * joined with the upload, whichever comes first.
 */
export class BucketDvrSink {
  readonly queue: FileUploadQueue;
  private readonly opts: BucketDvrSinkOptions;
  /** Uploaded before their event came: store key -> context and place. */
  private readonly unannounced = new Map<string, { context: RecordingContext; at: StoredAt }>();

  private constructor(opts: BucketDvrSinkOptions, queue: FileUploadQueue) {
    this.opts = opts;
    this.queue = queue;
  }

  static async open(opts: BucketDvrSinkOptions): Promise<BucketDvrSink> {
    let sink: BucketDvrSink | null = null;
    // a restored file may go up before open() returns: hold its announcement until the sink exists
    const early: QueuedFile[] = [];
    const queue = await FileUploadQueue.open({
      inner: opts.bucket,
      dir: opts.dir,
      maxBytes: opts.maxBytes,
      log: opts.log,
      ...(opts.backoff === undefined ? {} : { backoff: opts.backoff }),
      listener: {
        onUploaded: (f) => (sink === null ? early.push(f) : sink.uploaded(f)),
        onFullChange: (full) => opts.onFullChange(full),
      },
    });
    sink = new BucketDvrSink(opts, queue);
    for (const f of early) sink.uploaded(f);
    return sink;
  }

  /** True while the backlog is at its cap: no recording may start. */
  get full(): boolean {
    return this.queue.full;
  }

  /** The store a recorder of `context` puts its files in: they join the upload queue. */
  storeFor(context: RecordingContext): DvrStore {
    const queue = this.queue;
    const meta: QueueMeta = { context };
    return {
      putFile: (key: string, path: string, options: PutOptions) => queue.enqueue(key, path, options, meta),
      // a recorder whose spool has no file (not the server's FsSpool): write one, then queue it
      async put(key: string, bytes: Uint8Array, options: PutOptions) {
        const tmp = join(queue.dir.dir, `put-${randomBytes(6).toString('hex')}.tmp`);
        await writeFile(tmp, bytes);
        try {
          await queue.enqueue(key, tmp, options, meta);
        } catch (e) {
          await rm(tmp, { force: true });
          throw e;
        }
      },
    };
  }

  /** The recorder's event for a file it put: kept with the queued file, or announced now if the upload already happened. */
  recorded(context: RecordingContext, event: DvrFileEvent): void {
    if (this.queue.update(event.file, { context, event: { ...event } })) return;
    const done = this.unannounced.get(event.file);
    if (done === undefined) return; // refused by the bucket: kept in failed/, logged by the queue
    this.unannounced.delete(event.file);
    this.opts.announce(done.context, event, done.at);
  }

  /** Node shutdown: lets uploads run for `waitMs`, leaving the rest on disk for the next start. */
  close(waitMs: number): Promise<void> {
    return this.queue.close(waitMs);
  }

  private uploaded(f: QueuedFile): void {
    const context = asContext(f.meta.context);
    const at: StoredAt = { file: this.opts.bucket.objectKey(f.key), ...urlField(this.opts.urlOf(f.key)) };
    if (context === null) {
      this.opts.log.warn('dvr_upload_without_context', { key: f.key, file: at.file });
      return;
    }
    const event = asEvent(f.meta.event);
    if (event !== null || f.restored) return this.opts.announce(context, event, at);
    this.unannounced.set(f.key, { context, at });
    if (this.unannounced.size > MAX_UNANNOUNCED) this.unannounced.delete(this.unannounced.keys().next().value!);
  }
}

function urlField(url: string | null): { url?: string } {
  return url === null ? {} : { url };
}

/** The context as a manifest holds it (JSON written by this class; checked, since the disk is not ours alone). */
function asContext(v: unknown): RecordingContext | null {
  if (v === null || typeof v !== 'object') return null;
  const r = v as Record<string, unknown>;
  const keys = ['clientId', 'ip', 'tcUrl', 'streamId', 'vhost', 'app', 'stream'] as const;
  if (!keys.every((k) => typeof r[k] === 'string')) return null;
  return Object.fromEntries(keys.map((k) => [k, r[k]])) as unknown as RecordingContext;
}

function asEvent(v: unknown): DvrFileEvent | null {
  if (v === null || typeof v !== 'object') return null;
  const r = v as Record<string, unknown>;
  if (r.action !== 'on_dvr' || typeof r.file !== 'string' || typeof r.duration !== 'number' || typeof r.bytes !== 'number') return null;
  return r as unknown as DvrFileEvent;
}
