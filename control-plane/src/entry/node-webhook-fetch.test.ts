import { createServer } from 'node:http';
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { guardedLookup, nodeWebhookFetch, UnsafeAddressError } from './node-webhook-fetch.ts';
import type { Resolve } from './node-webhook-fetch.ts';

/** A receiver on 127.0.0.1 that counts what reaches it, and resolvers that answer what a test says. */

let server: Server;
let port: number;
const got: { url: string; body: string; length: string | undefined }[] = [];
beforeAll(async () => {
  server = createServer((req, res) => {
    let body = '';
    req.on('data', (c: Buffer) => (body += c.toString('utf8')));
    req.on('end', () => {
      got.push({ url: req.url ?? '', body, length: req.headers['content-length'] });
      res.writeHead(req.url === '/moved' ? 302 : 200, { location: 'http://127.0.0.1:1/' }).end('ignored');
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  port = (server.address() as AddressInfo).port;
});
afterAll(async () => {
  server.closeAllConnections();
  await new Promise<void>((resolve) => server.close(() => resolve()));
});

function resolverOf(answers: readonly string[]): Resolve & { calls: number } {
  const r = Object.assign(
    ((_host, _opts, cb) => {
      r.calls += 1;
      setImmediate(() => cb(null, answers.map((address) => ({ address, family: address.includes(':') ? 6 : 4 }))));
    }) as Resolve,
    { calls: 0 },
  );
  return r;
}

const post = (body = '{"a":1}') => ({ headers: { 'content-type': 'application/json' }, body, signal: AbortSignal.timeout(2000) });

describe('nodeWebhookFetch', () => {
  it('refuses a name that resolves to a private address in the lookup of the connection itself (one lookup, nothing sent)', async () => {
    const rebinding = resolverOf(['127.0.0.1']);
    const fetch = nodeWebhookFetch({ allowPrivate: false, resolve: rebinding });
    const before = got.length;
    await expect(fetch(`http://hooks.example.com:${port}/x`, post())).rejects.toBeInstanceOf(UnsafeAddressError);
    expect(rebinding.calls).toBe(1);
    expect(got).toHaveLength(before);
  });

  it('refuses localhost through the system resolver', async () => {
    await expect(nodeWebhookFetch({ allowPrivate: false })(`http://localhost:${port}/x`, post())).rejects.toThrow(/webhook_url_unsafe/);
  });

  it('sends to private addresses when allowed, with a content-length, and answers redirects without following them', async () => {
    const fetch = nodeWebhookFetch({ allowPrivate: true });
    expect(await fetch(`http://localhost:${port}/ok`, post('{"é":1}'))).toEqual({ status: 200 });
    expect(got.at(-1)).toEqual({ url: '/ok', body: '{"é":1}', length: '8' });
    const n = got.length;
    expect(await fetch(`http://127.0.0.1:${port}/moved`, post())).toEqual({ status: 302 });
    expect(got).toHaveLength(n + 1);
  });
});

describe('guardedLookup', () => {
  const lookup = (answers: readonly string[], all: boolean) =>
    new Promise<unknown>((resolve, reject) => {
      guardedLookup(resolverOf(answers))('hooks.example.com', { all }, (err: Error | null, address: unknown, family?: number) =>
        err === null ? resolve(all ? address : { address, family }) : reject(err),
      );
    });

  it('passes public answers through in both lookup shapes', async () => {
    expect(await lookup(['93.184.215.14'], false)).toEqual({ address: '93.184.215.14', family: 4 });
    expect(await lookup(['93.184.215.14', '2606:2800:21f:cb07:6820:80da:af6b:8b2c'], true)).toHaveLength(2);
  });

  it.each([[['93.184.215.14', '10.0.0.1']], [['::ffff:169.254.169.254']], [['fd00::1']]])('refuses when any answer is blocked: %j', async (answers) => {
    await expect(lookup(answers, true)).rejects.toBeInstanceOf(UnsafeAddressError);
  });
});
