import { describe, expect, it } from 'vitest';
import { test as fcTest, fc } from '@fast-check/vitest';
import { ProtocolError } from '@runnel/shared';
import { MemoryStore } from '../memory-store.ts';
import type { PutOptions } from '../storage.ts';
import { playlistNames } from './object-kinds.ts';
import { MemorySpoolFiles, type SpoolRecord } from './spool-files.ts';
import { SpoolingStore, type SpoolingStoreOptions } from './spooling-store.ts';

const TS: PutOptions = { contentType: 'video/mp2t', cacheControl: 'public, max-age=31536000, immutable' };
const M3U8: PutOptions = { contentType: 'application/vnd.apple.mpegurl', cacheControl: 'public, max-age=1' };
const PLAYLIST = 'live/s.m3u8';
const seg = (n: number) => `live/s-${n}.ts`;
const playlist = (seqs: readonly number[]) =>
  new TextEncoder().encode(['#EXTM3U', `#EXT-X-MEDIA-SEQUENCE:${seqs[0] ?? 0}`, ...seqs.flatMap((n) => ['#EXTINF:2.000,', `s-${n}.ts`]), ''].join('\n'));
const SEG_BYTES = 1000;
const segBytes = (n: number) => new Uint8Array(SEG_BYTES).fill(n & 0xff);

/**
 * The bucket: a MemoryStore that can be down (`down`), and that records a
 * violation whenever a playlist arrives naming an object it does not hold,
 * or an object is deleted while the current playlist names it. These are the
 * two things a CDN reader must never see.
 */
class Bucket extends MemoryStore {
  down = false;
  readonly violations: string[] = [];
  attempts = 0;

  constructor() {
    super();
    this.failWhen = () => this.down;
  }

  override async put(key: string, bytes: Uint8Array, options: PutOptions): Promise<void> {
    this.attempts++;
    await super.put(key, bytes, options);
    if (!key.endsWith('.m3u8')) return;
    for (const name of playlistNames(bytes)) {
      if (!this.objects.has(`live/${name}`)) this.violations.push(`${key} names ${name}, which is not stored`);
    }
  }

  override async delete(key: string): Promise<void> {
    this.attempts++;
    await super.delete(key);
    const current = this.objects.get(PLAYLIST);
    if (current !== undefined && playlistNames(current.bytes).has(key.slice('live/'.length))) {
      this.violations.push(`${key} deleted while ${PLAYLIST} names it`);
    }
  }

  /** Sequence numbers the stored playlist names. */
  listed(): number[] {
    const o = this.objects.get(PLAYLIST);
    return o === undefined ? [] : [...playlistNames(o.bytes)].map((n) => Number(/(\d+)/.exec(n)![1]));
  }
}

/** Spool files that also check the byte cap is never exceeded. */
class CheckedFiles extends MemorySpoolFiles {
  maxSeen = 0;
  override async write(id: number, record: SpoolRecord, bytes: Uint8Array): Promise<void> {
    await super.write(id, record, bytes);
    const total = [...this.files.values()].reduce((n, f) => n + f.bytes.length, 0);
    this.maxSeen = Math.max(this.maxSeen, total);
  }
}

function rig(opts: Partial<SpoolingStoreOptions> = {}) {
  const bucket = new Bucket();
  const files = new CheckedFiles();
  const logs: string[] = [];
  const keysLogged: Record<string, string[]> = {};
  const record = (e: string, fields?: { readonly [k: string]: unknown }) => {
    logs.push(e);
    if (typeof fields?.key === 'string') (keysLogged[e] ??= []).push(fields.key);
  };
  const log = { info: record, warn: record };
  const open = () =>
    SpoolingStore.open({ inner: bucket, files, maxSpoolBytes: 1 << 20, backoff: { baseMs: 1, maxMs: 4 }, random: () => 0.5, log, ...opts });
  return { bucket, files, logs, keysLogged, open };
}

/** Waits until `cond` holds (the store acts on timers and promises). */
async function until(cond: () => boolean, ms = 2000): Promise<void> {
  const end = Date.now() + ms;
  while (!cond()) {
    if (Date.now() > end) throw new Error('condition not reached');
    await sleep(1);
  }
}

/** Takes the bucket down and waits until the store has noticed (a failed upload). */
async function outage(store: SpoolingStore, bucket: Bucket, w: Writer): Promise<void> {
  bucket.down = true;
  await w.segment();
  await until(() => store.stats.degraded);
}

/**
 * Writes like the HLS segmenter: a segment, once its put resolved the
 * playlist of the last `window`, then deletes of segments `lag` positions out
 * of the window. A failed segment put leaves it out and reuses its number.
 */
class Writer {
  readonly listed: number[] = [];
  readonly refused: number[] = [];
  /** Every playlist version written, as the sequence numbers it names. */
  readonly versions: number[][] = [];
  private seq = 0;
  private readonly store: SpoolingStore;
  private readonly window: number;
  private readonly lag: number;

  constructor(store: SpoolingStore, window = 3, lag = 1) {
    this.store = store;
    this.window = window;
    this.lag = lag;
  }

  async segment(): Promise<void> {
    const n = this.seq;
    try {
      await this.store.put(seg(n), segBytes(n), TS);
    } catch (e) {
      expect(e).toBeInstanceOf(ProtocolError);
      this.refused.push(n);
      return;
    }
    this.seq++;
    this.listed.push(n);
    const win = this.listed.slice(-this.window);
    this.versions.push(win);
    await this.store.put(PLAYLIST, playlist(win), M3U8);
    const gone = this.listed.length - this.window - 1 - this.lag; // left the window `lag` segments ago
    if (gone >= 0) await this.store.delete(seg(this.listed[gone]!));
  }

  async segments(n: number): Promise<void> {
    for (let i = 0; i < n; i++) await this.segment();
  }
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

describe('SpoolingStore while the bucket is up', () => {
  it('uploads with the caller’s headers, in order, without touching the spool', async () => {
    const { bucket, files, open } = rig();
    const store = await open();
    const w = new Writer(store);
    await w.segments(5);
    await store.drained();
    expect(bucket.log.filter((l) => l.startsWith('put live/s-')).map((l) => l.slice(4))).toEqual([0, 1, 2, 3, 4].map(seg));
    expect(bucket.objects.get(seg(4))).toMatchObject({ contentType: 'video/mp2t', cacheControl: TS.cacheControl });
    expect(bucket.objects.get(PLAYLIST)).toMatchObject({ contentType: M3U8.contentType, cacheControl: 'public, max-age=1' });
    expect(bucket.listed()).toEqual([2, 3, 4]);
    expect(bucket.objects.has(seg(0))).toBe(false); // left the window two segments ago: deleted
    expect(bucket.objects.has(seg(1))).toBe(true); // left it one segment ago: kept (lag)
    expect(files.maxSeen).toBe(0);
    expect(bucket.violations).toEqual([]);
    expect(store.stats).toMatchObject({ queued: 0, memoryBytes: 0, spoolBytes: 0, retries: 0, degraded: false });
  });

  it('acknowledges a put before the upload while memory allows, and spools past maxMemoryBytes', async () => {
    const { bucket, files, open } = rig({ maxMemoryBytes: 2 * SEG_BYTES });
    const store = await open();
    bucket.hold(); // slow: nothing completes
    await store.put(seg(0), segBytes(0), TS);
    await store.put(seg(1), segBytes(1), TS);
    expect(store.stats.memoryBytes).toBe(2 * SEG_BYTES);
    expect(files.files.size).toBe(0);
    await store.put(seg(2), segBytes(2), TS);
    expect(store.stats.memoryBytes).toBe(2 * SEG_BYTES);
    expect(files.files.size).toBe(1);
    bucket.release();
    await store.drained();
    expect([0, 1, 2].every((n) => bucket.objects.has(seg(n)))).toBe(true);
    expect(files.files.size).toBe(0);
    expect(store.stats).toMatchObject({ memoryBytes: 0, spoolBytes: 0, uploaded: 3 });
  });

  it('uploads independent segments in parallel, up to maxInFlight', async () => {
    const { bucket, open } = rig({ maxInFlight: 3 });
    const store = await open();
    bucket.hold();
    for (let n = 0; n < 5; n++) await store.put(seg(n), segBytes(n), TS);
    await sleep(5);
    expect(bucket.waiting).toBe(3);
    bucket.release();
    await store.drained();
    expect(store.stats.uploaded).toBe(5);
  });

  it('holds a playlist until every earlier put of a segment it names is uploaded', async () => {
    const { bucket, open } = rig({ maxInFlight: 4 });
    const store = await open();
    bucket.hold();
    await store.put(seg(0), segBytes(0), TS);
    await store.put(seg(1), segBytes(1), TS);
    await store.put(PLAYLIST, playlist([0, 1]), M3U8);
    await sleep(5);
    expect(bucket.waiting).toBe(2); // the two segments, not the playlist
    bucket.release();
    await store.drained();
    expect(bucket.log).toEqual(['put live/s-0.ts', 'put live/s-1.ts', `put ${PLAYLIST}`]);
    expect(bucket.violations).toEqual([]);
  });
});

describe('SpoolingStore through an outage', () => {
  it('spools while the bucket is down, retries with backoff, and uploads everything in order when it is back', async () => {
    const { bucket, files, logs, open } = rig();
    const store = await open();
    const w = new Writer(store, 30);
    await w.segments(2);
    await store.drained();
    bucket.down = true;
    await w.segments(10); // every put resolves: the objects are in the spool
    expect(w.refused).toEqual([]);
    await sleep(30);
    expect(store.stats.degraded).toBe(true);
    expect(files.files.size).toBeGreaterThan(0);
    expect(bucket.listed()).toEqual([0, 1]); // the bucket's playlist lags, naming what it has
    const attemptsWhileDown = bucket.attempts;
    await sleep(30);
    // one probe at a time, at most every 4 ms (maxMs), not a retry storm
    expect(bucket.attempts - attemptsWhileDown).toBeLessThanOrEqual(30 / 2 + 1);
    bucket.down = false;
    await store.drained();
    expect(bucket.listed()).toEqual(w.listed);
    for (const n of w.listed) expect(bucket.objects.has(seg(n))).toBe(true);
    const segmentPuts = bucket.log.filter((l) => l.startsWith('put live/s-')).map((l) => l.slice(4));
    expect(segmentPuts).toEqual(w.listed.map(seg));
    expect(bucket.violations).toEqual([]);
    expect(files.files.size).toBe(0);
    expect(store.stats).toMatchObject({ degraded: false, spoolBytes: 0, evicted: 0, withheld: 0 });
    expect(store.stats.retries).toBeGreaterThan(0);
    expect(store.stats.superseded).toBeGreaterThan(0); // the playlist versions written while down went up once
    expect(logs).toContain('storage_degraded');
    expect(logs).toContain('storage_recovered');
  });

  it('keeps deletes from removing what the bucket’s playlist still names', async () => {
    const { bucket, open } = rig();
    const store = await open();
    const w = new Writer(store, 3, 0);
    await w.segments(3);
    await store.drained();
    bucket.down = true;
    await w.segments(6); // versions [1,2,3] .. [6,7,8]; deletes of 0 .. 5
    bucket.down = false;
    await store.drained();
    expect(bucket.violations).toEqual([]);
    expect(bucket.listed()).toEqual([6, 7, 8]);
    expect([...bucket.objects.keys()].filter((k) => k.endsWith('.ts')).sort()).toEqual([6, 7, 8].map(seg).sort());
    expect(store.stats.deferredDeletes).toBe(0);
  });

  it('a dispose that deletes segments before their playlist deletes the playlist first in the bucket', async () => {
    const { bucket, open } = rig();
    const store = await open();
    const w = new Writer(store, 3, 0);
    await w.segments(3);
    await store.drained();
    for (const n of [0, 1, 2]) await store.delete(seg(n)); // SRS hls_dispose order
    await store.delete(PLAYLIST);
    await store.drained();
    await sleep(5);
    expect(bucket.violations).toEqual([]);
    expect(bucket.objects.size).toBe(0);
    expect(bucket.log.slice(-4)[0]).toBe(`delete ${PLAYLIST}`);
  });
});

describe('SpoolingStore with a full spool', () => {
  it('drops the oldest segments first, counts and logs them, and never uploads a playlist that names one', async () => {
    const { bucket, files, logs, keysLogged, open } = rig({ maxSpoolBytes: 5 * SEG_BYTES + 2000 });
    const store = await open();
    const w = new Writer(store, 3, 1);
    await w.segments(2);
    await store.drained();
    bucket.down = true;
    await w.segments(14);
    expect(w.refused).toEqual([]); // the caller never sees the outage
    expect(files.maxSeen).toBeLessThanOrEqual(5 * SEG_BYTES + 2000);
    expect(store.stats.evicted).toBeGreaterThan(0);
    expect(logs).toContain('storage_spool_evicted');
    bucket.down = false;
    await store.drained();
    expect(bucket.violations).toEqual([]);
    // oldest first: every evicted segment is older than every outage segment that reached the bucket after the probe
    const evicted = keysLogged.storage_spool_evicted!.map((k) => Number(/(\d+)/.exec(k)![1]));
    expect(evicted).toEqual([...evicted].sort((a, b) => a - b));
    const uploaded = bucket.log.filter((l) => l.startsWith('put live/s-')).map((l) => Number(/(\d+)/.exec(l)![1]));
    expect(Math.max(...evicted)).toBeLessThan(Math.max(...uploaded));
    expect(uploaded.slice(-5)).toEqual(w.listed.slice(-5));
    // the newest segments survived, and the bucket's playlist is the writer's last one
    expect(bucket.listed()).toEqual(w.listed.slice(-3));
    expect(store.stats.spoolBytes).toBe(0);
  });

  it('withholds playlist versions that name an evicted segment, until the window slides past it', async () => {
    const { bucket, open } = rig({ maxSpoolBytes: 2 * SEG_BYTES + 1000 });
    const store = await open();
    const w = new Writer(store, 3, 1);
    await w.segments(1);
    await store.drained();
    await outage(store, bucket, w); // seg 1, the probe
    await w.segments(3); // a spool of two segments: seg 2 is evicted for seg 4
    expect(store.stats.evicted).toBeGreaterThan(0);
    bucket.down = false;
    await store.drained();
    // the last version [2,3,4] names the evicted seg 2: the bucket keeps an older one
    expect(store.stats.withheld).toBeGreaterThan(0);
    expect(w.versions.slice(0, -1)).toContainEqual(bucket.listed());
    expect(bucket.objects.has(seg(2))).toBe(false);
    await w.segments(1); // [3,4,5]
    await store.drained();
    expect(bucket.listed()).toEqual([3, 4, 5]);
    expect(bucket.violations).toEqual([]);
  });

  it('refuses a put that cannot fit at all; the caller leaves it out', async () => {
    const { open } = rig({ maxSpoolBytes: SEG_BYTES / 2, maxMemoryBytes: 0 });
    const store = await open();
    await expect(store.put(seg(0), segBytes(0), TS)).rejects.toMatchObject({ code: 'storage_spool_full' });
    expect(store.stats).toMatchObject({ rejected: 1, queued: 0, spoolBytes: 0 });
  });

  it('keeps an object in memory when the spool cannot be written, within the memory bound', async () => {
    const { bucket, files, open } = rig({ maxMemoryBytes: 2 * SEG_BYTES + 500 });
    const store = await open();
    const w = new Writer(store, 30);
    await outage(store, bucket, w); // seg 0 and its playlist in memory, failing
    files.failWrites = true;
    await store.put(seg(1), segBytes(1), TS); // the spool fails: memory, which has room for one
    await expect(store.put(seg(2), segBytes(2), TS)).rejects.toMatchObject({ code: 'storage_spool_full' });
    expect(store.stats.memoryBytes).toBeLessThanOrEqual(2 * SEG_BYTES + 200);
    bucket.down = false;
    await store.drained();
    expect([0, 1, 2].map((n) => bucket.objects.has(seg(n)))).toEqual([true, true, false]);
  });
});

describe('SpoolingStore failures that retrying cannot fix', () => {
  it('drops an object the bucket refuses for good, without retrying it; playlists naming it wait for its re-put', async () => {
    const { bucket, open } = rig();
    const store = await open();
    let refuse = true;
    bucket.failWhen = (op, key) => bucket.down || (refuse && op === 'put' && key === seg(1));
    const plainFail = bucket.put.bind(bucket);
    bucket.put = async (key, bytes, options) => {
      try {
        await plainFail(key, bytes, options);
      } catch (e) {
        if (!bucket.down) throw new ProtocolError('storage_rejected', (e as Error).message);
        throw e;
      }
    };
    const w = new Writer(store, 3);
    await w.segments(3); // seg 1 acknowledged (memory), then refused by the bucket
    await store.drained();
    expect(store.stats).toMatchObject({ failed: 1, retries: 0 });
    expect(bucket.listed()).toEqual([0]); // [0,1] and [0,1,2] name the lost seg 1
    refuse = false;
    await store.put(seg(1), segBytes(1), TS);
    await store.put(PLAYLIST, playlist([0, 1, 2]), M3U8);
    await store.drained();
    expect(bucket.listed()).toEqual([0, 1, 2]);
    expect(bucket.violations).toEqual([]);
  });

  it('rejects bad keys like every store, and everything after close', async () => {
    const { open } = rig();
    const store = await open();
    await expect(store.put('../x.ts', segBytes(0), TS)).rejects.toMatchObject({ code: 'storage_bad_key' });
    await expect(store.delete('a//b')).rejects.toMatchObject({ code: 'storage_bad_key' });
    await store.close(100);
    await expect(store.put(seg(0), segBytes(0), TS)).rejects.toMatchObject({ code: 'storage_closed' });
  });
});

describe('SpoolingStore across a restart', () => {
  it('close keeps what is not uploaded in the spool, and the next open uploads it in order', async () => {
    const { bucket, files, open } = rig({ maxMemoryBytes: 4 * SEG_BYTES });
    const first = await open();
    const w = new Writer(first, 30);
    bucket.hold();
    await w.segments(2); // in memory, waiting for a slow bucket
    bucket.down = true;
    bucket.release();
    await w.segments(2);
    await first.close(20);
    expect(files.files.size).toBeGreaterThanOrEqual(4); // the segments, written out at close
    bucket.down = false;
    const second = await open();
    await second.drained();
    expect(bucket.listed()).toEqual([0, 1, 2, 3]);
    expect(bucket.violations).toEqual([]);
    expect(files.files.size).toBe(0);
  });
});

describe('SpoolingStore invariants under random failures', () => {
  fcTest.prop(
    [
      fc.array(fc.record({ down: fc.boolean(), segments: fc.integer({ min: 0, max: 4 }) }), { minLength: 1, maxLength: 8 }),
      fc.integer({ min: 1, max: 4 }),
      fc.integer({ min: 1, max: 12 }),
      fc.integer({ min: 2, max: 5 }),
    ],
    { numRuns: 40 },
  )('a playlist never names a missing object; with room, nothing acknowledged is lost', async (phases, inFlight, spoolSegments, window) => {
    const maxSpoolBytes = spoolSegments * SEG_BYTES + 1000;
    const { bucket, files, open } = rig({ maxInFlight: inFlight, maxSpoolBytes, maxMemoryBytes: 2 * SEG_BYTES });
    const store = await open();
    const w = new Writer(store, window, 1);
    for (const p of phases) {
      bucket.down = p.down;
      await w.segments(p.segments);
      await sleep(1);
    }
    bucket.down = false;
    await store.drained();
    expect(bucket.violations).toEqual([]);
    expect(files.maxSeen).toBeLessThanOrEqual(maxSpoolBytes);
    expect(w.refused).toEqual([]);
    const last = w.versions.at(-1) ?? [];
    if (store.stats.evicted === 0) expect(bucket.listed()).toEqual(last);
    for (const n of bucket.listed()) expect(bucket.objects.has(seg(n))).toBe(true);
  });
});
