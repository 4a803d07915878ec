import { signToken } from '@runnel/shared/signed-token';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { getPlaybackPolicy } from '../services/live-streams.ts';
import { call, harness, newTenant, PLAYBACK_KEY } from '../testing/harness.ts';
import type { Harness } from '../testing/harness.ts';
import { CACHE_STATUS_HEADER, createHlsDelivery } from './delivery.ts';
import type { HlsHandler } from './delivery.ts';
import { MemoryEdgeCache } from './edge-cache.ts';
import { MemoryHlsStorage } from './hls-storage.ts';
import { PolicyCache, POLICY_TTL_MS } from './policy-cache.ts';

/** The delivery route over a real (in-memory libsql) database, the fake storage and, where said, the fake edge cache. */

const OLD_KEY = { kid: 'pk0', secret: 'old-playback-secret-0123456789abcdefgh' };
const SEGMENT = new Uint8Array([0x47, 0x40, 0x00, 0x10, 1, 2, 3]);

let h: Harness;
let key: string;
let storage: MemoryHlsStorage;
let pub: string;
let signed: string;
let signedStreamId: string;

function delivery(opts: { edge?: MemoryEdgeCache; keys?: readonly (typeof PLAYBACK_KEY)[] } = {}): HlsHandler {
  return createHlsDelivery({
    storage,
    policies: new PolicyCache((id) => getPlaybackPolicy(h.db, id), h.clock),
    playbackKeys: opts.keys ?? [PLAYBACK_KEY, OLD_KEY],
    clock: h.clock,
    log: h.log,
    edgeCache: opts.edge,
  });
}

const playlistOf = (id: string) => `#EXTM3U\n#EXT-X-VERSION:3\n#EXT-X-TARGETDURATION:2\n#EXT-X-MEDIA-SEQUENCE:7\n#EXTINF:2.000,\n${id}-7.ts\n#EXTINF:2.000,\n${id}-8.ts\n`;

async function newStream(policy: 'public' | 'signed'): Promise<{ id: string; playbackId: string }> {
  const r = await call(h, 'POST', '/v1/live-streams', { auth: key, body: { name: policy, playback_policy: policy } });
  return { id: r.json.data.id, playbackId: r.json.data.playback_ids[0].id };
}

async function issuedToken(): Promise<string> {
  const r = await call(h, 'POST', `/v1/live-streams/${signedStreamId}/playback-tokens`, { auth: key, body: { expires_in_s: 600 } });
  expect(r.status).toBe(201);
  return r.json.data.token;
}

const problem = (r: Response) => r.json() as Promise<{ code: string; status: number; detail: string }>;
const get = (serve: HlsHandler, path: string, method = 'GET') => serve(new Request(`https://cp.example.com${path}`, { method })).then((r) => r!);

beforeEach(async () => {
  h = await harness();
  key = (await newTenant(h)).key;
  storage = new MemoryHlsStorage();
  pub = (await newStream('public')).playbackId;
  const s = await newStream('signed');
  signed = s.playbackId;
  signedStreamId = s.id;
  for (const id of [pub, signed]) {
    storage.put(`live/${id}.m3u8`, playlistOf(id));
    storage.put(`live/${id}-7.ts`, SEGMENT);
  }
});
afterEach(() => h.close());

describe('GET /hls/{playback_id}/... for a public playback id', () => {
  it('serves the playlist untouched and short-lived, the segment immutable, with CORS and no token', async () => {
    const serve = delivery();
    const playlist = await get(serve, `/hls/${pub}/index.m3u8`);
    expect(playlist.status).toBe(200);
    expect(await playlist.text()).toBe(playlistOf(pub));
    expect(playlist.headers.get('content-type')).toBe('application/vnd.apple.mpegurl');
    expect(playlist.headers.get('cache-control')).toBe('public, max-age=1');
    expect(playlist.headers.get('access-control-allow-origin')).toBe('*');
    const seg = await get(serve, `/hls/${pub}/${pub}-7.ts`);
    expect(new Uint8Array(await seg.arrayBuffer())).toEqual(SEGMENT);
    expect(seg.headers.get('content-type')).toBe('video/mp2t');
    expect(seg.headers.get('content-length')).toBe(String(SEGMENT.byteLength));
    expect(seg.headers.get('cache-control')).toBe('public, max-age=31536000, immutable');
  });

  it('answers HEAD with the headers and no body (a signed playlist with the length of its rewritten text)', async () => {
    const r = await get(delivery(), `/hls/${pub}/${pub}-7.ts`, 'HEAD');
    expect(r.status).toBe(200);
    expect(r.headers.get('content-length')).toBe(String(SEGMENT.byteLength));
    expect(await r.text()).toBe('');
    const token = await issuedToken();
    const head = await get(delivery(), `/hls/${signed}/index.m3u8?token=${token}`, 'HEAD');
    const full = await (await get(delivery(), `/hls/${signed}/index.m3u8?token=${token}`)).text();
    expect(head.headers.get('content-length')).toBe(String(new TextEncoder().encode(full).byteLength));
    expect(await head.text()).toBe('');
  });

  it.each([
    ['an unknown playback id', '/hls/nosuchid00/index.m3u8'],
    ['a missing segment', '/hls/PUB/PUB-9.ts'],
    ['a segment of another playback id', '/hls/PUB/SIGNED-7.ts'],
    ['an encoded path outside the two shapes', '/hls/PUB/..%2f..%2fPUB.m3u8'],
    ['a nested path', '/hls/PUB/a/index.m3u8'],
  ])('answers 404 problem JSON for %s', async (_name, path) => {
    const r = await get(delivery(), path.replaceAll('PUB', pub).replaceAll('SIGNED', signed));
    expect(r.status).toBe(404);
    expect(r.headers.get('content-type')).toBe('application/problem+json');
    expect((await problem(r)).code).toBe('not_found');
    expect(r.headers.get('cache-control')).toBe('no-store');
  });

  it('answers a storage failure with 500 problem JSON, logged and not cached', async () => {
    storage.get = () => Promise.reject(new Error('bucket unreachable'));
    const r = await get(delivery(), `/hls/${pub}/index.m3u8`);
    expect(r.status).toBe(500);
    expect((await problem(r)).code).toBe('internal');
    expect(r.headers.get('cache-control')).toBe('no-store');
    expect(h.log.lines).toContainEqual(expect.objectContaining({ level: 'error', msg: 'hls delivery failed' }));
  });

  it('answers 404 for other methods and leaves other paths to the app', async () => {
    expect((await get(delivery(), `/hls/${pub}/index.m3u8`, 'DELETE')).status).toBe(404);
    expect(await delivery()(new Request('https://cp.example.com/v1/live-streams'))).toBeNull();
  });
});

describe('GET /hls/{playback_id}/... for a signed playback id', () => {
  it('refuses without a token: 401 playback_token_required, not cacheable', async () => {
    for (const path of [`/hls/${signed}/index.m3u8`, `/hls/${signed}/${signed}-7.ts`, `/hls/${signed}/index.m3u8?token=`]) {
      const r = await get(delivery(), path);
      expect(r.status).toBe(401);
      expect(await problem(r)).toMatchObject({ code: 'playback_token_required', status: 401 });
      expect(r.headers.get('cache-control')).toBe('no-store');
    }
  });

  it('serves with a token issued by /v1, and rewrites the playlist so every segment URL carries it', async () => {
    const token = await issuedToken();
    const r = await get(delivery(), `/hls/${signed}/index.m3u8?token=${token}`);
    expect(r.status).toBe(200);
    expect(r.headers.get('cache-control')).toBe('private, max-age=1');
    const lines = (await r.text()).split('\n');
    expect(lines.filter((l) => l.endsWith('.ts') || l.includes('.ts?'))).toEqual([`${signed}-7.ts?token=${token}`, `${signed}-8.ts?token=${token}`]);
    expect(lines.filter((l) => l.startsWith('#'))).toEqual(playlistOf(signed).split('\n').filter((l) => l.startsWith('#')));
    // The rewritten segment URL, resolved as a player does, is served.
    const segUrl = new URL(`${signed}-7.ts?token=${token}`, `https://cp.example.com/hls/${signed}/index.m3u8?token=${token}`);
    const seg = await get(delivery(), segUrl.pathname + segUrl.search);
    expect(seg.status).toBe(200);
    expect(new Uint8Array(await seg.arrayBuffer())).toEqual(SEGMENT);
    expect(seg.headers.get('cache-control')).toBe('private, max-age=31536000, immutable');
  });

  it('refuses with 403 playback_token_invalid a token that is tampered, for another id, expired, or signed by a key no longer listed', async () => {
    const token = await issuedToken();
    const nowS = Math.floor(h.clock.now() / 1000);
    const other = await signToken({ sub: pub, aud: 'play', exp: nowS + 600 }, PLAYBACK_KEY);
    const publish = await signToken({ sub: signed, aud: 'publish', exp: nowS + 600 }, PLAYBACK_KEY);
    const cases: Array<[string, string, string]> = [
      ['tampered', `${token.slice(0, -2)}${token.endsWith('AA') ? 'BB' : 'AA'}`, 'bad_signature'],
      ['garbage', 'not-a-token', 'malformed'],
      ['other playback id', other, 'wrong_subject'],
      ['publish audience', publish, 'wrong_audience'],
    ];
    for (const [, t, reason] of cases) {
      const r = await get(delivery(), `/hls/${signed}/${signed}-7.ts?token=${encodeURIComponent(t)}`);
      expect(r.status).toBe(403);
      const body = await problem(r);
      expect(body.code).toBe('playback_token_invalid');
      expect(body.detail).toContain(reason);
    }
    // Rotation: the old key verifies while listed, not after it was dropped.
    const old = await signToken({ sub: signed, aud: 'play', exp: nowS + 600 }, OLD_KEY);
    expect((await get(delivery(), `/hls/${signed}/${signed}-7.ts?token=${old}`)).status).toBe(200);
    const dropped = await get(delivery({ keys: [PLAYBACK_KEY] }), `/hls/${signed}/${signed}-7.ts?token=${old}`);
    expect(dropped.status).toBe(403);
    expect((await problem(dropped)).detail).toContain('unknown_kid');
    // Expiry (600 s, plus the verifier's clock skew allowance).
    h.clock.advance(700_000);
    const expired = await get(delivery(), `/hls/${signed}/${signed}-7.ts?token=${token}`);
    expect(expired.status).toBe(403);
    expect((await problem(expired)).detail).toContain('expired');
  });
});

describe('the edge cache in front of the storage', () => {
  it('keeps one public copy per object without the query, and answers the next request from it', async () => {
    const edge = new MemoryEdgeCache();
    const serve = delivery({ edge });
    const first = await get(serve, `/hls/${pub}/${pub}-7.ts?x=1`);
    expect(first.headers.get(CACHE_STATUS_HEADER)).toBe('MISS');
    expect(new Uint8Array(await first.arrayBuffer())).toEqual(SEGMENT);
    const reads = storage.reads;
    const second = await get(serve, `/hls/${pub}/${pub}-7.ts`);
    expect(second.headers.get(CACHE_STATUS_HEADER)).toBe('HIT');
    expect(new Uint8Array(await second.arrayBuffer())).toEqual(SEGMENT);
    expect(storage.reads).toBe(reads);
    expect([...edge.stored.keys()]).toEqual([`https://cp.example.com/hls/${pub}/${pub}-7.ts`]);
    expect(edge.stored.get(`https://cp.example.com/hls/${pub}/${pub}-7.ts`)?.headers.get('cache-control')).toBe('public, max-age=31536000, immutable');
  });

  it('checks the token before the cache: a cached signed object is refused without a token, and each viewer gets a playlist with their own token', async () => {
    const edge = new MemoryEdgeCache();
    const serve = delivery({ edge });
    const a = await issuedToken();
    h.clock.advance(1000);
    const b = await issuedToken();
    expect(a).not.toBe(b);
    const first = await get(serve, `/hls/${signed}/index.m3u8?token=${a}`);
    expect(first.headers.get(CACHE_STATUS_HEADER)).toBe('MISS');
    expect(await first.text()).toContain(`${signed}-7.ts?token=${a}`);
    const second = await get(serve, `/hls/${signed}/index.m3u8?token=${b}`);
    expect(second.headers.get(CACHE_STATUS_HEADER)).toBe('HIT');
    const text = await second.text();
    expect(text).toContain(`${signed}-7.ts?token=${b}`);
    expect(text).not.toContain(a);
    // What the cache holds is the stored playlist, with no token in it.
    expect(new TextDecoder().decode(edge.stored.get(`https://cp.example.com/hls/${signed}/index.m3u8`)?.body)).toBe(playlistOf(signed));
    expect((await get(serve, `/hls/${signed}/index.m3u8`)).status).toBe(401);
  });
});

describe('PolicyCache', () => {
  it('reads the database once per playback id per TTL, unknown ids included', async () => {
    const asked: string[] = [];
    const cache = new PolicyCache(async (id) => {
      asked.push(id);
      return id === 'a' ? 'signed' : null;
    }, h.clock);
    expect(await cache.get('a')).toBe('signed');
    expect(await cache.get('a')).toBe('signed');
    expect(await cache.get('zz')).toBeNull();
    expect(await cache.get('zz')).toBeNull();
    expect(asked).toEqual(['a', 'zz']);
    h.clock.advance(POLICY_TTL_MS);
    await cache.get('a');
    expect(asked).toEqual(['a', 'zz', 'a']);
  });

  it('sees a policy change of a stream after the TTL', async () => {
    const serve = delivery();
    expect((await get(serve, `/hls/${pub}/index.m3u8`)).status).toBe(200);
    const streamId = (await call(h, 'GET', '/v1/live-streams', { auth: key })).json.data.find((s: { playback_ids: { id: string }[] }) => s.playback_ids[0].id === pub).id;
    expect((await call(h, 'PATCH', `/v1/live-streams/${streamId}`, { auth: key, body: { playback_policy: 'signed' } })).status).toBe(200);
    h.clock.advance(POLICY_TTL_MS);
    expect((await get(serve, `/hls/${pub}/index.m3u8`)).status).toBe(401);
  });
});
