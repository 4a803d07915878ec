import { isAbsolute, join } from 'node:path';
import type { Source, SourceObserver } from '../../hub/source.ts';
import type { DvrFileEvent, DvrListener } from '../../output/dvr/dvr-events.ts';
import type { DvrStore } from '../../output/dvr/dvr-spool.ts';
import { DvrRecorder } from '../../output/dvr/dvr-recorder.ts';
import { LocalDirStore } from '../../storage/local-dir.ts';
import { S3Store, type S3Credentials } from '../../storage/s3/s3-store.ts';
import type { BackoffOptions } from '../../storage/spool/backoff.ts';
import type { ClientRegistry } from '../clients.ts';
import type { NodeConfig } from '../config/index.ts';
import type { HookClient } from '../hooks/hook-client.ts';
import type { Logger } from '../log/logger.ts';
import { BucketDvrSink, type BucketStore, type RecordingContext, type StoredAt } from './bucket-dvr-sink.ts';
import { FsSpool } from './fs-spool.ts';
import { LocalDvrStore } from './local-dvr-store.ts';

/** The spool directory under data_dir: recordings grow here, then move to `dvr.path` (or into the upload queue). */
export const DVR_SPOOL_DIR = 'dvr-spool';
/** With storage.type s3: finished recordings wait here (under data_dir) until they are in the bucket. */
export const DVR_UPLOAD_DIR = 'dvr-upload';
/** How long shutdown lets queued uploads run before leaving them on disk for the next start. */
const CLOSE_DRAIN_MS = 10_000;

export interface DvrOutputsOptions {
  readonly config: NodeConfig['dvr'];
  readonly dataDir: string;
  readonly hooks: HookClient;
  /** Where the publisher's ip and tcUrl come from for on_dvr. */
  readonly clients: ClientRegistry;
  readonly log: Logger;
  /** Also told about every stored file (the control-plane client). */
  readonly listener?: DvrListener;
  /** SRS on_dvr `cwd` (default: the process's). */
  readonly cwd?: string;
  /** With `type: s3`, recordings go to the bucket (under `storage.s3.prefix` + `dvr.prefix`) instead of `dvr.path`. */
  readonly storage?: NodeConfig['storage'];
  /** S3 keys from the environment (config keys win). */
  readonly awsCredentials?: S3Credentials;
  /** Tests: this bucket instead of an S3Store from `storage` (recordings go to a bucket as with `type: s3`). */
  readonly bucket?: BucketStore;
  /** Retry delays of the upload queue (default the storage default: 250 ms doubling to 5 s). */
  readonly uploadBackoff?: BackoffOptions;
  /** How long stop() lets queued uploads run (default CLOSE_DRAIN_MS). */
  readonly closeDrainMs?: number;
}

/** Where finished recordings go: `dvr.path`, or a bucket through the upload queue. */
type Sink =
  | { readonly kind: 'local'; readonly store: LocalDvrStore }
  | { readonly kind: 'bucket'; readonly sink: BucketDvrSink; readonly name: string; readonly prefix: string; readonly destroy: () => void };

/**
 * DVR for every published stream, whatever protocol it came in on (SRS
 * `vhost { dvr { ... } }`, srs.md 9.2): the hub tells this observer about
 * publishes; each publish gets a recorder that writes to the spool and
 * stores finished files in `dvr.path`, or, with `storage.type: s3`, queues
 * them for the bucket (BucketDvrSink: in order, retried while the bucket is
 * down, kept on disk until uploaded). Each stored file is posted as SRS's
 * `on_dvr` hook (asynchronously, as SRS's `_srs_dvr_async` does; for a
 * bucket once the file is in it) and handed to the listener. The recorder
 * closes its file on unpublish; node shutdown finishes and stores every
 * open file.
 *
 * When the upload backlog reaches `dvr.backlog_max_bytes`, recording stops
 * (open files are finished and kept, new ones are not started, logged as
 * errors) and resumes for the streams still publishing once it has drained
 * below 3/4 of the cap: finished recordings are never deleted to make room.
 */
export class DvrOutputs implements SourceObserver {
  private readonly recorders = new Map<Source, DvrRecorder>();
  /** Recorders storing their last file after an unpublish (or a pause). */
  private readonly ending = new Set<Promise<void>>();
  /** Publishing streams not recorded because the backlog is full. */
  private readonly paused = new Set<Source>();
  private readonly opts: DvrOutputsOptions;
  private readonly sink: Sink;
  private readonly spool: FsSpool;

  private constructor(opts: DvrOutputsOptions, sink: Sink, spool: FsSpool) {
    this.opts = opts;
    this.sink = sink;
    this.spool = spool;
  }

  static async open(opts: DvrOutputsOptions): Promise<DvrOutputs> {
    const underData = (p: string) => (isAbsolute(p) ? p : join(opts.dataDir, p));
    const spool = await FsSpool.open(underData(DVR_SPOOL_DIR));
    const left = await spool.leftovers();
    if (left.length > 0) opts.log.warn('dvr_spool_leftovers', { count: left.length, dir: spool.dir });
    // a full backlog found at open pauses nothing (no recorder yet); published() checks it
    let outputs: DvrOutputs | null = null;
    const sink = await openSink(opts, underData, (full) => outputs?.fullChanged(full));
    outputs = new DvrOutputs(opts, sink, spool);
    const c = opts.config;
    if (sink.kind === 'local') opts.log.info('dvr', { plan: c.plan, file: c.file, root: sink.store.dir.root });
    else opts.log.info('dvr', { plan: c.plan, file: c.file, bucket: sink.name, prefix: sink.prefix, queue: sink.sink.queue.dir.dir });
    return outputs;
  }

  /** The directory recordings are stored in; null when they go to a bucket. */
  get root(): string | null {
    return this.sink.kind === 'local' ? this.sink.store.dir.root : null;
  }

  published(source: Source): void {
    this.recorders.get(source)?.detach();
    this.recorders.delete(source);
    // A control plane said this stream is not recorded (its recording mode is off).
    if (source.publisher?.record === false) return;
    if (this.sink.kind === 'bucket' && this.sink.sink.full) {
      this.paused.add(source);
      this.opts.log.error('dvr_not_recording', { stream: `${source.app}/${source.stream}`, reason: 'upload backlog full' });
      return;
    }
    this.paused.delete(source);
    const c = this.opts.config;
    const record = source.publisher === null ? undefined : this.opts.clients.get(source.publisher.clientId);
    const context: RecordingContext = {
      clientId: source.publisher?.clientId ?? '', ip: record?.ip ?? '', tcUrl: record?.tcUrl ?? '', streamId: source.id,
      vhost: source.vhost, app: source.app, stream: source.stream,
    };
    const log = this.opts.log.child({ stream: `${source.app}/${source.stream}`, output: 'dvr' });
    const recorder = new DvrRecorder({
      names: source,
      store: this.storeFor(context),
      spool: this.spool,
      clock: { now: Date.now },
      config: { plan: c.plan, file: c.file, durationMs: c.durationMs, waitKeyframe: c.waitKeyframe },
      listener: { onDvr: (e) => this.recorded(context, e, log) },
      log,
    });
    recorder.attach(source, { schedule: (run) => setImmediate(run) });
    this.recorders.set(source, recorder);
  }

  unpublished(source: Source): void {
    this.paused.delete(source);
    // The recorder already closed its file (its consumer heard the unpublish first); let it store and go.
    const r = this.recorders.get(source);
    if (r === undefined) return;
    this.recorders.delete(source);
    this.finish(r);
  }

  /** Node shutdown: finish and store every open file, wait for those already closing, then give uploads a while. */
  async stop(): Promise<void> {
    const all = [...this.recorders.values()];
    this.recorders.clear();
    this.paused.clear();
    await Promise.all([...all.map((r) => r.end()), ...this.ending]);
    if (this.sink.kind === 'bucket') {
      await this.sink.sink.close(this.opts.closeDrainMs ?? CLOSE_DRAIN_MS);
      this.sink.destroy();
    }
  }

  private storeFor(context: RecordingContext): DvrStore {
    return this.sink.kind === 'local' ? this.sink.store : this.sink.sink.storeFor(context);
  }

  private finish(r: DvrRecorder): void {
    const done = r
      .end()
      .catch((error: unknown) => this.opts.log.warn('dvr_end_failed', { error: error as Error }))
      .finally(() => this.ending.delete(done));
    this.ending.add(done);
  }

  /** The recorder stored a file: local files are announced now, bucket ones once uploaded. */
  private recorded(context: RecordingContext, e: DvrFileEvent, log: Logger): void {
    if (this.sink.kind === 'bucket') {
      log.info('dvr_file_queued', { key: e.file, duration: e.duration, bytes: e.bytes, reason: e.reason });
      this.sink.sink.recorded(context, e);
      return;
    }
    announce(this.opts, context, e, { file: this.sink.store.pathOf(e.file) });
  }

  /** The upload backlog hit its cap: stop recording (open files are finished and kept); below the resume mark: record again. */
  private fullChanged(full: boolean): void {
    if (full) {
      for (const [source, r] of this.recorders) {
        this.paused.add(source);
        this.finish(r);
        this.opts.log.error('dvr_recording_paused', { stream: `${source.app}/${source.stream}`, reason: 'upload backlog full' });
      }
      this.recorders.clear();
      return;
    }
    const waiting = [...this.paused];
    this.paused.clear();
    for (const source of waiting) {
      if (source.publisher === null) continue;
      this.opts.log.info('dvr_recording_resumed', { stream: `${source.app}/${source.stream}` });
      this.published(source);
    }
  }
}

/** Posts on_dvr for a stored recording (SRS 6 body; `file` a path or an object key, `url` for a bucket behind a CDN, the file's `duration` and `bytes` when known) and tells the listener. */
function announce(opts: DvrOutputsOptions, context: RecordingContext, e: DvrFileEvent | null, at: StoredAt): void {
  const log = opts.log.child({ stream: `${context.app}/${context.stream}`, output: 'dvr' });
  log.info('dvr_file', { file: at.file, url: at.url, duration: e?.duration, bytes: e?.bytes, reason: e?.reason });
  void opts.hooks.notify('on_dvr', {
    clientId: context.clientId, ip: context.ip, vhost: context.vhost, app: context.app, stream: context.stream, param: '',
    tcUrl: context.tcUrl, pageUrl: '', streamId: context.streamId, cwd: opts.cwd ?? process.cwd(), file: at.file,
    ...(at.url === undefined ? {} : { recordingUrl: at.url }),
    ...(e === null ? {} : { recordingDuration: e.duration, recordingBytes: e.bytes }),
  });
  if (e === null) return;
  try {
    opts.listener?.onDvr?.(e);
  } catch (error) {
    log.warn('dvr_listener_error', { error: error as Error });
  }
}

/** `a/` + `b/` without empty folders or doubled slashes; '' when both are empty. */
function joinPrefix(...parts: string[]): string {
  const folders = parts.map((p) => p.replace(/\/+$/, '')).filter((p) => p !== '');
  return folders.length === 0 ? '' : `${folders.join('/')}/`;
}

async function openSink(opts: DvrOutputsOptions, underData: (p: string) => string, onFullChange: (full: boolean) => void): Promise<Sink> {
  const c = opts.config;
  const s3Config = opts.storage?.type === 's3' ? opts.storage.s3 : null;
  if (opts.bucket === undefined && s3Config === null) return { kind: 'local', store: new LocalDvrStore(new LocalDirStore(underData(c.path))) };
  let s3: S3Store | null = null;
  if (opts.bucket === undefined && s3Config !== null) {
    const configured = s3Config.accessKeyId === '' ? undefined : { accessKeyId: s3Config.accessKeyId, secretAccessKey: s3Config.secretAccessKey };
    s3 = new S3Store({
      bucket: s3Config.bucket,
      region: s3Config.region,
      endpoint: s3Config.endpoint,
      prefix: joinPrefix(s3Config.prefix, c.prefix),
      credentials: configured ?? opts.awsCredentials,
      forcePathStyle: s3Config.forcePathStyle,
    });
  }
  const bucket = opts.bucket ?? s3!;
  const base = c.entryPrefix === '' ? null : `${c.entryPrefix.replace(/\/+$/, '')}/${joinPrefix(c.prefix)}`;
  const sink = await BucketDvrSink.open({
    bucket,
    dir: underData(DVR_UPLOAD_DIR),
    maxBytes: c.backlogMaxBytes,
    urlOf: (key) => (base === null ? null : base + key),
    announce: (context, e, at) => announce(opts, context, e, at),
    onFullChange,
    log: opts.log.child({ output: 'dvr_upload' }),
    ...(opts.uploadBackoff === undefined ? {} : { backoff: opts.uploadBackoff }),
  });
  return { kind: 'bucket', sink, name: s3?.bucket ?? '(test)', prefix: s3?.prefix ?? '', destroy: () => s3?.destroy() };
}
