import {
  AbortMultipartUploadCommand,
  CompleteMultipartUploadCommand,
  CreateMultipartUploadCommand,
  PutObjectCommand,
  UploadPartCommand,
  type S3Client,
} from '@aws-sdk/client-s3';
import type { PutOptions } from '../storage.ts';
import { md5OfRange, planParts, rangeStream, type PartRange } from './file-parts.ts';
import { s3ErrorIsPermanent } from './s3-errors.ts';

/**
 * Uploads a local file to S3 without reading it into memory: PutObject with
 * a file stream body up to a threshold, multipart upload above it
 * (CreateMultipartUpload, UploadPart with bounded size and concurrency,
 * CompleteMultipartUpload; AbortMultipartUpload when anything fails, so no
 * parts are left to pay for). Each request body is a fresh stream of a file
 * range with its Content-MD5, so a request can be repeated and S3 checks
 * what arrived.
 */

export interface FileUploadLimits {
  /** Files up to this go up in one PutObject. */
  readonly multipartThresholdBytes: number;
  readonly partBytes: number;
  /** Parts in flight at once. */
  readonly partConcurrency: number;
  /** Tries per request (a stream body cannot be replayed by the SDK, so the retry is here). */
  readonly attempts: number;
  /** Time allowed for one request carrying `bytes` of body. */
  timeoutFor(bytes: number): number;
}

export interface FileUploadTarget {
  readonly bucket: string;
  /** The object key (prefix included). */
  readonly key: string;
  readonly path: string;
  readonly size: number;
  readonly options: PutOptions;
}

/** A multipart upload whose abort failed (the bucket went away); retried later, see S3Store. */
export interface OpenUpload {
  readonly key: string;
  readonly uploadId: string;
}

/** Pause before repeating a failed request, times the attempt number: a reset keep-alive connection is retried at once, a blip gets a moment. */
const RETRY_PAUSE_MS = 200;

/** One PutObject of the whole file (`target.size` at most the threshold; 0 bytes allowed). */
export async function putSmallFile(client: S3Client, t: FileUploadTarget, limits: FileUploadLimits): Promise<void> {
  await attempt(limits, limits.timeoutFor(t.size), undefined, async (signal) => {
    const md5 = await md5OfRange(t.path, 0, t.size, signal);
    const command = new PutObjectCommand({
      Bucket: t.bucket, Key: t.key, Body: t.size === 0 ? new Uint8Array(0) : rangeStream(t.path, 0, t.size), ContentLength: t.size, ContentMD5: md5,
      ...headers(t.options),
    });
    await client.send(command, { abortSignal: signal });
  });
}

/**
 * Multipart upload of the file. On any failure the upload is aborted and the
 * first error rethrown; an abort that fails too is handed to `orphaned`.
 */
export async function putLargeFile(client: S3Client, t: FileUploadTarget, limits: FileUploadLimits, orphaned: (u: OpenUpload) => void): Promise<void> {
  const parts = planParts(t.size, limits.partBytes);
  const created = await attempt(limits, limits.timeoutFor(0), undefined, (signal) =>
    client.send(new CreateMultipartUploadCommand({ Bucket: t.bucket, Key: t.key, ...headers(t.options) }), { abortSignal: signal }));
  const uploadId = created.UploadId;
  if (uploadId === undefined || uploadId === '') throw new Error(`S3 started no multipart upload for ${t.key}`);
  try {
    const etags = await uploadParts(client, t, uploadId, parts, limits);
    const completed = { Parts: parts.map((p, i) => ({ PartNumber: p.number, ETag: etags[i] })) };
    await attempt(limits, limits.timeoutFor(0), undefined, (signal) =>
      client.send(new CompleteMultipartUploadCommand({ Bucket: t.bucket, Key: t.key, UploadId: uploadId, MultipartUpload: completed }), { abortSignal: signal }));
  } catch (e) {
    if (!(await abortUpload(client, t.bucket, { key: t.key, uploadId }, limits))) orphaned({ key: t.key, uploadId });
    throw e;
  }
}

/** AbortMultipartUpload; true when the upload is gone (also when S3 no longer knows it). */
export async function abortUpload(client: S3Client, bucket: string, u: OpenUpload, limits: FileUploadLimits): Promise<boolean> {
  try {
    await attempt(limits, limits.timeoutFor(0), undefined, (signal) =>
      client.send(new AbortMultipartUploadCommand({ Bucket: bucket, Key: u.key, UploadId: u.uploadId }), { abortSignal: signal }));
    return true;
  } catch (e) {
    return (e as { name?: unknown }).name === 'NoSuchUpload';
  }
}

/** The parts, `partConcurrency` at a time; the first failure cancels the others and is thrown once all have settled. */
async function uploadParts(client: S3Client, t: FileUploadTarget, uploadId: string, parts: readonly PartRange[], limits: FileUploadLimits): Promise<string[]> {
  const etags: string[] = new Array<string>(parts.length);
  const cancel = new AbortController();
  let next = 0;
  let failure: { error: unknown } | null = null;
  const worker = async () => {
    while (failure === null && next < parts.length) {
      const i = next++;
      const p = parts[i]!;
      try {
        etags[i] = await attempt(limits, limits.timeoutFor(p.length), cancel.signal, async (signal) => {
          const md5 = await md5OfRange(t.path, p.start, p.length, signal);
          const command = new UploadPartCommand({
            Bucket: t.bucket, Key: t.key, UploadId: uploadId, PartNumber: p.number,
            Body: rangeStream(t.path, p.start, p.length), ContentLength: p.length, ContentMD5: md5,
          });
          const out = await client.send(command, { abortSignal: signal });
          if (out.ETag === undefined) throw new Error(`S3 gave no ETag for part ${p.number} of ${t.key}`);
          return out.ETag;
        });
      } catch (error) {
        failure ??= { error };
        cancel.abort();
      }
    }
  };
  await Promise.all(Array.from({ length: Math.max(1, Math.min(limits.partConcurrency, parts.length)) }, worker));
  if (failure !== null) throw (failure as { error: unknown }).error;
  return etags;
}

/** Runs `call` up to `limits.attempts` times with a fresh timeout each; a permanent S3 error or `cancel` ends it at once. */
async function attempt<T>(limits: FileUploadLimits, timeoutMs: number, cancel: AbortSignal | undefined, call: (signal: AbortSignal) => Promise<T>): Promise<T> {
  for (let n = 1; ; n++) {
    const timeout = AbortSignal.timeout(timeoutMs);
    const signal = cancel === undefined ? timeout : AbortSignal.any([cancel, timeout]);
    try {
      return await call(signal);
    } catch (e) {
      if (n >= limits.attempts || s3ErrorIsPermanent(e) || cancel?.aborted === true) throw e;
    }
    await new Promise((resolve) => setTimeout(resolve, RETRY_PAUSE_MS * n));
  }
}

function headers(o: PutOptions): { ContentType: string; CacheControl?: string } {
  return { ContentType: o.contentType, ...(o.cacheControl === undefined ? {} : { CacheControl: o.cacheControl }) };
}
