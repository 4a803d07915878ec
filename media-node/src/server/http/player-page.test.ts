import { readFileSync } from 'node:fs';
import type { Server } from 'node:http';
import { createRequire } from 'node:module';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createMemoryLogger } from '../log/index.ts';
import { createNodeHttpServer } from './node-http-server.ts';
import type { NodeHttpDeps } from './node-http-server.ts';

// The player routes touch nothing but the log: the hub and hooks stay unused.
const deps = { log: createMemoryLogger(), hlsRoot: null } as unknown as NodeHttpDeps;
const require = createRequire(import.meta.url);
let server: Server;
let base: string;

beforeAll(async () => {
  server = createNodeHttpServer(deps);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const addr = server.address();
  base = `http://127.0.0.1:${typeof addr === 'object' && addr ? addr.port : 0}`;
});

afterAll(async () => {
  await new Promise((resolve) => server.close(resolve));
});

describe('player routes', () => {
  it.each([
    ['/players/hls.js', 'hls.js/dist/hls.min.js'],
    ['/players/mpegts.js', 'mpegts.js/dist/mpegts.js'],
  ])('%s serves the npm bundle %s', async (path, file) => {
    const res = await fetch(base + path);
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toBe('text/javascript; charset=utf-8');
    expect(res.headers.get('cache-control')).toBe('public, max-age=3600');
    const body = new Uint8Array(await res.arrayBuffer());
    expect(Buffer.compare(body, readFileSync(require.resolve(file)))).toBe(0);
  });

  it('serves the page, which loads both players from the node itself', async () => {
    for (const path of ['/players', '/players/', '/players/index.html?url=x.m3u8']) {
      const res = await fetch(base + path);
      expect(res.status, path).toBe(200);
      expect(res.headers.get('content-type')).toBe('text/html; charset=utf-8');
      const html = await res.text();
      expect(html).toContain("loadScript('/players/hls.js')");
      expect(html).toContain("loadScript('/players/mpegts.js')");
      expect(html).not.toMatch(/src="https?:/);
    }
  });

  it('answers 404 for other files under /players/', async () => {
    for (const path of ['/players/hls.min.js', '/players/../package.json', '/players/hls.js.map']) {
      expect((await fetch(base + path)).status, path).toBe(404);
    }
  });
});
