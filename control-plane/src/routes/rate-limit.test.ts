import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { call, harness, newTenant } from '../testing/harness.ts';
import type { Harness } from '../testing/harness.ts';

let h: Harness;
beforeEach(async () => {
  h = await harness({ rateLimit: { perSecond: 2, burst: 3 } });
});
afterEach(() => h.close());

describe('per-key rate limit', () => {
  it('allows the burst, then answers 429 with Retry-After, then refills', async () => {
    const { key } = await newTenant(h);
    const statuses: number[] = [];
    for (let i = 0; i < 3; i++) {
      const r = await call(h, 'GET', '/v1/live-streams', { auth: key });
      statuses.push(r.status);
      expect(r.headers.get('ratelimit-remaining')).toBe(String(2 - i));
    }
    expect(statuses).toEqual([200, 200, 200]);
    const refused = await call(h, 'GET', '/v1/live-streams', { auth: key });
    expect(refused.status).toBe(429);
    expect(refused.json.code).toBe('rate_limited');
    expect(refused.headers.get('retry-after')).toBe('1');
    expect(refused.headers.get('ratelimit-limit')).toBe('3');
    h.clock.advance(500);
    expect((await call(h, 'GET', '/v1/live-streams', { auth: key })).status).toBe(200);
    expect((await call(h, 'GET', '/v1/live-streams', { auth: key })).status).toBe(429);
  });

  it('counts each key on its own', async () => {
    const a = await newTenant(h, 'a');
    const b = await newTenant(h, 'b');
    for (let i = 0; i < 3; i++) await call(h, 'GET', '/v1/live-streams', { auth: a.key });
    expect((await call(h, 'GET', '/v1/live-streams', { auth: a.key })).status).toBe(429);
    expect((await call(h, 'GET', '/v1/live-streams', { auth: b.key })).status).toBe(200);
  });

  it('counts writes too, and a refused write changes nothing', async () => {
    const { key } = await newTenant(h);
    for (let i = 0; i < 3; i++) expect((await call(h, 'POST', '/v1/live-streams', { auth: key, body: { name: `s${i}` } })).status).toBe(201);
    expect((await call(h, 'POST', '/v1/live-streams', { auth: key, body: { name: 'extra' } })).status).toBe(429);
    h.clock.advance(10_000);
    expect((await call(h, 'GET', '/v1/live-streams', { auth: key })).json.data).toHaveLength(3);
  });
});
