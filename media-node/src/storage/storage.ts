import { ProtocolError } from '@runnel/shared';

/**
 * Where outputs (HLS segmenter, DVR recorder) put files: a narrow object
 * store the output declares and the server wires (local directory, S3 with
 * retry and spool). Keys are relative, `/`-separated, allowlisted (see
 * `keyProblem`); every implementation refuses anything else, so no peer-made
 * name can leave the media root (bad-inputs rows 30-32, contract (e)).
 */
export interface PutOptions {
  /** MIME type, e.g. `video/mp2t`, `application/vnd.apple.mpegurl`. */
  readonly contentType: string;
  /** Cache-Control for stores behind a CDN (segments immutable, playlists ~1 s). */
  readonly cacheControl?: string;
}

export interface ObjectStore {
  /** Stores `bytes` under `key`, replacing any object there; readers see the old or the new object, never a part. */
  put(key: string, bytes: Uint8Array, options: PutOptions): Promise<void>;
  /** Removes `key`; resolves when it is gone, also when it never existed. */
  delete(key: string): Promise<void>;
}

/** S3's key limit (1024 bytes of UTF-8); our keys are ASCII, so characters = bytes. */
export const MAX_KEY_LENGTH = 1024;

const KEY_CHARS = /^[0-9A-Za-z_\-./]+$/;

/**
 * Why `key` is not an acceptable object key, or null: it must be 1..1024
 * characters of `[0-9A-Za-z_\-./]` (the stream-name allowlist), relative (no
 * leading `/`), with no empty, `.` or `..` segment and no trailing `/`.
 */
export function keyProblem(key: string): string | null {
  if (typeof key !== 'string' || key.length === 0) return 'empty key';
  if (key.length > MAX_KEY_LENGTH) return `key longer than ${MAX_KEY_LENGTH}`;
  if (!KEY_CHARS.test(key)) return 'key has characters outside [0-9A-Za-z_-./]';
  for (const seg of key.split('/')) if (seg === '' || seg === '.' || seg === '..') return `key segment '${seg}'`;
  return null;
}

/** Returns `key`, or throws ProtocolError('storage_bad_key'). */
export function checkKey(key: string): string {
  const problem = keyProblem(key);
  if (problem !== null) throw new ProtocolError('storage_bad_key', `${problem}: ${JSON.stringify(String(key).slice(0, 80))}`);
  return key;
}
