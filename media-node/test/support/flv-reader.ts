/**
 * An HTTP-FLV player for end-to-end tests: node:http plus the repo's
 * FlvDemuxer, keeping every tag with the moment it arrived, so a test can
 * check what a publisher's bytes became (bodies, timestamps) and whether the
 * stream ever stalled (arrival gaps).
 */
import { get } from 'node:http';
import type { ClientRequest } from 'node:http';
import { FlvDemuxer } from '../../src/format/flv/flv-demuxer.ts';

export interface ArrivedTag {
  /** 8 audio, 9 video, 18 script data. */
  readonly type: number;
  readonly timestamp: number;
  readonly body: Uint8Array;
  /** performance.now() when the tag was complete. */
  readonly at: number;
}

export interface FlvReader {
  readonly tags: readonly ArrivedTag[];
  /** The response status once headers arrived (null before). */
  readonly status: () => number | null;
  /** A demuxer or socket error, if any (the reader stops there). */
  readonly error: () => Error | null;
  /** Resolves with the first `count` tags passing `pred`; rejects after `timeoutMs`. */
  waitForTags(pred: (t: ArrivedTag) => boolean, count: number, timeoutMs: number): Promise<ArrivedTag[]>;
  close(): void;
}

const POLL_MS = 20;

export interface FlvReaderOptions {
  /** Body bytes kept per tag (default all); a long-running reader that only times frames keeps a few. */
  readonly keepBodyBytes?: number;
}

export function readHttpFlv(url: string, opts: FlvReaderOptions = {}): FlvReader {
  const tags: ArrivedTag[] = [];
  const demux = new FlvDemuxer();
  let status: number | null = null;
  let error: Error | null = null;
  const req: ClientRequest = get(url, (res) => {
    status = res.statusCode ?? 0;
    if (status !== 200) {
      res.resume();
      return;
    }
    res.on('data', (chunk: Buffer) => {
      if (error !== null) return;
      const at = performance.now();
      try {
        for (const t of demux.push(new Uint8Array(chunk.buffer, chunk.byteOffset, chunk.byteLength))) {
          tags.push({ type: t.type, timestamp: t.timestamp, body: t.body.slice(0, opts.keepBodyBytes), at });
        }
      } catch (e) {
        error = e as Error;
      }
    });
    res.on('error', (e) => (error ??= e));
  });
  req.on('error', (e) => (error ??= e));
  return {
    tags,
    status: () => status,
    error: () => error,
    async waitForTags(pred, count, timeoutMs) {
      const deadline = performance.now() + timeoutMs;
      for (;;) {
        const got = tags.filter(pred);
        if (got.length >= count) return got.slice(0, count);
        if (error !== null) throw error;
        if (performance.now() > deadline) throw new Error(`${got.length} of ${count} tags after ${timeoutMs} ms from ${url}`);
        await new Promise((r) => setTimeout(r, POLL_MS));
      }
    },
    close: () => req.destroy(),
  };
}

/** Largest gap between consecutive arrivals of tags passing `pred`, in ms (0 with fewer than two). */
export function largestGap(tags: readonly ArrivedTag[], pred: (t: ArrivedTag) => boolean): { gapMs: number; at: number } {
  let prev: number | null = null;
  let worst = { gapMs: 0, at: 0 };
  for (const t of tags) {
    if (!pred(t)) continue;
    if (prev !== null && t.at - prev > worst.gapMs) worst = { gapMs: t.at - prev, at: t.at };
    prev = t.at;
  }
  return worst;
}
