import { baseName } from './object-kinds.ts';

/** Playlists tracked; one per live stream, so far more than a node carries. The least recently written is forgotten first. */
export const MAX_TRACKED_PLAYLISTS = 10_000;
/** Dropped segments remembered; a playlist window names a few dozen, so older ones cannot appear in a new version. */
export const MAX_LOST_KEYS = 10_000;

/** Counts of file names, for "does any tracked set name this file". */
class NameCounts {
  private readonly counts = new Map<string, number>();

  add(name: string, by: 1 | -1): void {
    const n = (this.counts.get(name) ?? 0) + by;
    if (n <= 0) this.counts.delete(name);
    else this.counts.set(name, n);
  }

  has(name: string): boolean {
    return this.counts.has(name);
  }
}

/**
 * The playlists as the bucket has them now: for each playlist key, the file
 * names its last uploaded version refers to. A delete waits while any of
 * them names its object, so no uploaded playlist ever names a deleted one.
 */
export class UploadedPlaylists {
  private readonly byKey = new Map<string, ReadonlySet<string>>();
  private readonly counts = new NameCounts();

  /** Records an uploaded version; true (something may have stopped being named). */
  set(key: string, names: ReadonlySet<string>): boolean {
    this.forget(key);
    this.byKey.set(key, names);
    for (const n of names) this.counts.add(n, 1);
    if (this.byKey.size > MAX_TRACKED_PLAYLISTS) this.forget(this.byKey.keys().next().value!);
    return true;
  }

  /** The playlist was deleted; true when it was tracked. */
  forget(key: string): boolean {
    const old = this.byKey.get(key);
    if (old === undefined) return false;
    this.byKey.delete(key);
    for (const n of old) this.counts.add(n, -1);
    return true;
  }

  /** Does an uploaded playlist name this file name? */
  names(base: string): boolean {
    return this.counts.has(base);
  }
}

/** Segments that were acknowledged but will never reach the bucket (evicted, refused for good). */
export class LostKeys {
  private readonly keys = new Set<string>();
  private readonly counts = new NameCounts();

  get size(): number {
    return this.keys.size;
  }

  add(key: string): void {
    if (this.keys.has(key)) return;
    this.keys.add(key);
    this.counts.add(baseName(key), 1);
    if (this.keys.size > MAX_LOST_KEYS) this.delete(this.keys.values().next().value!);
  }

  /** The key is in the bucket after all (uploaded again) or gone for good (deleted). */
  delete(key: string): void {
    if (!this.keys.delete(key)) return;
    this.counts.add(baseName(key), -1);
  }

  /** Does this set of file names include a lost one? */
  namedIn(names: ReadonlySet<string>): boolean {
    for (const n of names) if (this.counts.has(n)) return true;
    return false;
  }
}
