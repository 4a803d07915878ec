import { DEFAULT_VHOST } from '../../hub/stream-registry.ts';
import { isValidName } from '../../hub/stream-name.ts';

/** What an HTTP playback path names: `/app/stream.ext?vhost=v&k=v` (SRS `http_remux.mount [vhost]/[app]/[stream].flv`). */
export interface StreamPath {
  readonly vhost: string;
  readonly app: string;
  readonly stream: string;
  readonly ext: string;
  /** The query string as SRS passes it to hooks (`?k=v`, or empty). */
  readonly param: string;
}

/**
 * Parse a request target into a stream path, or null if it is not one or any
 * part fails the name allowlist (so traversal and injection never reach a
 * lookup or a file path). The app is everything before the last segment.
 */
export function parseStreamPath(target: string, exts: readonly string[]): StreamPath | null {
  const q = target.indexOf('?');
  const path = q < 0 ? target : target.slice(0, q);
  const query = q < 0 ? '' : target.slice(q);
  const dot = path.lastIndexOf('.');
  const slash = path.lastIndexOf('/');
  if (dot < 0 || slash < 0 || dot < slash) return null;
  const ext = path.slice(dot + 1);
  if (!exts.includes(ext)) return null;
  const app = path.slice(1, slash);
  const stream = path.slice(slash + 1, dot);
  if (!isValidName(app) || !isValidName(stream)) return null;
  const vhostParam = new URLSearchParams(query).get('vhost');
  const vhost = vhostParam !== null && isValidName(vhostParam) ? vhostParam : DEFAULT_VHOST;
  return { vhost, app, stream, ext, param: query };
}
