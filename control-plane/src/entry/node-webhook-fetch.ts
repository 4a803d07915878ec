import { lookup as dnsLookup } from 'node:dns';
import type { LookupAddress, LookupOptions } from 'node:dns';
import { request as httpRequest } from 'node:http';
import { request as httpsRequest } from 'node:https';
import type { LookupFunction } from 'node:net';
import type { WebhookFetch } from '../webhooks/dispatcher.ts';
import { isBlockedAddress } from '../webhooks/private-address.ts';

/**
 * Webhook deliveries on Node, refusing private addresses where it matters:
 * in the DNS lookup of the very connection that sends the request. Checking
 * a name first and connecting after would resolve it twice, and a name
 * that answers a public address, then 127.0.0.1 (DNS rebinding) would get
 * through. An IP literal is never looked up by Node; the URL check
 * (webhooks/url-safety.ts) has already refused the blocked ones.
 */

/** Node's dns.lookup signature, injectable so a test can play a rebinding resolver. */
export type Resolve = (hostname: string, options: LookupOptions & { all: true }, cb: (err: NodeJS.ErrnoException | null, addresses: LookupAddress[]) => void) => void;

const systemResolve: Resolve = (hostname, options, cb) => dnsLookup(hostname, options, cb);

export class UnsafeAddressError extends Error {
  readonly code = 'EUNSAFEADDR';

  constructor(hostname: string, address: string) {
    super(`webhook_url_unsafe: ${hostname} resolves to ${address}, a non-public address`);
    this.name = 'UnsafeAddressError';
  }
}

/** A `net` lookup that fails when any address of the name is blocked (one bad answer is enough to refuse). */
export function guardedLookup(resolve: Resolve): LookupFunction {
  return (hostname, options, callback) => {
    resolve(hostname, { family: options.family, hints: options.hints, all: true }, (err, addresses) => {
      if (err !== null) return callback(err, '', 4);
      const bad = addresses.find((a) => isBlockedAddress(a.address));
      if (bad !== undefined) return callback(new UnsafeAddressError(hostname, bad.address), '', 4);
      if (addresses.length === 0) return callback(Object.assign(new Error(`no address for ${hostname}`), { code: 'ENOTFOUND' }), '', 4);
      // net asks for all addresses when it races IPv4 and IPv6 (autoSelectFamily).
      if (options.all === true) return (callback as unknown as (e: null, a: LookupAddress[]) => void)(null, addresses);
      callback(null, addresses[0].address, addresses[0].family);
    });
  };
}

/** `allowPrivate` (RUNNEL_WEBHOOK_ALLOW_INSECURE) skips the address check: the local platform's receivers are on 127.0.0.1. */
export function nodeWebhookFetch(opts: { readonly allowPrivate: boolean; readonly resolve?: Resolve }): WebhookFetch {
  const lookup = opts.allowPrivate ? undefined : guardedLookup(opts.resolve ?? systemResolve);
  return (url, req) =>
    new Promise((resolvePromise, reject) => {
      const target = new URL(url);
      const send = target.protocol === 'https:' ? httpsRequest : httpRequest;
      const body = Buffer.from(req.body, 'utf8');
      const r = send(target, { method: 'POST', headers: { ...req.headers, 'content-length': String(body.byteLength) }, lookup, signal: req.signal }, (res) => {
        // Redirects are not followed (node:http never does); the body is not read.
        res.resume();
        resolvePromise({ status: res.statusCode ?? 0 });
      });
      r.on('error', reject);
      r.end(body);
    });
}
