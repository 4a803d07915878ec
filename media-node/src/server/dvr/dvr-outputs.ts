import { isAbsolute, join } from 'node:path';
import type { Source, SourceObserver } from '../../hub/source.ts';
import type { DvrFileEvent, DvrListener } from '../../output/dvr/dvr-events.ts';
import { DvrRecorder } from '../../output/dvr/dvr-recorder.ts';
import { LocalDirStore } from '../../storage/local-dir.ts';
import type { ClientRegistry } from '../clients.ts';
import type { NodeConfig } from '../config/index.ts';
import type { HookClient } from '../hooks/hook-client.ts';
import type { Logger } from '../log/logger.ts';
import { FsSpool } from './fs-spool.ts';
import { LocalDvrStore } from './local-dvr-store.ts';

/** The spool directory under data_dir: recordings grow here, then move to `dvr.path`. */
export const DVR_SPOOL_DIR = 'dvr-spool';

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
}

/** Who published a recorded stream, kept from publish time for the on_dvr body (the client may be gone by then). */
interface Publisher {
  readonly clientId: string;
  readonly ip: string;
  readonly tcUrl: string;
}

/**
 * DVR for every published stream, whatever protocol it came in on (SRS
 * `vhost { dvr { ... } }`, srs.md 9.2): the hub tells this observer about
 * publishes; each publish gets a recorder that writes to the spool and
 * stores finished files in `dvr.path`, and each stored file is posted as
 * SRS's `on_dvr` hook (asynchronously, as SRS's `_srs_dvr_async` does) and
 * handed to the listener. The recorder closes its file on unpublish; node
 * shutdown finishes and stores every open file.
 */
export class DvrOutputs implements SourceObserver {
  private readonly recorders = new Map<Source, DvrRecorder>();
  /** Recorders storing their last file after an unpublish. */
  private readonly ending = new Set<Promise<void>>();
  private readonly opts: DvrOutputsOptions;
  private readonly store: LocalDvrStore;
  private readonly spool: FsSpool;

  private constructor(opts: DvrOutputsOptions, store: LocalDvrStore, spool: FsSpool) {
    this.opts = opts;
    this.store = store;
    this.spool = spool;
  }

  static async open(opts: DvrOutputsOptions): Promise<DvrOutputs> {
    const underData = (p: string) => (isAbsolute(p) ? p : join(opts.dataDir, p));
    const store = new LocalDvrStore(new LocalDirStore(underData(opts.config.path)));
    const spool = await FsSpool.open(underData(DVR_SPOOL_DIR));
    const left = await spool.leftovers();
    if (left.length > 0) opts.log.warn('dvr_spool_leftovers', { count: left.length, dir: spool.dir });
    opts.log.info('dvr', { plan: opts.config.plan, file: opts.config.file, root: store.dir.root });
    return new DvrOutputs(opts, store, spool);
  }

  /** The directory recordings are stored in. */
  get root(): string {
    return this.store.dir.root;
  }

  published(source: Source): void {
    this.recorders.get(source)?.detach();
    const c = this.opts.config;
    const record = source.publisher === null ? undefined : this.opts.clients.get(source.publisher.clientId);
    const publisher: Publisher = { clientId: source.publisher?.clientId ?? '', ip: record?.ip ?? '', tcUrl: record?.tcUrl ?? '' };
    const log = this.opts.log.child({ stream: `${source.app}/${source.stream}`, output: 'dvr' });
    const recorder = new DvrRecorder({
      names: source,
      store: this.store,
      spool: this.spool,
      clock: { now: Date.now },
      config: { plan: c.plan, file: c.file, durationMs: c.durationMs, waitKeyframe: c.waitKeyframe },
      listener: { onDvr: (e) => this.stored(source, publisher, e, log) },
      log,
    });
    recorder.attach(source, { schedule: (run) => setImmediate(run) });
    this.recorders.set(source, recorder);
  }

  unpublished(source: Source): void {
    // The recorder already closed its file (its consumer heard the unpublish first); let it store and go.
    const r = this.recorders.get(source);
    if (r === undefined) return;
    this.recorders.delete(source);
    const done = r
      .end()
      .catch((error: unknown) => this.opts.log.warn('dvr_end_failed', { error: error as Error }))
      .finally(() => this.ending.delete(done));
    this.ending.add(done);
  }

  /** Node shutdown: finish and store every open file, and wait for those already closing. */
  async stop(): Promise<void> {
    const all = [...this.recorders.values()];
    this.recorders.clear();
    await Promise.all([...all.map((r) => r.end()), ...this.ending]);
  }

  private stored(source: Source, p: Publisher, e: DvrFileEvent, log: Logger): void {
    log.info('dvr_file', { key: e.file, duration: e.duration, bytes: e.bytes, reason: e.reason });
    void this.opts.hooks.notify('on_dvr', {
      clientId: p.clientId, ip: p.ip, vhost: e.vhost, app: e.app, stream: e.stream, param: '', tcUrl: p.tcUrl, pageUrl: '',
      streamId: source.id, cwd: this.opts.cwd ?? process.cwd(), file: this.store.pathOf(e.file),
    });
    try {
      this.opts.listener?.onDvr?.(e);
    } catch (error) {
      log.warn('dvr_listener_error', { error: error as Error });
    }
  }
}
