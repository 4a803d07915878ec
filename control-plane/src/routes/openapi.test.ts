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

  it('describes both ways in: Bearer key, or the session cookie plus the CSRF header on writes', async () => {
    const doc = (await call(h, 'GET', '/v1/openapi.json')).json;
    const schemes = doc.components.securitySchemes;
    expect(schemes.sessionCookie).toMatchObject({ type: 'apiKey', in: 'cookie', name: 'runnel_session' });
    expect(schemes.csrfToken).toMatchObject({ type: 'apiKey', in: 'header', name: 'x-runnel-csrf' });
    for (const [path, ops] of Object.entries(doc.paths as Record<string, Record<string, { security: unknown }>>)) {
      for (const [method, op] of Object.entries(ops)) {
        const cookie = method === 'get' ? { sessionCookie: [] } : { sessionCookie: [], csrfToken: [] };
        expect(op.security, `${method} ${path}`).toEqual([{ apiKey: [] }, cookie]);
      }
    }
  });

  it('the documented cookie and header are what the app takes', async () => {
    const up = await call(h, 'POST', '/auth/sign-up', { body: { email: 'doc@example.com', password: 'documented-password' } });
    const schemes = (await call(h, 'GET', '/v1/openapi.json')).json.components.securitySchemes;
    const cookie = `${schemes.sessionCookie.name}=${(up.headers.get('set-cookie') ?? '').split(';')[0].split('=')[1]}`;
    expect((await call(h, 'GET', '/v1/live-streams', { headers: { cookie } })).status).toBe(200);
    const write = (headers: Record<string, string>) => call(h, 'POST', '/v1/live-streams', { headers: { cookie, ...headers }, body: { name: 'x' } });
    expect((await write({})).status).toBe(403);
    expect((await write({ [schemes.csrfToken.name]: up.json.data.csrf_token })).status).toBe(201);
  });

  it('documents the recording and live-stats answers as components the answers reference', async () => {
    const doc = (await call(h, 'GET', '/v1/openapi.json')).json;
    expect(doc.components.schemas.Recording.required).toEqual(expect.arrayContaining(['id', 'live_stream_id', 'session_id', 'format', 'url', 'duration_ms', 'bytes']));
    expect(Object.keys(doc.components.schemas.LiveStats.anyOf[0].properties)).toEqual(
      expect.arrayContaining(['video', 'audio', 'bitrate_kbps', 'since']),
    );
    const ok = (path: string) => doc.paths[path].get.responses['200'].content['application/json'].schema;
    expect(ok('/v1/recordings/{id}').properties.data).toEqual({ $ref: '#/components/schemas/Recording' });
    expect(ok('/v1/live-streams/{id}/recordings').properties.data.items).toEqual({ $ref: '#/components/schemas/Recording' });
    expect(ok('/v1/live-streams/{id}').properties.data.properties.live).toEqual({ $ref: '#/components/schemas/LiveStats' });
    expect(ok('/v1/live-streams').properties.data.items.properties.live).toEqual({ $ref: '#/components/schemas/LiveStats' });
  });
});
