import { isAbsolute, join } from 'node:path';
import { LocalDirStore } from '../../storage/local-dir.ts';
import { S3Store, type S3Credentials } from '../../storage/s3/s3-store.ts';
import { SpoolDir } from '../../storage/spool/spool-files.ts';
import { SpoolingStore } from '../../storage/spool/spooling-store.ts';
import type { ObjectStore } from '../../storage/storage.ts';
import type { NodeConfig } from '../config/index.ts';
import type { Logger } from '../log/logger.ts';

export interface HlsStore {
  readonly store: ObjectStore;
  /** The directory the node's HTTP server serves HLS from; null when HLS lives in a bucket (a CDN serves it). */
  readonly localRoot: string | null;
  /** Node shutdown: lets queued uploads finish for a while, keeps the rest in the spool for the next start. */
  close(): Promise<void>;
}

/** How long shutdown waits for queued uploads before leaving them in the spool. */
const CLOSE_DRAIN_MS = 10_000;

/**
 * The ObjectStore HLS writes to, from `storage` (design.md Storage): the
 * `hls.path` directory, or an S3 bucket behind a SpoolingStore (retry with
 * backoff, bounded spool under `data_dir`). Keys come from the config, else
 * from `envCredentials` (the entry point's AWS_* variables), else the SDK's
 * default chain.
 */
export async function openHlsStore(config: NodeConfig, log: Logger, envCredentials?: S3Credentials): Promise<HlsStore> {
  const underData = (p: string) => (isAbsolute(p) ? p : join(config.dataDir, p));
  if (config.storage.type === 'local') {
    const root = underData(config.hls.path);
    return { store: new LocalDirStore(root), localRoot: root, close: async () => undefined };
  }
  const c = config.storage.s3;
  const configured = c.accessKeyId === '' ? undefined : { accessKeyId: c.accessKeyId, secretAccessKey: c.secretAccessKey };
  const s3 = new S3Store({
    bucket: c.bucket,
    region: c.region,
    endpoint: c.endpoint,
    prefix: c.prefix,
    credentials: configured ?? envCredentials,
    forcePathStyle: c.forcePathStyle,
  });
  const spoolDir = underData(config.storage.spool.dir);
  const storageLog = log.child({ output: 'storage', bucket: c.bucket });
  const store = await SpoolingStore.open({
    inner: s3,
    files: await SpoolDir.open(spoolDir),
    maxSpoolBytes: config.storage.spool.maxBytes,
    log: storageLog,
  });
  storageLog.info('storage', { type: 's3', endpoint: c.endpoint === '' ? `aws:${c.region}` : c.endpoint, prefix: c.prefix, spool: spoolDir });
  return {
    store,
    localRoot: null,
    async close() {
      await store.close(CLOSE_DRAIN_MS);
      s3.destroy();
    },
  };
}
