import { isBlockedAddress, parseIpv4, parseIpv6 } from './private-address.ts';

/**
 * Which webhook URLs the control plane will POST to. Checked when an
 * endpoint is created (422 `webhook_url_unsafe`) and again before each
 * delivery (an endpoint stored before a rule existed, or a changed option).
 * A host name is checked here by name only; on Node the delivery also
 * refuses a name that resolves to a blocked address, at connect time
 * (entry/node-webhook-fetch.ts), so DNS rebinding cannot slip past. Workers
 * cannot open connections to private addresses of Cloudflare's network.
 *
 * `allowInsecure` (RUNNEL_WEBHOOK_ALLOW_INSECURE, for the one-machine
 * platform and tests) lifts every rule but the scheme being http(s).
 */

export type UrlProblem = 'malformed' | 'not_https' | 'credentials' | 'blocked_address' | 'internal_name';

/**
 * Names that only mean something inside a network: RFC 6761 `localhost`,
 * `.local` (mDNS, RFC 6762), `.internal` (ICANN reserved for private use,
 * 2024; GCP's metadata.google.internal), `.home.arpa` (RFC 8375),
 * `.localdomain`, `.lan`, `.intranet` (common resolver search suffixes).
 */
const INTERNAL_SUFFIXES = ['localhost', 'local', 'internal', 'home.arpa', 'localdomain', 'lan', 'intranet'];

export const URL_PROBLEM_TEXT: Readonly<Record<UrlProblem, string>> = {
  malformed: 'not a URL',
  not_https: 'webhook URLs must be https',
  credentials: 'webhook URLs must not carry a user or password (the payload is signed instead)',
  blocked_address: 'the host is a loopback, private, link-local or otherwise non-public address',
  internal_name: 'the host is a name that only resolves inside a network (localhost, *.internal, a single label, ...)',
};

function isInternalName(host: string): boolean {
  const name = host.replace(/\.$/, '');
  // A single label ("intranet", "metadata") resolves through search domains to internal hosts.
  if (!name.includes('.')) return true;
  return INTERNAL_SUFFIXES.some((s) => name === s || name.endsWith(`.${s}`));
}

export function webhookUrlProblem(raw: string, opts: { readonly allowInsecure: boolean }): UrlProblem | null {
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    return 'malformed';
  }
  if (url.protocol !== 'https:' && !(opts.allowInsecure && url.protocol === 'http:')) return 'not_https';
  if (opts.allowInsecure) return null;
  if (url.username !== '' || url.password !== '') return 'credentials';
  // WHATWG URL has already turned 0x7f.1, 2130706433 and 127.1 into 127.0.0.1, and brackets IPv6.
  const host = url.hostname.toLowerCase();
  if (parseIpv4(host) !== null || parseIpv6(host) !== null) return isBlockedAddress(host) ? 'blocked_address' : null;
  return isInternalName(host) ? 'internal_name' : null;
}
