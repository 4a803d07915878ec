import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { hlsFileFor, hlsFiles } from './hls-files.ts';

const root = mkdtempSync(join(tmpdir(), 'runnel-hls-files-'));
mkdirSync(join(root, 'live'));
writeFileSync(join(root, 'live', 'pb1.m3u8'), '#EXTM3U\n');
writeFileSync(join(root, 'live', 'pb1-7.ts'), new Uint8Array([0x47, 1, 2]));
afterAll(() => rmSync(root, { recursive: true, force: true }));

const serve = hlsFiles(root);
const get = (path: string, method = 'GET') => serve(new Request(`http://cp${path}`, { method }));

describe('GET /hls/{playback_id}/...', () => {
  it.each([
    ['/hls/pb1/index.m3u8', join(root, 'live', 'pb1.m3u8')],
    ['/hls/pb1/pb1-7.ts', join(root, 'live', 'pb1-7.ts')],
  ])('maps %s to the node file', (path, file) => {
    expect(hlsFileFor(root, path)?.file).toBe(file);
  });

  it.each(['/hls/pb1/../../etc/passwd', '/hls/..%2f/index.m3u8', '/hls/pb1/other-7.ts', '/hls/pb1/pb1.m3u8', '/hls/pb1/a/index.m3u8', '/hls/pb1/pb1-x.ts', '/hls//index.m3u8'])('serves nothing for %s', (path) => {
    expect(hlsFileFor(root, path)).toBeNull();
  });

  it('serves the playlist short-lived and segments immutable, with CORS', async () => {
    const playlist = await get('/hls/pb1/index.m3u8');
    expect(playlist?.status).toBe(200);
    expect(await playlist?.text()).toBe('#EXTM3U\n');
    expect(playlist?.headers.get('cache-control')).toBe('public, max-age=1');
    expect(playlist?.headers.get('access-control-allow-origin')).toBe('*');
    const seg = await get('/hls/pb1/pb1-7.ts');
    expect(new Uint8Array(await seg!.arrayBuffer())).toEqual(new Uint8Array([0x47, 1, 2]));
    expect(seg?.headers.get('content-type')).toBe('video/mp2t');
    expect(seg?.headers.get('cache-control')).toContain('immutable');
  });

  it('answers 404 for a missing file or another method, and leaves other paths to the app', async () => {
    expect((await get('/hls/nosuch/index.m3u8'))?.status).toBe(404);
    expect((await get('/hls/pb1/index.m3u8', 'DELETE'))?.status).toBe(404);
    expect(await get('/v1/live-streams')).toBeNull();
  });
});
