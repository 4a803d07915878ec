import { createHash } from 'node:crypto';
import { createReadStream, type ReadStream } from 'node:fs';

/**
 * How a local file is cut for S3 multipart upload, and the reads of its
 * ranges: every request body is a fresh stream of the file (never the file in
 * memory), so an attempt can be repeated and memory stays at a few stream
 * buffers per request.
 */

/** S3: every part but the last is at least 5 MiB (Amazon S3 User Guide, "Amazon S3 multipart upload limits"). */
export const MIN_PART_BYTES = 5 * 1024 * 1024;
/** S3: part numbers 1..10 000 (same table). */
export const MAX_PARTS = 10_000;
/** S3: one part is at most 5 GiB (same table). */
export const MAX_PART_BYTES = 5 * 1024 * 1024 * 1024;
/** Part sizes are rounded up to whole MiB so that the plan for a huge file stays readable in logs. */
const PART_ROUNDING = 1024 * 1024;

export interface PartRange {
  /** 1-based, as S3 numbers parts. */
  readonly number: number;
  /** First byte in the file. */
  readonly start: number;
  readonly length: number;
}

/**
 * The parts of a file of `size` bytes: `partBytes` each (the last shorter),
 * raised when the file would need more than MAX_PARTS of them.
 *
 * @example
 * planParts(40 * 2 ** 20, 16 * 2 ** 20).map((p) => p.length); // [16 MiB, 16 MiB, 8 MiB]
 */
export function planParts(size: number, partBytes: number): PartRange[] {
  if (!Number.isSafeInteger(size) || size <= 0) throw new RangeError(`cannot cut ${size} bytes into parts`);
  const needed = Math.ceil(Math.ceil(size / MAX_PARTS) / PART_ROUNDING) * PART_ROUNDING;
  const each = Math.max(partBytes, MIN_PART_BYTES, needed);
  if (each > MAX_PART_BYTES) throw new RangeError(`a file of ${size} bytes needs parts over S3's 5 GiB`);
  const parts: PartRange[] = [];
  for (let start = 0, n = 1; start < size; start += each, n++) parts.push({ number: n, start, length: Math.min(each, size - start) });
  return parts;
}

/** A stream of `length` bytes of `path` from `start` (createReadStream's `end` is inclusive). */
export function rangeStream(path: string, start: number, length: number): ReadStream {
  return createReadStream(path, { start, end: start + length - 1 });
}

/**
 * Base64 MD5 of a range of the file, for Content-MD5 (RFC 1864): S3 checks
 * it and refuses a body damaged on the way (BadDigest), which the caller
 * retries. Costs one more local read of the range, no memory.
 */
export async function md5OfRange(path: string, start: number, length: number, signal?: AbortSignal): Promise<string> {
  const hash = createHash('md5');
  if (length === 0) return hash.digest('base64');
  let seen = 0;
  for await (const chunk of rangeStream(path, start, length)) {
    signal?.throwIfAborted();
    hash.update(chunk as Buffer);
    seen += (chunk as Buffer).length;
  }
  // a file that shrank under us would otherwise go up short, under a matching digest
  if (seen !== length) throw new Error(`${path}: read ${seen} of ${length} bytes at ${start} (the file changed)`);
  return hash.digest('base64');
}
