import type { PutOptions } from '../storage.ts';
import { baseName, objectKind, playlistNames, type ObjectKind } from './object-kinds.ts';
import type { RecoveredRecord, SpoolFiles, SpoolRecord } from './spool-files.ts';

/** One queued put or delete of the spooling store. */
export interface Entry {
  readonly id: number;
  readonly op: 'put' | 'delete';
  readonly key: string;
  readonly base: string;
  readonly options: PutOptions | null;
  readonly kind: ObjectKind | null;
  /** File names a playlist refers to. */
  readonly names: ReadonlySet<string> | null;
  readonly size: number;
  /** The payload while it is in memory (held, being spooled, or being uploaded). */
  bytes: Uint8Array | null;
  /** Where its bytes are accounted: memory, or the spool (being written, or written). */
  where: 'memory' | 'writing' | 'disk';
  running: boolean;
  /** Left the queue (uploaded, dropped, superseded). */
  done: boolean;
  /** The caller's put, until the object is uploaded or safely spooled. */
  waiter: { resolve: () => void; reject: (e: Error) => void } | null;
}

/** A new operation from `put` (with its bytes) or `delete`, its payload in memory. */
export function newEntry(id: number, op: 'put' | 'delete', key: string, options: PutOptions | null, bytes: Uint8Array | null): Entry {
  const kind = options === null ? null : objectKind(options);
  return {
    id,
    op,
    key,
    base: baseName(key),
    options,
    kind,
    names: kind === 'playlist' && bytes !== null ? playlistNames(bytes) : null,
    size: bytes?.length ?? 0,
    bytes,
    where: 'memory',
    running: false,
    done: false,
    waiter: null,
  };
}

/** The put options a spool record was written with (null for a delete). */
function recordOptions(r: SpoolRecord): PutOptions | null {
  if (r.op !== 'put') return null;
  return { contentType: r.contentType ?? 'application/octet-stream', ...(r.cacheControl === undefined ? {} : { cacheControl: r.cacheControl }) };
}

/** An operation found in the spool at `open`, its payload on disk; `names` read from the file for a playlist. */
function recoveredEntry(r: RecoveredRecord, options: PutOptions | null, names: ReadonlySet<string> | null): Entry {
  return {
    id: r.id, op: r.op, key: r.key, base: baseName(r.key), options, kind: options === null ? null : objectKind(options), names, size: r.size,
    bytes: null, where: 'disk', running: false, done: false, waiter: null,
  };
}

/**
 * The operations an earlier run left in the spool, in queue order, their
 * payloads on disk. A playlist whose file cannot be read back is removed and
 * skipped (what it names is unknown, so it could not be ordered safely).
 */
export async function recoverEntries(files: SpoolFiles): Promise<{ readonly entries: Entry[]; readonly found: number; readonly discarded: number }> {
  const { records, discarded } = await files.recover();
  const entries: Entry[] = [];
  for (const r of records) {
    const options = recordOptions(r);
    let names: ReadonlySet<string> | null = null;
    if (options !== null && objectKind(options) === 'playlist') {
      try {
        names = playlistNames(await files.read(r.id));
      } catch {
        await files.remove(r.id).catch(() => undefined);
        continue;
      }
    }
    entries.push(recoveredEntry(r, options, names));
  }
  return { entries, found: records.length, discarded };
}

/** What the spool file records about an entry besides its bytes. */
export function recordOf(e: Entry): SpoolRecord {
  return {
    op: e.op,
    key: e.key,
    size: e.size,
    ...(e.options === null ? {} : { contentType: e.options.contentType }),
    ...(e.options?.cacheControl === undefined ? {} : { cacheControl: e.options.cacheControl }),
  };
}

/** Acknowledges the caller's put, once. */
export function settle(e: Entry): void {
  const w = e.waiter;
  e.waiter = null;
  w?.resolve();
}

export function asError(e: unknown): Error {
  return e instanceof Error ? e : new Error(String(e));
}
