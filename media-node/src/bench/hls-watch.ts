import { readdir, readFile, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { parseWholePlaylist, PlaylistProgress, type ProgressExpectations, type StreamProgress } from './playlist-progress.ts';
import { parseStreamsReply, type StreamCounters } from './stream-stats.ts';

/** A playlist read gets this long; a slower answer is a failed read (and the next poll tries again). */
const READ_TIMEOUT_MS = 2_000;
/**
 * Spool files counted per sample: each is one queued upload (a segment of a
 * few hundred kB, or a playlist), so 10 000 is far past "not real time".
 */
const MAX_SPOOL_FILES_COUNTED = 10_000;

/** Reads the text of stream i's playlist; undefined when it is not there (yet). */
export type PlaylistReader = (stream: number) => Promise<string | undefined>;

/** Playlists written by the node's local store under `hlsRoot` (hls.path), `[app]/[stream].m3u8`. */
export function localPlaylists(hlsRoot: string, app: string, names: readonly string[]): PlaylistReader {
  return async (i) => {
    try {
      return await readFile(join(hlsRoot, app, `${names[i]}.m3u8`), 'utf8');
    } catch {
      return undefined;
    }
  };
}

/** Playlists in the bucket, by GET from s3rver (what a CDN in front of it would fetch). */
export function bucketPlaylists(url: (key: string) => string, prefix: string, app: string, names: readonly string[]): PlaylistReader {
  return async (i) => {
    const res = await fetch(url(`${prefix}/${app}/${names[i]}.m3u8`), { signal: AbortSignal.timeout(READ_TIMEOUT_MS) });
    const text = await res.text();
    return res.status === 200 ? text : undefined;
  };
}

/** One PlaylistProgress per stream, fed by polling every playlist together. */
export class PlaylistWatch {
  private readonly progress: PlaylistProgress[];
  private readonly read: PlaylistReader;
  /** Slowest read since `start`, ms: how much a stamp may be early (see `poll`). */
  maxReadMs = 0;

  constructor(streams: number, read: PlaylistReader) {
    this.progress = Array.from({ length: streams }, () => new PlaylistProgress());
    this.read = read;
  }

  start(atMs: number): void {
    this.maxReadMs = 0;
    for (const p of this.progress) p.start(atMs);
  }

  /**
   * Reads every playlist once. A read is stamped with the time it was sent:
   * what it returns was in the store by then at the latest, or written while
   * the answer was on its way (so a stamp is early by at most that read's
   * time, `maxReadMs`). A slow harness (s3rver, this process) then does not
   * read as a late node.
   */
  async poll(now: () => number): Promise<void> {
    await Promise.all(
      this.progress.map(async (p, i) => {
        const sent = now();
        try {
          const text = await this.read(i);
          this.maxReadMs = Math.max(this.maxReadMs, now() - sent);
          const playlist = text === undefined ? undefined : parseWholePlaylist(text);
          if (playlist === undefined) p.failed();
          else p.observe(sent, playlist);
        } catch {
          p.failed();
        }
      }),
    );
  }

  get streams(): number {
    return this.progress.length;
  }

  /** How many playlists list at least one segment (those streams are being segmented). */
  async startedCount(): Promise<number> {
    const texts = await Promise.all(this.progress.map((_, i) => this.read(i).catch(() => undefined)));
    return texts.filter((t) => t !== undefined && (parseWholePlaylist(t)?.segments.length ?? 0) > 0).length;
  }

  summarize(endMs: number, expect: ProgressExpectations): StreamProgress[] {
    return this.progress.map((p) => p.summarize(endMs, expect));
  }
}

/** Bytes of queued uploads in the S3 spool directory (storage/spool: one `.op` file per operation); 0 when absent. */
export async function spoolBytes(dir: string): Promise<number> {
  let names: string[];
  try {
    names = await readdir(dir);
  } catch {
    return 0;
  }
  let bytes = 0;
  for (const name of names.slice(0, MAX_SPOOL_FILES_COUNTED)) {
    try {
      bytes += (await stat(join(dir, name))).size;
    } catch {
      // uploaded and removed between readdir and stat
    }
  }
  return bytes;
}

/** `GET /api/v1/streams` of the node under test, enough entries for every stream. */
export async function readStreams(apiPort: number, streams: number): Promise<StreamCounters[]> {
  const res = await fetch(`http://127.0.0.1:${apiPort}/api/v1/streams?count=${streams + 10}`, { signal: AbortSignal.timeout(READ_TIMEOUT_MS * 5) });
  return parseStreamsReply(await res.text());
}
