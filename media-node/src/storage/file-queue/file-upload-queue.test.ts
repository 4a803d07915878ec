import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { ProtocolError } from '@runnel/shared';
import type { PutOptions } from '../storage.ts';
import { FileUploadQueue, type FileStore, type FileUploadQueueOptions, type QueuedFile, type UploadQueueLog } from './file-upload-queue.ts';
import { FAILED_DIR } from './queue-dir.ts';

const MP4: PutOptions = { contentType: 'video/mp4', cacheControl: 'public, max-age=31536000, immutable' };
const root = mkdtempSync(join(tmpdir(), 'runnel-upq-'));
afterAll(() => rmSync(root, { recursive: true, force: true }));
let dirs = 0;

/** A bucket that can be down (every putFile fails), refuse chosen keys for good, and records what it got. */
class FlakyStore implements FileStore {
  readonly objects = new Map<string, { bytes: string; options: PutOptions }>();
  /** Keys in upload order. */
  readonly order: string[] = [];
  attempts = 0;
  down = false;
  refuse = new Set<string>();

  async putFile(key: string, path: string, options: PutOptions): Promise<void> {
    this.attempts++;
    await new Promise((r) => setImmediate(r));
    if (this.refuse.has(key)) throw new ProtocolError('storage_rejected', `refused ${key}`);
    if (this.down) throw new Error('connect ECONNREFUSED (FlakyStore.down)');
    this.objects.set(key, { bytes: await readFile(path, 'utf8'), options });
    this.order.push(key);
  }
}

class Log implements UploadQueueLog {
  readonly lines: { level: string; event: string; fields: Record<string, unknown> }[] = [];
  info(event: string, fields = {}): void {
    this.lines.push({ level: 'info', event, fields });
  }
  warn(event: string, fields = {}): void {
    this.lines.push({ level: 'warn', event, fields });
  }
  error(event: string, fields = {}): void {
    this.lines.push({ level: 'error', event, fields });
  }
  events(level?: string): string[] {
    return this.lines.filter((l) => level === undefined || l.level === level).map((l) => l.event);
  }
}

interface Harness {
  q: FileUploadQueue;
  store: FlakyStore;
  log: Log;
  uploaded: QueuedFile[];
  full: boolean[];
  dir: string;
  /** Writes a finished file outside the queue (as the DVR spool would) and enqueues it. */
  add(key: string, content: string, meta?: Record<string, unknown>): Promise<void>;
}

async function harness(over: Partial<FileUploadQueueOptions> & { dir?: string; store?: FlakyStore } = {}): Promise<Harness> {
  const dir = over.dir ?? join(root, `q${++dirs}`);
  const spool = join(root, `spool${dirs}`);
  const store = over.store ?? new FlakyStore();
  const log = new Log();
  const uploaded: QueuedFile[] = [];
  const full: boolean[] = [];
  const q = await FileUploadQueue.open({
    inner: store, dir, maxBytes: 1024 * 1024, backoff: { baseMs: 5, maxMs: 20 }, log,
    listener: { onUploaded: (f) => uploaded.push(f), onFullChange: (v) => full.push(v) },
    ...over,
  });
  let n = 0;
  return {
    q, store, log, uploaded, full, dir,
    async add(key, content, meta = {}) {
      mkdirSync(spool, { recursive: true });
      const path = join(spool, `f${++n}.part`);
      writeFileSync(path, content);
      await q.enqueue(key, path, MP4, meta);
      expect(existsSync(path)).toBe(false); // moved into the queue
    },
  };
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const entries = (dir: string) => readdirSync(dir).filter((n) => n !== FAILED_DIR).sort();

describe('FileUploadQueue', () => {
  it('uploads files one at a time in the order they came, then removes the local copies', async () => {
    const h = await harness();
    for (let i = 1; i <= 5; i++) await h.add(`live/cam.${i}.mp4`, `recording ${i}`, { n: i });
    await h.q.idle();
    expect(h.store.order).toEqual([1, 2, 3, 4, 5].map((i) => `live/cam.${i}.mp4`));
    expect(h.store.objects.get('live/cam.3.mp4')).toEqual({ bytes: 'recording 3', options: MP4 });
    expect(h.uploaded.map((f) => [f.key, f.meta.n, f.bytes, f.restored])).toEqual([1, 2, 3, 4, 5].map((i) => [`live/cam.${i}.mp4`, i, 11, false]));
    await sleep(20);
    expect(entries(h.dir)).toEqual([]);
    expect(h.q.stats).toMatchObject({ queued: 0, queuedBytes: 0, uploaded: 5, retries: 0, failed: 0, degraded: false });
    await h.q.close(0);
  });

  it('keeps every file on disk while the store is down, retries with backoff, and uploads them all in order once it is back', async () => {
    const h = await harness({ backoff: { baseMs: 20, maxMs: 40 } });
    h.store.down = true;
    for (let i = 1; i <= 4; i++) await h.add(`live/out.${i}.mp4`, `segment ${i}`);
    await sleep(300);
    expect(h.uploaded).toEqual([]);
    expect(entries(h.dir)).toHaveLength(8); // 4 files + 4 manifests
    const attemptsWhileDown = h.store.attempts;
    // backoff, not a busy loop: 300 ms of outage at 10..40 ms per retry
    expect(attemptsWhileDown).toBeGreaterThan(3);
    expect(attemptsWhileDown).toBeLessThan(25);
    // files arriving during the outage do not cut the backoff short
    for (let i = 5; i <= 24; i++) await h.add(`live/out.${i}.mp4`, `segment ${i}`);
    expect(h.store.attempts - attemptsWhileDown).toBeLessThan(10);
    expect(h.q.stats.degraded).toBe(true);
    h.store.down = false;
    await h.q.idle();
    expect(h.store.order).toEqual(Array.from({ length: 24 }, (_, i) => `live/out.${i + 1}.mp4`));
    expect(h.log.events()).toContain('upload_queue_degraded');
    expect(h.log.events()).toContain('upload_queue_recovered');
    expect(h.q.stats.retries).toBe(h.store.attempts - 24);
    await h.q.close(0);
  });

  it('reports full at its byte cap without refusing or deleting a file, and resumes below 3/4 of it', async () => {
    const h = await harness({ maxBytes: 100 });
    h.store.down = true;
    await h.add('live/a.1.mp4', 'x'.repeat(40));
    await h.add('live/a.2.mp4', 'x'.repeat(40));
    expect(h.q.full).toBe(false);
    await h.add('live/a.3.mp4', 'x'.repeat(40));
    expect(h.q.full).toBe(true);
    expect(h.full).toEqual([true]);
    expect(h.log.lines.find((l) => l.event === 'upload_queue_full')).toMatchObject({ level: 'error', fields: { bytes: 120, max_bytes: 100, files: 3 } });
    // a file finished after the cap is still taken: it is a recording, never dropped
    await h.add('live/a.4.mp4', 'x'.repeat(40));
    expect(h.q.stats).toMatchObject({ queued: 4, queuedBytes: 160 });
    h.store.down = false;
    await h.q.idle();
    // 160 -> 120 -> 80 -> 40: below 75 only after the third upload
    expect(h.full).toEqual([true, false]);
    expect(h.store.order).toEqual(['live/a.1.mp4', 'live/a.2.mp4', 'live/a.3.mp4', 'live/a.4.mp4']);
    await h.q.close(0);
  });

  it('moves a file the store refuses for good to failed/ (kept, logged as an error) and goes on with the next', async () => {
    const failed: [string, string, string][] = [];
    const store = new FlakyStore();
    store.refuse.add('live/bad.mp4');
    const h = await harness({ store, listener: { onFailed: (f, e, at) => failed.push([f.key, e.code, at]) } });
    await h.add('live/ok.1.mp4', 'one');
    await h.add('live/bad.mp4', 'refused');
    await h.add('live/ok.2.mp4', 'two');
    await h.q.idle();
    expect(h.store.order).toEqual(['live/ok.1.mp4', 'live/ok.2.mp4']);
    expect(failed).toHaveLength(1);
    expect(failed[0]!.slice(0, 2)).toEqual(['live/bad.mp4', 'storage_rejected']);
    expect(readFileSync(failed[0]![2], 'utf8')).toBe('refused');
    expect(readdirSync(join(h.dir, FAILED_DIR))).toHaveLength(2); // the file and its manifest
    expect(h.log.events('error')).toEqual(['upload_queue_file_refused']);
    expect(h.q.stats.failed).toBe(1);
    await h.q.close(0);
  });

  it('update() replaces the meta of a queued file (what onUploaded sees) and is false once it is uploaded', async () => {
    const h = await harness();
    h.store.down = true;
    await h.add('live/m.mp4', 'm', { stage: 'queued' });
    expect(h.q.update('live/m.mp4', { stage: 'finished', duration: 3 })).toBe(true);
    expect(h.q.update('live/other.mp4', {})).toBe(false);
    h.store.down = false;
    await h.q.idle();
    expect(h.uploaded[0]!.meta).toEqual({ stage: 'finished', duration: 3 });
    expect(h.q.update('live/m.mp4', { stage: 'late' })).toBe(false);
    await h.q.close(0);
  });

  it('a restarted queue uploads what the previous run left, in order, with the last meta, and keeps what it cannot use', async () => {
    const first = await harness();
    first.store.down = true;
    for (let i = 1; i <= 3; i++) await first.add(`live/r.${i}.mp4`, `left ${i}`, { n: i });
    first.q.update('live/r.2.mp4', { n: 2, event: 'final' });
    await first.q.close(0);
    expect(first.log.events()).toContain('upload_queue_closed_with_backlog');
    await expect(first.q.enqueue('live/late.mp4', join(root, 'none'), MP4)).rejects.toMatchObject({ code: 'storage_closed' });
    await first.q.stopped();
    // what a crash can leave: a manifest whose file never moved in, a half-written manifest, a file without a manifest
    writeFileSync(join(first.dir, '0000000000000099.json'), JSON.stringify({ key: 'live/gone.mp4', options: MP4, meta: {} }));
    writeFileSync(join(first.dir, '0000000000000098.json.tmp'), '{"key');
    writeFileSync(join(first.dir, '0000000000000050.file'), 'nobody knows its key');

    const second = await harness({ dir: first.dir });
    await second.q.idle();
    expect(second.store.order).toEqual(['live/r.1.mp4', 'live/r.2.mp4', 'live/r.3.mp4']);
    expect(second.store.objects.get('live/r.3.mp4')?.bytes).toBe('left 3');
    expect(second.uploaded.map((f) => [f.restored, f.meta])).toEqual([[true, { n: 1 }], [true, { n: 2, event: 'final' }], [true, { n: 3 }]]);
    expect(second.log.lines.find((l) => l.event === 'upload_queue_restored')?.fields).toMatchObject({ count: 3, bytes: 18 });
    expect(second.log.lines.find((l) => l.event === 'upload_queue_dropped_records')?.fields).toMatchObject({ count: 2 });
    expect(second.log.lines.find((l) => l.event === 'upload_queue_orphan_file')?.fields.path).toBe(join(first.dir, '0000000000000050.file'));
    await sleep(20);
    expect(entries(first.dir)).toEqual(['0000000000000050.file']);
    // new files continue after the restored ids
    await second.add('live/r.4.mp4', 'new');
    await second.q.idle();
    expect(second.uploaded.at(-1)!.id).toBeGreaterThan(99);
    await second.q.close(0);
  });

  it('refuses to take a file it cannot move in, leaving it where it was and no manifest behind', async () => {
    const h = await harness();
    await expect(h.q.enqueue('live/x.mp4', join(root, 'no-such-file'), MP4)).rejects.toMatchObject({ code: 'ENOENT' });
    await expect(h.q.enqueue('../x.mp4', join(root, 'no-such-file'), MP4)).rejects.toMatchObject({ code: 'storage_bad_key' });
    expect(entries(h.dir)).toEqual([]);
    await h.add('live/after.mp4', 'still works');
    await h.q.idle();
    expect(h.store.order).toEqual(['live/after.mp4']);
    await h.q.close(0);
  });
});
