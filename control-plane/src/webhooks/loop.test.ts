import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { eq } from 'drizzle-orm';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { webhookDeliveries } from '../db/schema.ts';
import { call, harness, newTenant } from '../testing/harness.ts';
import type { Harness } from '../testing/harness.ts';
import { hook, registerNode } from '../testing/nodes.ts';
import { createEndpoint } from './endpoints.ts';
import { DEFAULT_DISPATCH } from './dispatcher.ts';
import { startWebhookLoop } from './loop.ts';

let h: Harness;
beforeEach(async () => {
  h = await harness();
});
afterEach(() => h.close());

describe('startWebhookLoop', () => {
  it('turns a stream idle after its reconnect window and delivers its events in seq order, on its own', async () => {
    const bodies: { type: string; seq: number }[] = [];
    const server = createServer((req, res) => {
      let b = '';
      req.on('data', (c: Buffer) => (b += c.toString('utf8')));
      req.on('end', () => {
        bodies.push(JSON.parse(b));
        res.writeHead(204).end();
      });
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const { key, tenantId } = await newTenant(h);
    await registerNode(h, 'n1');
    await createEndpoint(h.db, tenantId, { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/`, events: [], enabled: true }, h.clock.now());
    const s = (await call(h, 'POST', '/v1/live-streams', { auth: key, body: { name: 'x', reconnect_window_s: 5 } })).json.data;
    await hook(h, 'on_publish', 'n1', s.stream_key, { client_id: 'p1' });
    await hook(h, 'on_unpublish', 'n1', s.playback_ids[0].id, { client_id: 'p1' });
    h.clock.advance(5000);
    const loop = startWebhookLoop(h.db, h.clock, h.log, 10, { ...DEFAULT_DISPATCH, allowInsecureUrls: true });
    try {
      const deadline = Date.now() + 3000;
      while (bodies.length < 3 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 10));
    } finally {
      await loop.stop();
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    }
    expect(bodies.map((b) => [b.type, b.seq]).sort((a, b) => Number(a[1]) - Number(b[1]))).toEqual([
      ['stream.connected', 1],
      ['stream.disconnected', 2],
      ['stream.idle', 3],
    ]);
    const rows = await h.db.select().from(webhookDeliveries).where(eq(webhookDeliveries.status, 'delivered'));
    expect(rows).toHaveLength(3);
  });
});
