import { execFile } from 'node:child_process';
import type { AddressInfo } from 'node:net';
import { promisify } from 'node:util';
import { serve } from '@hono/node-server';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { harness, newTenant } from '../testing/harness.ts';
import type { Harness } from '../testing/harness.ts';
import { registerNode } from '../testing/nodes.ts';
import { platformBanner, setupCommands } from './platform-banner.ts';

/** The banner's commands, pasted into bash against the real app on a real port (the platform e2e then publishes with them). */

let h: Harness;
let key: string;
let server: ReturnType<typeof serve>;
let url: string;
beforeAll(async () => {
  h = await harness();
  ({ key } = await newTenant(h));
  await registerNode(h, 'n1');
  server = await new Promise<ReturnType<typeof serve>>((resolve) => {
    const s = serve({ fetch: h.app.fetch, port: 0, hostname: '127.0.0.1' }, () => resolve(s));
  });
  url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
afterAll(async () => {
  await new Promise<void>((resolve) => server.close(() => resolve()));
  h.close();
});

const info = () => ({ controlPlaneUrl: url, apiKey: key, dataDir: '/data', ports: { rtmp: 1935, http: 8080, api: 1985 } });

describe('the runnel start banner', () => {
  it('creates a stream and prints its publish URL with the issued key when pasted into a shell', async () => {
    const script = `${setupCommands(info()).join('\n')}\nprintf '%s\\n' "$STREAM_ID" "$PLAYBACK_ID" "$RTMP_URL"\n`;
    const { stdout } = await promisify(execFile)('bash', ['-euc', script]);
    const [streamId, playbackId, rtmpUrl] = stdout.trim().split('\n').slice(-3);
    const res = await h.app.request(`/v1/live-streams/${streamId}`, { headers: { authorization: `Bearer ${key}` } });
    expect(res.status).toBe(200);
    const stream = ((await res.json()) as { data: { stream_key: string; playback_ids: { id: string }[] } }).data;
    expect(playbackId).toBe(stream.playback_ids[0].id);
    expect(rtmpUrl).toBe(`rtmp://n1.example.com:1935/live/${stream.stream_key}`);
  });

  it('has the setup block in the banner verbatim, and no publish example without a key', () => {
    const text = platformBanner(info());
    expect(text).toContain(setupCommands(info()).map((l) => `  ${l}`).join('\n'));
    expect(text).toContain('-f flv "$RTMP_URL"');
    expect(text).not.toMatch(/livestream|\$STREAM_KEY/);
  });
});
