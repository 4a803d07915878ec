import type { PutOptions } from '../storage.ts';

/**
 * What the spool needs to know about an object to keep a CDN consistent,
 * judged from its put options and, for playlists, its text:
 *
 * - immutable (Cache-Control `immutable`, RFC 8246: the object never
 *   changes): a segment. Independent of everything else, safe to evict.
 * - a playlist (an HLS content type, RFC 8216 4): mutable, names objects by
 *   URI; uploaded only after what it names, never while it names a lost one.
 * - any other mutable object: uploaded after everything queued before it.
 */
export type ObjectKind = 'immutable' | 'playlist' | 'mutable';

/** RFC 8216 4 and the legacy types players still send. */
const PLAYLIST_TYPES = new Set(['application/vnd.apple.mpegurl', 'application/x-mpegurl', 'audio/mpegurl', 'audio/x-mpegurl']);

export function objectKind(options: PutOptions): ObjectKind {
  if (options.cacheControl !== undefined && /(?:^|[\s,])immutable(?:$|[\s,])/i.test(options.cacheControl)) return 'immutable';
  const type = options.contentType.split(';')[0]!.trim().toLowerCase();
  return PLAYLIST_TYPES.has(type) ? 'playlist' : 'mutable';
}

/** The file name of a key (its last `/` segment): what a playlist URI ends with. */
export function baseName(key: string): string {
  return key.slice(key.lastIndexOf('/') + 1);
}

const URI_ATTRIBUTE = /URI="([^"]*)"/g;

/**
 * The file names a playlist refers to: every URI line (RFC 8216 4.1) and
 * every `URI="..."` attribute (EXT-X-MAP, EXT-X-KEY, EXT-X-PART,
 * EXT-X-PRELOAD-HINT ...), reduced to their last path segment without query
 * or fragment. Our segment URIs are keys relative to the playlist or under
 * `hls_entry_prefix`, so they always end with the key's file name; matching
 * by file name may also match a same-named object in another directory, which
 * only makes the spool wait or withhold more than needed, never less.
 * Never throws: any bytes give some set (for garbage, an irrelevant one).
 */
export function playlistNames(bytes: Uint8Array): ReadonlySet<string> {
  const names = new Set<string>();
  const text = new TextDecoder('utf-8', { fatal: false }).decode(bytes);
  for (const raw of text.split(/\r?\n|\r/)) {
    const line = raw.trim();
    if (line === '') continue;
    if (line.startsWith('#')) {
      for (const m of line.matchAll(URI_ATTRIBUTE)) addName(names, m[1]!);
    } else {
      addName(names, line);
    }
  }
  return names;
}

function addName(names: Set<string>, uri: string): void {
  const path = uri.split(/[?#]/, 1)[0]!;
  const name = baseName(path);
  if (name !== '') names.add(name);
}
