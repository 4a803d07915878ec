import type { Entry } from './spool-entry.ts';
import { UploadedPlaylists, LostKeys } from './reference-sets.ts';

/** Deletes parked because the bucket's playlist still names their object. */
export const MAX_DEFERRED_DELETES = 10_000;

/**
 * The ordering rules of the queue (README "Ordering"), seen from one entry:
 * what is still unfinished before it. Feed every entry in queue order to
 * `passed` after asking `mayStart` about it.
 */
export class QueueOrder {
  private readonly keys = new Set<string>();
  private readonly putNames = new Set<string>();
  private readonly playlistRefs = new Set<string>();
  private anyBefore = false;

  mayStart(e: Entry): boolean {
    if (this.keys.has(e.key)) return false; // same object: strictly in order
    if (e.op === 'delete') return !this.playlistRefs.has(e.base); // an earlier playlist naming it must land (and be replaced) first
    if (e.kind === 'immutable') return true;
    if (e.kind === 'playlist') {
      for (const n of e.names!) if (this.putNames.has(n)) return false; // what it names goes up first
      return true;
    }
    return !this.anyBefore; // a mutable object we cannot read: after everything before it
  }

  passed(e: Entry): void {
    this.keys.add(e.key);
    if (e.op === 'put') this.putNames.add(e.base);
    if (e.names !== null) for (const n of e.names) this.playlistRefs.add(n);
    this.anyBefore = true;
  }
}

/**
 * What the bucket's playlists name, against what will never reach it: a
 * delete waits (parked here) while an uploaded playlist names its object, a
 * playlist that names a lost segment is withheld. The store owns the
 * entries' bytes; this class only decides and remembers.
 */
export class PlaylistDependencies {
  private readonly uploaded = new UploadedPlaylists();
  private readonly lost = new LostKeys();
  /** Parked deletes, oldest first. */
  private readonly parked = new Map<number, Entry>();

  get deferredCount(): number {
    return this.parked.size;
  }

  deferred(): IterableIterator<Entry> {
    return this.parked.values();
  }

  /** What an entry the queue order lets start must do instead: wait (a delete still named) or never go up. */
  verdict(e: Entry): 'start' | 'park' | 'withhold' {
    if (e.op === 'delete' && this.uploaded.names(e.base)) return 'park';
    if (e.kind === 'playlist' && this.lost.namedIn(e.names!)) return 'withhold';
    return 'start';
  }

  /** Parks a delete; returns the oldest parked one when there are too many (the caller drops it). */
  park(e: Entry): Entry | null {
    this.parked.set(e.id, e);
    return this.parked.size > MAX_DEFERRED_DELETES ? this.parked.values().next().value! : null;
  }

  /** No longer parked (released by the store). */
  forget(id: number): void {
    this.parked.delete(id);
  }

  /** Parked deletes of `key`: a newer put of it must not be removed by them. Taken out; the caller releases them. */
  takeDeletesOf(key: string): Entry[] {
    const out = [...this.parked.values()].filter((d) => d.key === key);
    for (const d of out) this.parked.delete(d.id);
    return out;
  }

  /** Parked deletes no uploaded playlist names any more. Taken out; the caller queues them again. */
  takeUnnamed(): Entry[] {
    const out = [...this.parked.values()].filter((d) => !this.uploaded.names(d.base));
    for (const d of out) this.parked.delete(d.id);
    return out;
  }

  /** An acknowledged segment will never reach the bucket. */
  segmentLost(key: string): void {
    this.lost.add(key);
  }

  /** `e` reached the bucket (a put) or left it (a delete); true when what the bucket's playlists name changed. */
  landed(e: Entry): boolean {
    this.lost.delete(e.key);
    if (e.op === 'delete') return this.uploaded.forget(e.key);
    return e.kind === 'playlist' ? this.uploaded.set(e.key, e.names!) : false;
  }
}
