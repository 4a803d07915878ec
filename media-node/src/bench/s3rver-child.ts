import { performance } from 'node:perf_hooks';
import { fileURLToPath } from 'node:url';
import { S3Store } from '../storage/s3/s3-store.ts';
import type { ChildRegistry, TrackedChild } from './children.ts';

/** What s3rver-main.ts sends once it listens. */
export interface S3rverReady {
  readonly type: 'ready';
  readonly port: number;
}

/** s3rver's fixed credentials: it checks request signatures against them. */
export const S3RVER_KEYS = { access_key_id: 'S3RVER', secret_access_key: 'S3RVER' } as const;

/** Time s3rver gets to create its bucket and listen (Node start-up + loading koa). */
const READY_TIMEOUT_MS = 20_000;

export interface S3rverChild {
  readonly child: TrackedChild;
  readonly endpoint: string;
  readonly bucket: string;
  /** `endpoint/bucket/key`: s3rver serves GETs without a signature. */
  url(key: string): string;
}

/** Starts s3rver as a child process storing objects in `directory`; resolves once it listens. */
export async function startS3rver(registry: ChildRegistry, directory: string, bucket: string, cpus: string | undefined): Promise<S3rverChild> {
  const main = fileURLToPath(new URL('./s3rver-main.ts', import.meta.url));
  const child = registry.spawn({ name: 's3rver', command: process.execPath, args: [main, directory, bucket], ipc: true, ...(cpus === undefined ? {} : { cpus }) });
  let timer: NodeJS.Timeout | undefined;
  try {
    const port = await Promise.race([
      new Promise<number>((resolve) => child.proc.once('message', (m: S3rverReady) => resolve(m.port))),
      child.exited.then(() => Promise.reject(new Error(`s3rver exited before listening:\n${child.tail()}`))),
      new Promise<never>((_, reject) => {
        timer = setTimeout(() => reject(new Error(`s3rver did not listen within ${READY_TIMEOUT_MS} ms:\n${child.tail()}`)), READY_TIMEOUT_MS);
      }),
    ]);
    const endpoint = `http://127.0.0.1:${port}`;
    return { child, endpoint, bucket, url: (key) => `${endpoint}/${bucket}/${key}` };
  } catch (e) {
    await child.stop();
    throw e;
  } finally {
    clearTimeout(timer);
  }
}

/** PUTs per probe: enough for a median that one slow request does not move. */
const PROBE_PUTS = 5;

/**
 * Median time, ms, of PROBE_PUTS sequential PUTs of `bytes` (a segment's
 * size) to s3rver, made the way the node makes them (S3Store, the AWS SDK,
 * signed). The node uploads a few objects at once (SpoolingStore: 4 while
 * healthy), so this time bounds how many segments per second one node can
 * store there, whatever its CPU.
 */
export async function probePutMs(s3: S3rverChild, bytes: number): Promise<number> {
  const store = new S3Store({
    bucket: s3.bucket,
    region: 'us-east-1',
    endpoint: s3.endpoint,
    prefix: 'probe',
    credentials: { accessKeyId: S3RVER_KEYS.access_key_id, secretAccessKey: S3RVER_KEYS.secret_access_key },
    forcePathStyle: true,
  });
  const body = new Uint8Array(bytes).fill(0x47);
  const times: number[] = [];
  try {
    for (let i = 0; i < PROBE_PUTS; i++) {
      const t = performance.now();
      await store.put(`segment-${i}.ts`, body, { contentType: 'video/mp2t', cacheControl: 'no-store' });
      times.push(performance.now() - t);
    }
  } finally {
    store.destroy();
  }
  times.sort((a, b) => a - b);
  return times[Math.floor(times.length / 2)]!;
}
