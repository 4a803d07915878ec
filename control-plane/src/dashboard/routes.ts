import { Hono } from 'hono';
import type { Context } from 'hono';
import type { SignedIn } from '../accounts/current.ts';
import { signedIn } from '../accounts/current.ts';
import type { AppDeps } from '../deps.ts';
import { idPattern } from '../services/ids.ts';
import { APP_JS } from './client/app.ts';
import { layout } from './layout.ts';
import type { Html, PageName } from './layout.ts';
import { apiKeysPage, authPage, nodesPage, notFoundPage, streamPage, streamsPage, webhooksPage } from './pages.ts';
import { servePlayer } from './player-scripts.ts';
import { DASHBOARD_CSS } from './styles.ts';

/**
 * The tenant dashboard at `/dashboard/`: server-rendered page shells
 * (`hono/html`, plain .ts so Node's type stripping runs them; .tsx would need
 * a build step) and one small client script that talks to `/v1` with the
 * session cookie, as any API user would. Why not an SPA: nothing to build at
 * install time, the same files run on Workers and Node, and each page is a
 * URL a test (or a user) can open directly.
 */

/**
 * Pages load only our own scripts and styles; video comes from media nodes
 * and the HLS route (any http/https origin, and MSE's blob: URLs); hls.js
 * runs its demuxer in a blob: worker. Nothing may frame the dashboard.
 */
const CSP = [
  "default-src 'self'",
  "script-src 'self'",
  "style-src 'self'",
  "img-src 'self' data:",
  "media-src 'self' blob: http: https:",
  "connect-src 'self' http: https: ws: wss:",
  "worker-src 'self' blob:",
  "object-src 'none'",
  "base-uri 'none'",
  "form-action 'self'",
  "frame-ancestors 'none'",
].join('; ');

function htmlPage(c: Context, body: Html, status: 200 | 404 = 200): Response | Promise<Response> {
  c.header('content-security-policy', CSP);
  c.header('x-content-type-options', 'nosniff');
  c.header('referrer-policy', 'same-origin');
  // Pages carry the session's CSRF token: never cached.
  c.header('cache-control', 'no-store');
  return c.html(body, status);
}

const streamId = idPattern('ls');

export function dashboardRoutes(deps: AppDeps): Hono {
  const r = new Hono();
  const who = (c: Context) => signedIn(c, deps.db, deps.clock.now());

  r.get('/', (c) => c.redirect('/dashboard/'));
  r.get('/dashboard', (c) => c.redirect('/dashboard/'));

  for (const mode of ['sign-in', 'sign-up'] as const) {
    r.get(`/dashboard/${mode}`, async (c) => {
      if ((await who(c)) !== null) return c.redirect('/dashboard/');
      return htmlPage(c, layout({ title: mode === 'sign-in' ? 'Sign in' : 'Sign up', page: mode, who: null, body: authPage(mode) }));
    });
  }

  /** A page for signed-in browsers; others go to sign-in and come back after. */
  const signedInPage = (path: string, title: string, page: PageName, body: (c: Context, w: SignedIn) => Html | null, data?: (c: Context) => Record<string, string>) => {
    r.get(path, async (c) => {
      const w = await who(c);
      if (w === null) return c.redirect(`/dashboard/sign-in?next=${encodeURIComponent(c.req.path)}`);
      const b = body(c, w);
      if (b === null) return htmlPage(c, layout({ title: 'Not found', page, who: w, body: notFoundPage() }), 404);
      return htmlPage(c, layout({ title, page, who: w, body: b, data: data?.(c) }));
    });
  };
  signedInPage('/dashboard/', 'Live streams', 'streams', () => streamsPage());
  signedInPage(
    '/dashboard/streams/:id',
    'Live stream',
    'stream',
    (c) => (streamId.test(c.req.param('id') ?? '') ? streamPage() : null),
    (c) => ({ 'stream-id': c.req.param('id') ?? '' }),
  );
  signedInPage('/dashboard/webhooks', 'Webhooks', 'webhooks', () => webhooksPage());
  signedInPage('/dashboard/api-keys', 'API keys', 'api-keys', () => apiKeysPage());
  // The operator view: admins only (accounts/accounts.ts); for anyone else it does not exist.
  signedInPage('/dashboard/nodes', 'Media nodes', 'nodes', (_c, w) => (w.admin ? nodesPage() : null));

  const asset = (type: string, body: string) => (c: Context) =>
    c.body(body, 200, { 'content-type': `${type}; charset=utf-8`, 'cache-control': 'no-cache', 'x-content-type-options': 'nosniff' });
  r.get('/dashboard/assets/app.js', asset('text/javascript', APP_JS));
  r.get('/dashboard/assets/app.css', asset('text/css', DASHBOARD_CSS));
  r.get('/dashboard/assets/hls.js', (c) => servePlayer(c, 'hls.js'));
  r.get('/dashboard/assets/mpegts.js', (c) => servePlayer(c, 'mpegts.js'));
  return r;
}
