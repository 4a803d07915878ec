import { createHash, randomBytes } from 'node:crypto';
import { createWriteStream, existsSync, mkdirSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { finished } from 'node:stream/promises';
import S3rver from 's3rver';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { ProtocolError } from '@runnel/shared';
import { S3Store, type S3StoreOptions } from './s3-store.ts';

/**
 * S3Store.putFile against s3rver, which keeps multipart parts in a folder
 * per upload until CompleteMultipartUpload. s3rver 3.7 has no
 * AbortMultipartUpload (it answers 405 MethodNotAllowed): the test server
 * below adds it, doing what S3 does (the upload's parts are removed), and can
 * fail chosen requests, so what the store sends is checked at the HTTP level.
 */

const MiB = 1024 * 1024;
const MP4 = { contentType: 'video/mp4', cacheControl: 'public, max-age=31536000, immutable' };

interface Ctx {
  method: string;
  path: string;
  query: Record<string, string>;
  req: NodeJS.ReadableStream;
  status: number;
  type: string;
  body: unknown;
}
type Middleware = (ctx: Ctx, next: () => Promise<void>) => Promise<void>;

let dir: string;
let files: string;
let s3: S3rver;
let endpoint: string;
/** Every request s3rver got: `METHOD key ?query-names`. */
const requests: string[] = [];
/** Fail a request when this says so: 500 InternalError, or what it returns. */
let failWhen: ((r: string, query: Record<string, string>) => boolean | { status: number; code: string }) | null = null;
let abortWorks = true;
const stores: S3Store[] = [];

function uploadsDir(uploadId = ''): string {
  const store = (s3 as unknown as { store: { getResourcePath(bucket: string, key: string | undefined, resource: string): string } }).store;
  return join(store.getResourcePath('media', undefined, 'uploads'), uploadId);
}

const testServer: Middleware = async (ctx, next) => {
  const r = `${ctx.method} ${ctx.path.replace(/^\/media\//, '')} ?${Object.keys(ctx.query).filter((q) => q !== 'x-id').sort().join('&')}`;
  requests.push(r);
  const fail = failWhen?.(r, ctx.query) ?? false;
  if (fail !== false) {
    const { status, code } = fail === true ? { status: 500, code: 'InternalError' } : fail;
    for await (const chunk of ctx.req) void chunk; // read the body, as S3 does before it answers
    ctx.status = status;
    ctx.type = 'application/xml';
    ctx.body = `<?xml version="1.0" encoding="UTF-8"?>\n<Error><Code>${code}</Code><Message>injected by the test</Message></Error>`;
    return;
  }
  if (ctx.method === 'DELETE' && 'uploadId' in ctx.query && abortWorks) {
    rmSync(uploadsDir(ctx.query.uploadId), { recursive: true, force: true });
    ctx.status = 204;
    return;
  }
  await next();
};

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'runnel-s3file-'));
  files = join(dir, 'files');
  s3 = new S3rver({ address: '127.0.0.1', port: 0, silent: true, directory: join(dir, 's3'), configureBuckets: [{ name: 'media' }] });
  // Koa composes its middleware when it starts listening: ours runs first
  (s3 as unknown as { middleware: Middleware[] }).middleware.unshift(testServer);
  endpoint = `http://127.0.0.1:${(await s3.run()).port}`;
  mkdirSync(files);
});

afterAll(async () => {
  for (const s of stores) s.destroy();
  s3.httpServer?.closeAllConnections();
  await s3.close();
  rmSync(dir, { recursive: true, force: true });
});

beforeEach(() => {
  requests.length = 0;
  failWhen = null;
  abortWorks = true;
});

function store(over: Partial<S3StoreOptions> = {}): S3Store {
  const s = new S3Store({
    bucket: 'media', region: 'us-east-1', endpoint, forcePathStyle: true, prefix: 'rec',
    credentials: { accessKeyId: 'S3RVER', secretAccessKey: 'S3RVER' }, ...over,
  });
  stores.push(s);
  return s;
}

/** A file of `size` pseudo-random bytes (each MiB different), written in 1 MiB blocks; returns its path and MD5 (hex). */
async function makeFile(name: string, size: number): Promise<{ path: string; md5: string }> {
  const path = join(files, name);
  const hash = createHash('md5');
  const block = randomBytes(MiB);
  const out = createWriteStream(path);
  for (let at = 0, n = 0; at < size; at += MiB, n++) {
    block.writeUInt32BE(n, 0);
    const chunk = block.subarray(0, Math.min(MiB, size - at));
    hash.update(chunk);
    if (!out.write(Buffer.from(chunk))) await new Promise<void>((r) => out.once('drain', () => r()));
  }
  out.end();
  await finished(out);
  return { path, md5: hash.digest('hex') };
}

/** MD5 (hex), length and headers of what s3rver serves for `key`, streamed. */
async function readBack(key: string): Promise<{ status: number; md5: string; bytes: number; type: string | null; cache: string | null }> {
  const res = await fetch(`${endpoint}/media/${key}`);
  const hash = createHash('md5');
  let bytes = 0;
  if (res.body !== null) {
    for await (const chunk of Readable.fromWeb(res.body)) {
      hash.update(chunk as Buffer);
      bytes += (chunk as Buffer).length;
    }
  }
  return { status: res.status, md5: hash.digest('hex'), bytes, type: res.headers.get('content-type'), cache: res.headers.get('cache-control') };
}

describe('S3Store.putFile against s3rver', () => {
  it('stores a small file in one PutObject, byte for byte, with its headers', async () => {
    const f = await makeFile('small.mp4', 3 * MiB + 17);
    await store().putFile('live/small.mp4', f.path, MP4);
    expect(requests).toEqual(['PUT rec/live/small.mp4 ?']);
    expect(await readBack('rec/live/small.mp4')).toEqual({ status: 200, md5: f.md5, bytes: 3 * MiB + 17, type: 'video/mp4', cache: MP4.cacheControl });
  });

  it('stores a 100 MiB+ file by multipart upload (16 MiB parts), byte for byte, with its headers', { timeout: 30_000 }, async () => {
    const size = 100 * MiB + 12_345;
    const f = await makeFile('big.mp4', size);
    await store().putFile('live/big.mp4', f.path, MP4);
    expect(requests.filter((r) => r.startsWith('PUT rec/live/big.mp4 ?')).sort()).toEqual(Array(7).fill('PUT rec/live/big.mp4 ?partNumber&uploadId'));
    expect(requests[0]).toBe('POST rec/live/big.mp4 ?uploads');
    expect(requests.at(-1)).toBe('POST rec/live/big.mp4 ?uploadId');
    expect(requests).not.toContain('PUT rec/live/big.mp4 ?');
    expect(await readBack('rec/live/big.mp4')).toEqual({ status: 200, md5: f.md5, bytes: size, type: 'video/mp4', cache: MP4.cacheControl });
    expect(readdirSync(uploadsDir())).toEqual([]);
  });

  it('repeats a part that failed once, and the file still arrives whole', async () => {
    const f = await makeFile('retry.flv', 12 * MiB);
    let failed = 0;
    failWhen = (_r, q) => q.partNumber === '2' && failed++ === 0;
    await store({ multipartThresholdBytes: 5 * MiB, partBytes: 5 * MiB }).putFile('live/retry.flv', f.path, { contentType: 'video/x-flv' });
    expect(requests.filter((r) => r.includes('partNumber'))).toHaveLength(4);
    expect((await readBack('rec/live/retry.flv')).md5).toBe(f.md5);
  });

  it('aborts the multipart upload when a part keeps failing: no parts and no object are left', async () => {
    const f = await makeFile('broken.mp4', 11 * MiB);
    failWhen = (_r, q) => q.partNumber === '2';
    const s = store({ multipartThresholdBytes: 5 * MiB, partBytes: 5 * MiB, partConcurrency: 1 });
    const err = await s.putFile('live/broken.mp4', f.path, MP4).catch((e: unknown) => e);
    expect(err).toMatchObject({ name: 'InternalError' });
    expect(err).not.toBeInstanceOf(ProtocolError); // a 500 is worth retrying later
    expect(requests.filter((r) => r.includes('partNumber'))).toEqual([
      'PUT rec/live/broken.mp4 ?partNumber&uploadId', // part 1
      'PUT rec/live/broken.mp4 ?partNumber&uploadId', // part 2, three attempts
      'PUT rec/live/broken.mp4 ?partNumber&uploadId',
      'PUT rec/live/broken.mp4 ?partNumber&uploadId',
    ]);
    expect(requests.at(-1)).toBe('DELETE rec/live/broken.mp4 ?uploadId');
    expect(readdirSync(uploadsDir())).toEqual([]);
    expect((await readBack('rec/live/broken.mp4')).status).toBe(404);
    expect(s.pendingAborts).toEqual([]);
  });

  it('keeps an upload whose abort failed, and aborts it at the next putFile', async () => {
    const f = await makeFile('orphan.mp4', 11 * MiB);
    failWhen = (_r, q) => q.partNumber === '3';
    abortWorks = false; // s3rver's own answer: 405
    const s = store({ multipartThresholdBytes: 5 * MiB, partBytes: 5 * MiB, partConcurrency: 1 });
    await expect(s.putFile('live/orphan.mp4', f.path, MP4)).rejects.toMatchObject({ name: 'InternalError' });
    expect(s.pendingAborts).toHaveLength(1);
    const [open] = s.pendingAborts;
    expect(existsSync(uploadsDir(open!.uploadId))).toBe(true);

    failWhen = null;
    abortWorks = true;
    const small = await makeFile('after.mp4', 1000);
    await s.putFile('live/after.mp4', small.path, MP4);
    expect(s.pendingAborts).toEqual([]);
    expect(existsSync(uploadsDir(open!.uploadId))).toBe(false);
    expect((await readBack('rec/live/after.mp4')).md5).toBe(small.md5);
  });

  it('stores an empty file', async () => {
    const path = join(files, 'empty.flv');
    writeFileSync(path, '');
    await store().putFile('live/empty.flv', path, { contentType: 'video/x-flv' });
    expect(await readBack('rec/live/empty.flv')).toMatchObject({ status: 200, bytes: 0 });
  });

  it('refuses a missing file, a bad key and a refused request as ProtocolErrors; a dead endpoint as retryable', async () => {
    const s = store();
    await expect(s.putFile('live/x.mp4', join(files, 'nope.mp4'), MP4)).rejects.toMatchObject({ code: 'storage_file_missing' });
    const f = await makeFile('k.mp4', 10);
    await expect(s.putFile('../k.mp4', f.path, MP4)).rejects.toMatchObject({ code: 'storage_bad_key' });
    expect(requests).toEqual([]);
    failWhen = () => ({ status: 400, code: 'InvalidArgument' });
    await expect(s.putFile('live/k.mp4', f.path, MP4)).rejects.toMatchObject({ code: 'storage_rejected' });
    expect(requests).toEqual(['PUT rec/live/k.mp4 ?']); // not repeated
    failWhen = null;
    await expect(store({ bucket: 'nope' }).putFile('live/k.mp4', f.path, MP4)).rejects.toSatisfy((e) => !(e instanceof ProtocolError));
    const dead = store({ endpoint: 'http://127.0.0.1:9', requestTimeoutMs: 2000 });
    await expect(dead.putFile('live/k.mp4', f.path, MP4)).rejects.toSatisfy((e) => !(e instanceof ProtocolError));
  });

  it('refuses a part size S3 would not take', () => {
    expect(() => store({ partBytes: MiB })).toThrow(RangeError);
  });
});
