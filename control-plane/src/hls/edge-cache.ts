/**
 * The edge cache the Worker puts in front of the bucket: the part of the
 * Cache API (`caches.default`) the delivery route uses. Keys are GET
 * requests; a put response's `Cache-Control` says how long it is kept.
 * https://developers.cloudflare.com/workers/runtime-apis/cache/
 */
export interface EdgeCache {
  match(key: Request): Promise<Response | undefined>;
  put(key: Request, res: Response): Promise<void>;
}

/** The fake: keeps every put forever (enough to prove hits and what was stored). */
export class MemoryEdgeCache implements EdgeCache {
  readonly stored = new Map<string, { body: Uint8Array; headers: Headers }>();

  async match(key: Request): Promise<Response | undefined> {
    const e = this.stored.get(key.url);
    return e === undefined ? undefined : new Response(e.body.slice(), { headers: e.headers });
  }

  async put(key: Request, res: Response): Promise<void> {
    this.stored.set(key.url, { body: new Uint8Array(await res.arrayBuffer()), headers: new Headers(res.headers) });
  }
}
