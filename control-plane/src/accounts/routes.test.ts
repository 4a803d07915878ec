import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { call, harness } from '../testing/harness.ts';
import type { Harness } from '../testing/harness.ts';
import { cookieSecure } from './cookie.ts';
import { SESSION_LIFETIME_MS } from './sessions.ts';

/** Sign-up, sign-in, sign-out, the session cookie on /v1 and its CSRF header, the sign-in rate limit. */

let h: Harness;
beforeEach(async () => {
  h = await harness();
});
afterEach(() => h.close());

const EMAIL = 'Ada@Example.com';
const PASSWORD = 'analytical-engine-1843';

/** The `name=value` part of the answer's Set-Cookie, to send back as Cookie. */
function cookieOf(headers: Headers): string {
  const set = headers.get('set-cookie') ?? '';
  return set.split(';')[0];
}

async function signUp(email = EMAIL, password = PASSWORD) {
  const r = await call(h, 'POST', '/auth/sign-up', { body: { email, password } });
  return { ...r, cookie: cookieOf(r.headers) };
}

describe('sign-up', () => {
  it('creates an account with its own tenant and signs in with an HttpOnly SameSite=Lax cookie', async () => {
    const r = await signUp();
    expect(r.status).toBe(201);
    expect(r.json.data.email).toBe('ada@example.com');
    expect(r.json.data.tenant_id).toMatch(/^tn_/);
    const set = r.headers.get('set-cookie') ?? '';
    expect(set).toMatch(/^runnel_session=[A-Za-z0-9_-]{43};/);
    expect(set).toContain('HttpOnly');
    expect(set).toContain('SameSite=Lax');
    expect(set).toContain('Path=/');
    // The harness requests http://localhost/: the one case without Secure.
    expect(set).not.toContain('Secure');
    const list = await call(h, 'GET', '/v1/live-streams', { headers: { cookie: r.cookie } });
    expect(list.status).toBe(200);
    expect(list.json.data).toEqual([]);
  });

  it('gives each account its own tenant: streams of one are invisible to the other', async () => {
    const a = await signUp('a@example.com');
    const b = await signUp('b@example.com');
    expect(a.json.data.tenant_id).not.toBe(b.json.data.tenant_id);
    const made = await call(h, 'POST', '/v1/live-streams', { body: { name: 'a-stream' }, headers: { cookie: a.cookie, 'x-runnel-csrf': a.json.data.csrf_token } });
    expect(made.status).toBe(201);
    expect((await call(h, 'GET', `/v1/live-streams/${made.json.data.id}`, { headers: { cookie: b.cookie } })).status).toBe(404);
  });

  it('refuses a taken email (any case), a short password and a bad email', async () => {
    await signUp();
    expect((await signUp('ADA@example.COM')).status).toBe(409);
    expect((await signUp('new@example.com', 'short')).status).toBe(422);
    expect((await signUp('not-an-email')).status).toBe(422);
  });

  it('refuses a cross-origin request and a form post (login CSRF)', async () => {
    const cross = await call(h, 'POST', '/auth/sign-up', { body: { email: EMAIL, password: PASSWORD }, headers: { origin: 'https://evil.example' } });
    expect(cross.status).toBe(403);
    const form = await call(h, 'POST', '/auth/sign-up', { body: `email=a%40b.c&password=${PASSWORD}`, headers: { 'content-type': 'application/x-www-form-urlencoded' } });
    expect(form.status).toBe(415);
    const same = await call(h, 'POST', '/auth/sign-up', { body: { email: EMAIL, password: PASSWORD }, headers: { origin: 'http://localhost', host: 'localhost' } });
    expect(same.status).toBe(201);
  });
});

describe('sign-in and sign-out', () => {
  it('signs in with the right password (email case-insensitive), not with a wrong one or an unknown email', async () => {
    await signUp();
    const ok = await call(h, 'POST', '/auth/sign-in', { body: { email: 'ada@EXAMPLE.com', password: PASSWORD } });
    expect(ok.status).toBe(200);
    expect(cookieOf(ok.headers)).toMatch(/^runnel_session=/);
    expect((await call(h, 'POST', '/auth/sign-in', { body: { email: EMAIL, password: `${PASSWORD}x` } })).status).toBe(401);
    const unknown = await call(h, 'POST', '/auth/sign-in', { body: { email: 'nobody@example.com', password: PASSWORD } });
    expect(unknown.status).toBe(401);
    expect(unknown.json.detail).toBe('wrong email or password');
  });

  it('sign-out needs the CSRF token, then ends the session', async () => {
    const s = await signUp();
    expect((await call(h, 'POST', '/auth/sign-out', { headers: { cookie: s.cookie } })).status).toBe(403);
    expect((await call(h, 'GET', '/v1/live-streams', { headers: { cookie: s.cookie } })).status).toBe(200);
    const out = await call(h, 'POST', '/auth/sign-out', { headers: { cookie: s.cookie, 'x-runnel-csrf': s.json.data.csrf_token } });
    expect(out.status).toBe(204);
    expect(out.headers.get('set-cookie')).toMatch(/runnel_session=;.*Max-Age=0/);
    expect((await call(h, 'GET', '/v1/live-streams', { headers: { cookie: s.cookie } })).status).toBe(401);
    expect((await call(h, 'GET', '/auth/session', { headers: { cookie: s.cookie } })).status).toBe(401);
  });

  it('a session expires after its lifetime', async () => {
    const s = await signUp();
    h.clock.advance(SESSION_LIFETIME_MS - 1);
    expect((await call(h, 'GET', '/v1/live-streams', { headers: { cookie: s.cookie } })).status).toBe(200);
    h.clock.advance(1);
    expect((await call(h, 'GET', '/v1/live-streams', { headers: { cookie: s.cookie } })).status).toBe(401);
  });

  it('limits sign-in attempts per email: the sixth quick try is 429 even with the right password', async () => {
    await signUp();
    for (let i = 0; i < 5; i++) expect((await call(h, 'POST', '/auth/sign-in', { body: { email: EMAIL, password: 'wrong-password' } })).status).toBe(401);
    const limited = await call(h, 'POST', '/auth/sign-in', { body: { email: EMAIL, password: PASSWORD } });
    expect(limited.status).toBe(429);
    expect(Number(limited.headers.get('retry-after'))).toBeGreaterThan(0);
    h.clock.advance(60_000);
    expect((await call(h, 'POST', '/auth/sign-in', { body: { email: EMAIL, password: PASSWORD } })).status).toBe(200);
  });
});

describe('sign-in limit per client address', () => {
  it('refuses the 31st quick attempt from one address whatever the email, while another address still gets in', async () => {
    await signUp();
    const from = (ip: string, email: string, password = 'wrong-password') =>
      call(h, 'POST', '/auth/sign-in', { body: { email, password }, headers: { 'cf-connecting-ip': ip } });
    for (let i = 0; i < 30; i++) expect((await from('203.0.113.9', `user${i}@example.com`)).status).toBe(401);
    expect((await from('203.0.113.9', 'user99@example.com')).status).toBe(429);
    expect((await from('198.51.100.7', EMAIL, PASSWORD)).status).toBe(200);
  });
});

describe('the session cookie on /v1', () => {
  it('reads without CSRF, but writes need x-runnel-csrf with the session token', async () => {
    const s = await signUp();
    const body = { name: 'cam' };
    expect((await call(h, 'POST', '/v1/live-streams', { body, headers: { cookie: s.cookie } })).status).toBe(403);
    expect((await call(h, 'POST', '/v1/live-streams', { body, headers: { cookie: s.cookie, 'x-runnel-csrf': 'f'.repeat(64) } })).status).toBe(403);
    const ok = await call(h, 'POST', '/v1/live-streams', { body, headers: { cookie: s.cookie, 'x-runnel-csrf': s.json.data.csrf_token } });
    expect(ok.status).toBe(201);
    const session = await call(h, 'GET', '/auth/session', { headers: { cookie: s.cookie } });
    expect(session.json.data.csrf_token).toBe(s.json.data.csrf_token);
  });

  it('says whether the account is an admin: the first of the deployment is, later ones are not', async () => {
    const first = await signUp('first@example.com');
    const later = await signUp('later@example.com');
    expect([first.json.data.admin, later.json.data.admin]).toEqual([true, false]);
    const admin = async (cookie: string) => (await call(h, 'GET', '/auth/session', { headers: { cookie } })).json.data.admin;
    expect([await admin(first.cookie), await admin(later.cookie)]).toEqual([true, false]);
    const signedIn = await call(h, 'POST', '/auth/sign-in', { body: { email: 'first@example.com', password: PASSWORD } });
    expect(signedIn.json.data.admin).toBe(true);
  });

  it('an unknown cookie is 401, and a Bearer key wins over a cookie', async () => {
    expect((await call(h, 'GET', '/v1/live-streams', { headers: { cookie: 'runnel_session=nope' } })).status).toBe(401);
    const s = await signUp();
    expect((await call(h, 'GET', '/v1/live-streams', { auth: 'rnl_bogus', headers: { cookie: s.cookie } })).status).toBe(401);
  });

  it('a signed-in browser can create an API key for its tenant that works as Bearer', async () => {
    const s = await signUp();
    const key = await call(h, 'POST', '/v1/api-keys', { body: { name: 'ci' }, headers: { cookie: s.cookie, 'x-runnel-csrf': s.json.data.csrf_token } });
    expect(key.status).toBe(201);
    const made = await call(h, 'POST', '/v1/live-streams', { auth: key.json.data.key, body: { name: 'x' } });
    expect(made.status).toBe(201);
    const seen = await call(h, 'GET', `/v1/live-streams/${made.json.data.id}`, { headers: { cookie: s.cookie } });
    expect(seen.status).toBe(200);
  });
});

describe('cookieSecure', () => {
  it.each([
    ['http://localhost:8787/', false],
    ['http://127.0.0.1:8787/', false],
    ['http://[::1]:8787/', false],
    ['https://localhost/', true],
    ['http://dash.example.com/', true],
    ['http://127.0.0.2/', true],
    ['https://cp.example.com/', true],
  ])('%s -> Secure %s', (url, secure) => {
    expect(cookieSecure(url)).toBe(secure);
  });
});
