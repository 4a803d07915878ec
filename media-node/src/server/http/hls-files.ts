import { readFile } from 'node:fs/promises';
import type { ServerResponse } from 'node:http';
import { join } from 'node:path';
import { keyProblem } from '../../storage/storage.ts';

/** Types and cache lifetimes for a CDN: playlists change every segment, segments never change. */
const HLS_FILES: Record<string, { type: string; cache: string }> = {
  m3u8: { type: 'application/vnd.apple.mpegurl', cache: 'public, max-age=1' },
  ts: { type: 'video/mp2t', cache: 'public, max-age=31536000, immutable' },
};

/**
 * Serve an HLS playlist or segment from the local HLS directory, or answer
 * false when there is no such file. The request path becomes a storage key
 * only if it passes the same allowlist the store writes with, so no request
 * reaches a file outside the directory.
 */
export async function serveHlsFile(root: string, pathname: string, res: ServerResponse, head: boolean): Promise<boolean> {
  const key = pathname.slice(1);
  const ext = key.slice(key.lastIndexOf('.') + 1);
  const kind = HLS_FILES[ext];
  if (kind === undefined || keyProblem(key) !== null) return false;
  let body: Buffer;
  try {
    body = await readFile(join(root, key));
  } catch {
    return false;
  }
  res.writeHead(200, { 'Content-Type': kind.type, 'Content-Length': body.length, 'Cache-Control': kind.cache });
  res.end(head ? undefined : body);
  return true;
}
