import type { Context } from 'hono';
import { deleteCookie, getCookie, setCookie } from 'hono/cookie';
import { SESSION_LIFETIME_MS } from './sessions.ts';

/**
 * The session cookie: HttpOnly (scripts never see the token), SameSite=Lax
 * (not sent on cross-site subrequests or form posts), Path=/, and Secure
 * everywhere except plain http to a loopback host: `runnel start` serves
 * http://127.0.0.1:8787, where a Secure cookie could not be used. Browsers
 * treat localhost as a secure context anyway; on any other host, http gets a
 * Secure cookie it cannot send back, so nobody signs in over plain http.
 */

export const SESSION_COOKIE = 'runnel_session';
const LOOPBACK_HOSTS = new Set(['localhost', '127.0.0.1', '[::1]']);

/** False only for `http://localhost|127.0.0.1|[::1]`. */
export function cookieSecure(requestUrl: string): boolean {
  const u = new URL(requestUrl);
  return !(u.protocol === 'http:' && LOOPBACK_HOSTS.has(u.hostname));
}

export function readSessionCookie(c: Context): string | undefined {
  return getCookie(c, SESSION_COOKIE);
}

export function writeSessionCookie(c: Context, token: string): void {
  setCookie(c, SESSION_COOKIE, token, {
    path: '/',
    httpOnly: true,
    secure: cookieSecure(c.req.url),
    sameSite: 'Lax',
    maxAge: Math.floor(SESSION_LIFETIME_MS / 1000),
  });
}

export function clearSessionCookie(c: Context): void {
  deleteCookie(c, SESSION_COOKIE, { path: '/', httpOnly: true, secure: cookieSecure(c.req.url), sameSite: 'Lax' });
}
