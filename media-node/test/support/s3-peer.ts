import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import S3rver from 's3rver';

/** s3rver's fixed credentials: it checks signatures against them. */
export const S3RVER_KEYS = { access_key_id: 'S3RVER', secret_access_key: 'S3RVER' } as const;

export interface S3Peer {
  readonly port: number;
  readonly endpoint: string;
  readonly bucket: string;
  /** `endpoint/bucket/key`: s3rver serves GETs without signatures. */
  url(key: string): string;
  /** Every key under `prefix`, sorted (ListObjectsV2, all pages). */
  keys(prefix?: string): Promise<string[]>;
  /** Stops serving (open connections cut), keeping its directory: an outage. */
  down(): Promise<void>;
  /** Serves again on the same port and directory. */
  up(): Promise<void>;
  /** Stops and removes its directory. */
  stop(): Promise<void>;
}

/** s3rver on a free loopback port with one bucket, its objects in a temp directory. */
export async function startS3(bucket = 'media'): Promise<S3Peer> {
  const directory = mkdtempSync(join(tmpdir(), 'runnel-s3rver-'));
  let server: S3rver | null = null;
  let port = 0;
  const run = async () => {
    const s = new S3rver({ address: '127.0.0.1', port, silent: true, directory, configureBuckets: [{ name: bucket }] });
    port = (await s.run()).port;
    server = s;
  };
  const halt = async () => {
    const s = server;
    server = null;
    if (s === null) return;
    s.httpServer?.closeAllConnections();
    await s.close();
  };
  await run();
  const endpoint = `http://127.0.0.1:${port}`;
  return {
    port,
    endpoint,
    bucket,
    url: (key) => `${endpoint}/${bucket}/${key}`,
    async keys(prefix = '') {
      const out: string[] = [];
      let token = '';
      for (;;) {
        const q = new URLSearchParams({ 'list-type': '2', prefix, ...(token === '' ? {} : { 'continuation-token': token }) });
        const xml = await (await fetch(`${endpoint}/${bucket}?${q}`)).text();
        for (const m of xml.matchAll(/<Key>([^<]*)<\/Key>/g)) out.push(m[1]!);
        const next = /<NextContinuationToken>([^<]*)<\/NextContinuationToken>/.exec(xml);
        if (next === null) break;
        token = next[1]!;
      }
      return out.sort();
    },
    down: halt,
    up: run,
    async stop() {
      await halt();
      rmSync(directory, { recursive: true, force: true });
    },
  };
}
