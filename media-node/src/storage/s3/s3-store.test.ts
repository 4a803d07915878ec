import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import S3rver from 's3rver';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ProtocolError } from '@runnel/shared';
import { s3ErrorIsPermanent } from './s3-errors.ts';
import { S3Store, type S3StoreOptions } from './s3-store.ts';

const TS = { contentType: 'video/mp2t', cacheControl: 'public, max-age=31536000, immutable' };
const M3U8 = { contentType: 'application/vnd.apple.mpegurl', cacheControl: 'public, max-age=1' };

let dir: string;
let s3: S3rver;
let endpoint: string;
const stores: S3Store[] = [];

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'runnel-s3-'));
  s3 = new S3rver({ address: '127.0.0.1', port: 0, silent: true, directory: dir, configureBuckets: [{ name: 'media' }] });
  endpoint = `http://127.0.0.1:${(await s3.run()).port}`;
});

afterAll(async () => {
  for (const s of stores) s.destroy();
  s3.httpServer?.closeAllConnections();
  await s3.close();
  rmSync(dir, { recursive: true, force: true });
});

function store(over: Partial<S3StoreOptions> = {}): S3Store {
  const s = new S3Store({
    bucket: 'media', region: 'us-east-1', endpoint, forcePathStyle: true,
    credentials: { accessKeyId: 'S3RVER', secretAccessKey: 'S3RVER' }, ...over,
  });
  stores.push(s);
  return s;
}

describe('S3Store against s3rver', () => {
  it('puts under the prefix with the caller’s Content-Type and Cache-Control, and deletes', async () => {
    const s = store({ prefix: 'hls' });
    await s.put('live/s-1.ts', Uint8Array.of(0x47, 1, 2), TS);
    await s.put('live/s.m3u8', new TextEncoder().encode('#EXTM3U\n'), M3U8);
    const seg = await fetch(`${endpoint}/media/hls/live/s-1.ts`);
    expect(seg.status).toBe(200);
    expect(seg.headers.get('content-type')).toBe('video/mp2t');
    expect(seg.headers.get('cache-control')).toBe(TS.cacheControl);
    expect([...new Uint8Array(await seg.arrayBuffer())]).toEqual([0x47, 1, 2]);
    const pl = await fetch(`${endpoint}/media/hls/live/s.m3u8`);
    expect(pl.headers.get('content-type')).toBe('application/vnd.apple.mpegurl');
    expect(pl.headers.get('cache-control')).toBe('public, max-age=1');
    await s.delete('live/s-1.ts');
    await s.delete('live/s-1.ts'); // not there any more: still resolves
    expect((await fetch(`${endpoint}/media/hls/live/s-1.ts`)).status).toBe(404);
  });

  it('refuses bad keys (and a key too long with its prefix) as ProtocolErrors, before any request', async () => {
    const s = store({ prefix: 'p/' });
    await expect(s.put('../x.ts', Uint8Array.of(1), TS)).rejects.toMatchObject({ code: 'storage_bad_key' });
    await expect(s.delete(`${'a'.repeat(1023)}`)).rejects.toMatchObject({ code: 'storage_bad_key' });
    expect(s.objectKey('live/x.ts')).toBe('p/live/x.ts');
  });

  it('reports a missing bucket and a dead endpoint as retryable errors', async () => {
    await expect(store({ bucket: 'nope' }).put('a.ts', Uint8Array.of(1), TS)).rejects.toSatisfy((e) => !(e instanceof ProtocolError));
    const dead = store({ endpoint: 'http://127.0.0.1:9', requestTimeoutMs: 2000 });
    await expect(dead.put('a.ts', Uint8Array.of(1), TS)).rejects.toSatisfy((e) => !(e instanceof ProtocolError));
  });
});

describe('s3ErrorIsPermanent', () => {
  const err = (name: string, status: number | undefined, extra: object = {}) => Object.assign(new Error(name), { name, $metadata: { httpStatusCode: status }, ...extra });
  it.each([
    { e: err('InvalidArgument', 400), permanent: true },
    { e: err('EntityTooLarge', 400), permanent: true },
    { e: err('KeyTooLongError', 400), permanent: true },
    { e: err('MissingContentLength', 411), permanent: true },
    { e: err('RequestTimeout', 400), permanent: false },
    { e: err('ExpiredToken', 400), permanent: false },
    { e: err('BadDigest', 400), permanent: false },
    { e: err('AccessDenied', 403), permanent: false },
    { e: err('NoSuchBucket', 404), permanent: false },
    { e: err('SlowDown', 503), permanent: false },
    { e: err('InternalError', 500), permanent: false },
    { e: err('Throttled', 400, { $retryable: { throttling: true } }), permanent: false },
    { e: err('ECONNREFUSED', undefined), permanent: false },
    { e: 'not an error', permanent: false },
    { e: null, permanent: false },
  ])('%o -> permanent', ({ e, permanent }) => {
    expect(s3ErrorIsPermanent(e)).toBe(permanent);
  });
});
