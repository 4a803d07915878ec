import { html } from 'hono/html';
import type { HtmlEscapedString } from 'hono/utils/html';
import type { SignedIn } from '../accounts/current.ts';

/**
 * The page frame every dashboard page shares: skip link, header with the
 * navigation and sign-out, a live region for messages, the page body, and
 * the one client script (`/dashboard/assets/app.js`, which picks its part by
 * `<body data-page>`). `hono/html` escapes every interpolated value.
 */

export type Html = HtmlEscapedString | Promise<HtmlEscapedString>;

export type PageName = 'sign-in' | 'sign-up' | 'streams' | 'stream' | 'webhooks' | 'api-keys' | 'nodes';

export const ASSETS = '/dashboard/assets';

const NAV: ReadonlyArray<{ readonly href: string; readonly label: string; readonly pages: readonly PageName[]; readonly admin?: true }> = [
  { href: '/dashboard/', label: 'Live streams', pages: ['streams', 'stream'] },
  { href: '/dashboard/webhooks', label: 'Webhooks', pages: ['webhooks'] },
  { href: '/dashboard/api-keys', label: 'API keys', pages: ['api-keys'] },
  { href: '/dashboard/nodes', label: 'Nodes', pages: ['nodes'], admin: true },
];

function header(page: PageName, who: SignedIn | null): Html {
  if (who === null) return html`<header class="top"><a class="brand" href="/dashboard/">Runnel</a></header>`;
  const links = NAV.filter((n) => n.admin !== true || who.admin).map(
    (n) => html`<li><a href="${n.href}"${n.pages.includes(page) ? html` aria-current="page"` : ''}>${n.label}</a></li>`,
  );
  return html`<header class="top">
  <a class="brand" href="/dashboard/">Runnel</a>
  <nav aria-label="Main"><ul>${links}</ul></nav>
  <div class="account"><span class="email">${who.email}</span> <button type="button" id="sign-out" class="link">Sign out</button></div>
</header>`;
}

/** One confirmation dialog per page (client/common.ts `confirmDialog`): native `<dialog>`, so focus is trapped and Escape cancels. */
const CONFIRM_DIALOG = html`<dialog id="confirm" aria-labelledby="confirm-h" aria-describedby="confirm-text">
  <form method="dialog">
    <h2 id="confirm-h"></h2>
    <p id="confirm-text"></p>
    <div class="actions"><button value="cancel" autofocus>Cancel</button><button value="ok" id="confirm-ok" class="danger"></button></div>
  </form>
</dialog>`;

export function layout(o: { title: string; page: PageName; who: SignedIn | null; body: Html; data?: Record<string, string> }): Html {
  const data = Object.entries(o.data ?? {}).map(([k, v]) => html` data-${k}="${v}"`);
  return html`<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="csrf-token" content="${o.who?.csrfToken ?? ''}">
<title>${o.title} · Runnel</title>
<link rel="icon" href="data:,">
<link rel="stylesheet" href="${ASSETS}/app.css">
<script src="${ASSETS}/app.js" defer></script>
</head>
<body data-page="${o.page}"${data}>
<a class="skip" href="#main">Skip to content</a>
${header(o.page, o.who)}
<main id="main" tabindex="-1">
<div id="flash" role="status" aria-live="polite"></div>
<div id="error" role="alert"></div>
${o.body}
</main>
${o.who === null ? '' : CONFIRM_DIALOG}
</body>
</html>`;
}
