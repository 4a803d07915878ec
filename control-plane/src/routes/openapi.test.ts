import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { call, harness } from '../testing/harness.ts';
import type { Harness } from '../testing/harness.ts';

let h: Harness;
beforeEach(async () => {
  h = await harness();
});
afterEach(() => h.close());

describe('/v1/openapi.json', () => {
  it('is served without a key and lists exactly the /v1 routes of the app', async () => {
    const r = await call(h, 'GET', '/v1/openapi.json');
    expect(r.status).toBe(200);
    expect(r.json.openapi).toBe('3.1.0');
    const documented = Object.entries(r.json.paths as Record<string, Record<string, unknown>>)
      .flatMap(([path, ops]) => Object.keys(ops).map((m) => `${m.toUpperCase()} ${path}`))
      .sort();
    const served = [
      ...new Set(
        h.app.routes
          .filter((x) => x.method !== 'ALL' && x.path.startsWith('/v1/') && x.path !== '/v1/openapi.json')
          .map((x) => `${x.method} ${x.path.replace(/\/$/, '').replace(/:(\w+)/g, '{$1}')}`),
      ),
    ].sort();
    expect(documented).toEqual(served);
  });

  it('carries the request schemas the routes validate with', async () => {
    const doc = (await call(h, 'GET', '/v1/openapi.json')).json;
    const create = doc.paths['/v1/live-streams'].post;
    const schema = create.requestBody.content['application/json'].schema;
    expect(schema.required).toEqual(['name']);
    expect(schema.properties.reconnect_window_s).toMatchObject({ type: 'integer', minimum: 0, maximum: 1800 });
    expect(schema.additionalProperties).toBe(false);
    expect(Object.keys(create.responses)).toEqual(expect.arrayContaining(['201', '401', '422', '429']));
    const list = doc.paths['/v1/live-streams'].get;
    expect(list.parameters.map((p: { name: string }) => p.name)).toEqual(['limit', 'cursor']);
  });
});
