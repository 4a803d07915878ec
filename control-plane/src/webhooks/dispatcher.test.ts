import { createServer } from 'node:http';
import type { IncomingHttpHeaders, Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { eq } from 'drizzle-orm';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { webhookDeliveries, webhookEndpoints } from '../db/schema.ts';
import { call, harness, newTenant } from '../testing/harness.ts';
import type { Harness } from '../testing/harness.ts';
import { DEFAULT_DISPATCH, backoffMs, dispatchDue } from './dispatcher.ts';
import type { DispatchOptions } from './dispatcher.ts';
import { createEndpoint, enqueueTestEvent } from './endpoints.ts';
import { verifySignature } from './signature.ts';

/** A real HTTP receiver on a free port: answers each request with the next planned status ('hang' never answers). */
interface Receiver {
  readonly url: string;
  readonly got: { headers: IncomingHttpHeaders; body: string }[];
  plan: (number | 'hang')[];
  close(): Promise<void>;
}

async function receiver(): Promise<Receiver> {
  const got: Receiver['got'] = [];
  const r = { got, plan: [] as (number | 'hang')[] };
  const server: Server = createServer((req, res) => {
    let body = '';
    req.on('data', (c: Buffer) => (body += c.toString('utf8')));
    req.on('end', () => {
      got.push({ headers: req.headers, body });
      const next = r.plan.shift() ?? 200;
      if (next !== 'hang') res.writeHead(next).end('ok');
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as AddressInfo).port;
  return Object.assign(r, {
    url: `http://127.0.0.1:${port}/hooks`,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  });
}

/** The receiver is plain http on 127.0.0.1: the dev option the local platform uses. */
const OPTS: DispatchOptions = { ...DEFAULT_DISPATCH, timeoutMs: 300, maxAttempts: 3, allowInsecureUrls: true };

let h: Harness;
let rx: Receiver;
let tenantId: string;
let key: string;
beforeEach(async () => {
  h = await harness();
  ({ tenantId, key } = await newTenant(h));
  rx = await receiver();
});
afterEach(async () => {
  await rx.close();
  h.close();
});

const delivery = async (id: string) => (await h.db.select().from(webhookDeliveries).where(eq(webhookDeliveries.id, id)))[0];

describe('dispatchDue against a real HTTP receiver', () => {
  it('POSTs the stored payload, signed with the endpoint secret, and records the delivery', async () => {
    const ep = await createEndpoint(h.db, tenantId, { url: rx.url, events: [], enabled: true }, h.clock.now());
    const d = await enqueueTestEvent(h.db, ep, h.clock.now());
    expect(await dispatchDue(h.db, h.clock, OPTS)).toEqual({ delivered: 1, retrying: 0, failed: 0 });
    expect(rx.got).toHaveLength(1);
    const req = rx.got[0];
    expect(req.body).toBe(d.payload);
    expect(req.headers['content-type']).toBe('application/json');
    expect(req.headers['runnel-event-id']).toBe(d.eventId);
    expect(await verifySignature(String(req.headers['runnel-signature']), req.body, ep.secret, h.clock.now())).toMatchObject({ ok: true });
    expect(await verifySignature(String(req.headers['runnel-signature']), req.body, 'whsec_wrong', h.clock.now())).toMatchObject({ ok: false });
    expect(await delivery(d.id)).toMatchObject({ status: 'delivered', attempts: 1, lastStatusCode: 200, lastError: null, nextAttemptAt: null, deliveredAt: h.clock.now() });
    expect(await dispatchDue(h.db, h.clock, OPTS)).toEqual({ delivered: 0, retrying: 0, failed: 0 });
    expect(rx.got).toHaveLength(1);
  });

  it('retries a 500 after the backoff, then records success', async () => {
    const ep = await createEndpoint(h.db, tenantId, { url: rx.url, events: [], enabled: true }, h.clock.now());
    const d = await enqueueTestEvent(h.db, ep, h.clock.now());
    rx.plan = [500, 200];
    expect(await dispatchDue(h.db, h.clock, OPTS)).toEqual({ delivered: 0, retrying: 1, failed: 0 });
    expect(await delivery(d.id)).toMatchObject({ status: 'pending', attempts: 1, lastStatusCode: 500, lastError: 'http_500', nextAttemptAt: h.clock.now() + OPTS.baseBackoffMs });
    h.clock.advance(OPTS.baseBackoffMs - 1);
    await dispatchDue(h.db, h.clock, OPTS);
    expect(rx.got).toHaveLength(1);
    h.clock.advance(1);
    expect(await dispatchDue(h.db, h.clock, OPTS)).toEqual({ delivered: 1, retrying: 0, failed: 0 });
    expect(rx.got).toHaveLength(2);
    expect(rx.got[1].body).toBe(rx.got[0].body);
    expect(await delivery(d.id)).toMatchObject({ status: 'delivered', attempts: 2, lastStatusCode: 200, lastError: null });
  });

  it('gives up after maxAttempts, with the backoff doubling in between', async () => {
    const ep = await createEndpoint(h.db, tenantId, { url: rx.url, events: [], enabled: true }, h.clock.now());
    const d = await enqueueTestEvent(h.db, ep, h.clock.now());
    rx.plan = [503, 503, 503];
    expect(backoffMs(1, OPTS)).toBe(OPTS.baseBackoffMs);
    expect(backoffMs(2, OPTS)).toBe(2 * OPTS.baseBackoffMs);
    expect(backoffMs(40, OPTS)).toBe(OPTS.maxBackoffMs);
    await dispatchDue(h.db, h.clock, OPTS);
    h.clock.advance(backoffMs(1, OPTS));
    await dispatchDue(h.db, h.clock, OPTS);
    expect((await delivery(d.id)).nextAttemptAt).toBe(h.clock.now() + backoffMs(2, OPTS));
    h.clock.advance(backoffMs(2, OPTS));
    expect(await dispatchDue(h.db, h.clock, OPTS)).toEqual({ delivered: 0, retrying: 0, failed: 1 });
    expect(await delivery(d.id)).toMatchObject({ status: 'failed', attempts: 3, lastStatusCode: 503, nextAttemptAt: null });
    h.clock.advance(OPTS.maxBackoffMs);
    await dispatchDue(h.db, h.clock, OPTS);
    expect(rx.got).toHaveLength(3);
  });

  it('records a receiver that does not answer in time as a timeout, to retry', async () => {
    const ep = await createEndpoint(h.db, tenantId, { url: rx.url, events: [], enabled: true }, h.clock.now());
    const d = await enqueueTestEvent(h.db, ep, h.clock.now());
    rx.plan = ['hang'];
    const started = Date.now();
    expect(await dispatchDue(h.db, h.clock, OPTS)).toEqual({ delivered: 0, retrying: 1, failed: 0 });
    expect(Date.now() - started).toBeLessThan(OPTS.timeoutMs + 2000);
    expect(rx.got).toHaveLength(1);
    expect(await delivery(d.id)).toMatchObject({ status: 'pending', attempts: 1, lastStatusCode: null, lastError: 'timeout' });
  });

  it('does not send to an endpoint disabled after the event was queued', async () => {
    const ep = await createEndpoint(h.db, tenantId, { url: rx.url, events: [], enabled: true }, h.clock.now());
    const d = await enqueueTestEvent(h.db, ep, h.clock.now());
    await h.db.update(webhookEndpoints).set({ enabled: false }).where(eq(webhookEndpoints.id, ep.id));
    expect(await dispatchDue(h.db, h.clock, OPTS)).toEqual({ delivered: 0, retrying: 0, failed: 1 });
    expect(rx.got).toHaveLength(0);
    expect(await delivery(d.id)).toMatchObject({ status: 'failed', attempts: 0, lastError: 'endpoint_disabled' });
  });

  it("applies the endpoint's event filter at send time; the test event passes any filter", async () => {
    const ep = await createEndpoint(h.db, tenantId, { url: rx.url, events: [], enabled: true }, h.clock.now());
    const s = (await call(h, 'POST', '/v1/live-streams', { auth: key, body: { name: 'x' } })).json.data;
    await call(h, 'POST', `/v1/live-streams/${s.id}/rotate-keys`, { auth: key });
    const test = await enqueueTestEvent(h.db, ep, h.clock.now());
    await h.db.update(webhookEndpoints).set({ events: ['stream.connected'] }).where(eq(webhookEndpoints.id, ep.id));
    expect(await dispatchDue(h.db, h.clock, OPTS)).toEqual({ delivered: 1, retrying: 0, failed: 1 });
    expect(rx.got.map((g) => JSON.parse(g.body).type)).toEqual(['webhook.test']);
    expect(await delivery(test.id)).toMatchObject({ status: 'delivered' });
    const rotated = (await h.db.select().from(webhookDeliveries).where(eq(webhookDeliveries.eventType, 'stream.key_rotated')))[0];
    expect(rotated).toMatchObject({ status: 'failed', lastError: 'event_filtered' });
  });

  it('refuses at send time an endpoint URL the rules forbid (stored before them, or the dev option is off now)', async () => {
    const ep = await createEndpoint(h.db, tenantId, { url: rx.url, events: [], enabled: true }, h.clock.now());
    const d = await enqueueTestEvent(h.db, ep, h.clock.now());
    expect(await dispatchDue(h.db, h.clock, { ...OPTS, allowInsecureUrls: false })).toEqual({ delivered: 0, retrying: 0, failed: 1 });
    expect(rx.got).toHaveLength(0);
    expect(await delivery(d.id)).toMatchObject({ status: 'failed', attempts: 0, lastError: 'webhook_url_unsafe: not_https' });
    await h.db.update(webhookEndpoints).set({ url: 'https://169.254.169.254/latest' }).where(eq(webhookEndpoints.id, ep.id));
    const d2 = await enqueueTestEvent(h.db, ep, h.clock.now());
    await dispatchDue(h.db, h.clock, { ...OPTS, allowInsecureUrls: false });
    expect(await delivery(d2.id)).toMatchObject({ status: 'failed', lastError: 'webhook_url_unsafe: blocked_address' });
  });

  it('does not follow a redirect: it is the answer, retried', async () => {
    const ep = await createEndpoint(h.db, tenantId, { url: rx.url, events: [], enabled: true }, h.clock.now());
    const d = await enqueueTestEvent(h.db, ep, h.clock.now());
    rx.plan = [302];
    expect(await dispatchDue(h.db, h.clock, OPTS)).toEqual({ delivered: 0, retrying: 1, failed: 0 });
    expect(rx.got).toHaveLength(1);
    expect(await delivery(d.id)).toMatchObject({ status: 'pending', lastStatusCode: 302, lastError: 'http_302' });
  });

  it('sends a row once when two runs overlap (claims are conditional)', async () => {
    const ep = await createEndpoint(h.db, tenantId, { url: rx.url, events: [], enabled: true }, h.clock.now());
    await enqueueTestEvent(h.db, ep, h.clock.now());
    const [a, b] = await Promise.all([dispatchDue(h.db, h.clock, OPTS), dispatchDue(h.db, h.clock, OPTS)]);
    expect(a.delivered + b.delivered).toBe(1);
    expect(rx.got).toHaveLength(1);
  });
});
