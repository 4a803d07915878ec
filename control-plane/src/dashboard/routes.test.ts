import { Script } from 'node:vm';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { call, harness } from '../testing/harness.ts';
import type { Harness } from '../testing/harness.ts';

/** The dashboard's pages and assets as the browser gets them (behaviour in the browser: media-node/test/dashboard.e2e.test.ts). */

let h: Harness;
beforeEach(async () => {
  h = await harness();
});
afterEach(() => h.close());

async function page(path: string, cookie?: string) {
  const res = await h.app.request(path, { headers: cookie === undefined ? {} : { cookie } });
  return { status: res.status, headers: res.headers, text: await res.text() };
}

/** The first account of a deployment is its admin (accounts/accounts.ts): grace is, any later email is not. */
async function signUp(email = 'grace@example.com'): Promise<{ cookie: string; csrf: string }> {
  const r = await call(h, 'POST', '/auth/sign-up', { body: { email, password: 'cobol-compiler-1959' } });
  return { cookie: (r.headers.get('set-cookie') ?? '').split(';')[0], csrf: r.json.data.csrf_token };
}

const PAGES = ['/dashboard/', '/dashboard/webhooks', '/dashboard/api-keys', '/dashboard/streams/ls_01jabcdefghjkmnpqrstvwxyz0', '/dashboard/nodes'];

describe('dashboard pages', () => {
  it.each(PAGES)('%s sends a signed-out browser to sign-in and back', async (path) => {
    const r = await page(path);
    expect(r.status).toBe(302);
    expect(r.headers.get('location')).toBe(`/dashboard/sign-in?next=${encodeURIComponent(path)}`);
  });

  it.each(PAGES)('%s renders for a signed-in browser with its CSRF token, CSP and no caching', async (path) => {
    const s = await signUp();
    const r = await page(path, s.cookie);
    expect(r.status).toBe(200);
    expect(r.text).toContain(`<meta name="csrf-token" content="${s.csrf}">`);
    expect(r.text).toContain('grace@example.com');
    expect(r.headers.get('content-security-policy')).toContain("script-src 'self'");
    expect(r.headers.get('content-security-policy')).toContain("frame-ancestors 'none'");
    expect(r.headers.get('cache-control')).toBe('no-store');
    // No inline script: everything runs from app.js under the CSP.
    expect(r.text).not.toMatch(/<script>(?!<)/);
    expect(r.text).toContain('<script src="/dashboard/assets/app.js" defer></script>');
  });

  it('marks the current page in the navigation and labels every form control', async () => {
    const s = await signUp();
    const r = await page('/dashboard/api-keys', s.cookie);
    expect(r.text).toMatch(/<a href="\/dashboard\/api-keys" aria-current="page">API keys<\/a>/);
    for (const id of [...r.text.matchAll(/<(?:input|select) id="([^"]+)"/g)].map((m) => m[1])) expect(r.text).toContain(`<label for="${id}">`);
  });

  it('shows the Nodes page and its navigation link to admins only', async () => {
    const admin = await signUp();
    const tenant = await signUp('tenant@example.com');
    const forAdmin = await page('/dashboard/nodes', admin.cookie);
    expect(forAdmin.status).toBe(200);
    expect(forAdmin.text).toContain('<body data-page="nodes">');
    expect(forAdmin.text).toMatch(/<a href="\/dashboard\/nodes" aria-current="page">Nodes<\/a>/);
    expect((await page('/dashboard/', admin.cookie)).text).toContain('<a href="/dashboard/nodes">Nodes</a>');
    const forTenant = await page('/dashboard/nodes', tenant.cookie);
    expect(forTenant.status).toBe(404);
    expect(forTenant.text).not.toContain('id="nodes"');
    expect((await page('/dashboard/', tenant.cookie)).text).not.toContain('/dashboard/nodes');
  });

  it('passes the stream id to the page; a malformed id is a 404 page', async () => {
    const s = await signUp();
    const ok = await page('/dashboard/streams/ls_01jabcdefghjkmnpqrstvwxyz0', s.cookie);
    expect(ok.text).toContain('data-stream-id="ls_01jabcdefghjkmnpqrstvwxyz0"');
    const bad = await page('/dashboard/streams/%22%3E%3Cscript%3E', s.cookie);
    expect(bad.status).toBe(404);
    expect(bad.text).not.toContain('<script>');
  });

  it('has columns for the live figures and a recordings section that the client script fills', async () => {
    const s = await signUp();
    const list = (await page('/dashboard/', s.cookie)).text;
    const heads = [...list.matchAll(/<th scope="col">([^<]+)<\/th>/g)].map((m) => m[1]);
    expect(heads.slice(0, 5)).toEqual(['Name', 'Status', 'Live since', 'Bitrate', 'Codecs']);
    const one = (await page('/dashboard/streams/ls_01jabcdefghjkmnpqrstvwxyz0', s.cookie)).text;
    for (const id of ['recordings', 'recordings-empty']) expect(one).toContain(`id="${id}"`);
    const js = (await page('/dashboard/assets/app.js')).text;
    expect(js).toContain("'/recordings?limit=20'");
    expect(js).toContain('fmtCodecs(s.live)');
  });

  it('sign-in and sign-up pages render signed out, and send a signed-in browser to its streams', async () => {
    for (const p of ['/dashboard/sign-in', '/dashboard/sign-up']) {
      const r = await page(p);
      expect(r.status).toBe(200);
      expect(r.text).toContain('<label for="email">Email</label>');
      expect(r.text).toContain('<label for="password">Password</label>');
    }
    const s = await signUp();
    expect((await page('/dashboard/sign-in', s.cookie)).headers.get('location')).toBe('/dashboard/');
    expect((await page('/')).headers.get('location')).toBe('/dashboard/');
  });
});

describe('dashboard assets', () => {
  it('app.js is valid JavaScript with an init for every page', async () => {
    const r = await page('/dashboard/assets/app.js');
    expect(r.status).toBe(200);
    expect(r.headers.get('content-type')).toMatch(/^text\/javascript/);
    expect(() => new Script(r.text)).not.toThrow();
    for (const f of ['initAuth', 'initStreams', 'initStream', 'initWebhooks', 'initApiKeys', 'initNodes']) expect(r.text).toContain(`function ${f}(`);
    expect(r.text).toContain(
      "var INIT = { 'sign-in': initAuth, 'sign-up': initAuth, streams: initStreams, stream: initStream, webhooks: initWebhooks, 'api-keys': initApiKeys, nodes: initNodes };",
    );
  });

  it('app.css is served as CSS', async () => {
    const r = await page('/dashboard/assets/app.css');
    expect(r.headers.get('content-type')).toMatch(/^text\/css/);
    expect(r.text).toContain(':focus-visible');
  });

  it.each([
    ['hls.js', 'Hls'],
    ['mpegts.js', 'mpegts'],
  ])('serves the %s player from node_modules on Node', async (name, global) => {
    const r = await page(`/dashboard/assets/${name}`);
    expect(r.status).toBe(200);
    expect(r.headers.get('content-type')).toMatch(/^text\/javascript/);
    expect(r.text.length).toBeGreaterThan(100_000);
    expect(r.text).toContain(global);
    expect(() => new Script(r.text)).not.toThrow();
  });
});
