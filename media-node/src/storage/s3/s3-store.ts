import { stat } from 'node:fs/promises';
import { DeleteObjectCommand, PutObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { ProtocolError } from '@runnel/shared';
import { checkKey, MAX_KEY_LENGTH, type ObjectStore, type PutOptions } from '../storage.ts';
import { MAX_PART_BYTES, MIN_PART_BYTES } from './file-parts.ts';
import { s3ErrorIsPermanent } from './s3-errors.ts';
import { abortUpload, putLargeFile, putSmallFile, type FileUploadLimits, type OpenUpload } from './s3-file-upload.ts';

export interface S3Credentials {
  readonly accessKeyId: string;
  readonly secretAccessKey: string;
  readonly sessionToken?: string;
}

export interface S3StoreOptions {
  readonly bucket: string;
  /** Signing region; S3-compatible services mostly accept any (MinIO: us-east-1). */
  readonly region: string;
  /** Service URL for S3-compatible services (MinIO, R2, s3rver); empty or absent: AWS's endpoint for the region. */
  readonly endpoint?: string;
  /** Folder in the bucket every key goes under (`hls/` -> `hls/live/s-1.ts`); a missing trailing `/` is added. */
  readonly prefix?: string;
  /** Absent: the SDK's default chain (instance or task role). The entry point passes environment keys in here. */
  readonly credentials?: S3Credentials;
  /** `endpoint/bucket/key` URLs instead of `bucket.endpoint/key`: what most S3-compatible services need. */
  readonly forcePathStyle?: boolean;
  /** One request, including its single SDK retry (default DEFAULT_REQUEST_TIMEOUT_MS); putFile adds time for the body's size. */
  readonly requestTimeoutMs?: number;
  /** putFile: files up to this go up in one PutObject, larger ones in parts (default MULTIPART_THRESHOLD_BYTES). */
  readonly multipartThresholdBytes?: number;
  /** putFile: the part size (default DEFAULT_PART_BYTES, at least 5 MiB); raised for a file that would need over 10 000 parts. */
  readonly partBytes?: number;
  /** putFile: parts in flight at once (default DEFAULT_PART_CONCURRENCY). */
  readonly partConcurrency?: number;
}

/** A 20 MB segment (10 s of 16 Mbit/s) at 1 MB/s, with room; a hung connection is given up after this and retried by the spool. */
export const DEFAULT_REQUEST_TIMEOUT_MS = 30_000;
/** TCP connect: loopback or same-region S3 connect in milliseconds; a blackholed endpoint is noticed in this time. */
const CONNECT_TIMEOUT_MS = 5_000;
/**
 * The SDK's own attempts per call: two, so a keep-alive connection the server
 * already closed (ECONNRESET on reuse) costs nothing visible; every longer
 * outage is the spool's, with its backoff and ordering.
 */
const SDK_MAX_ATTEMPTS = 2;
/**
 * 64 MiB: a file of a few minutes of a typical stream goes up in one request
 * (under a minute at 1 MB/s); larger ones in parts, so a failure costs one
 * part, not the file, and no request runs for many minutes.
 */
export const MULTIPART_THRESHOLD_BYTES = 64 * 1024 * 1024;
/** 16 MiB parts: 4096 of them carry MAX_FILE_BYTES_ON_DISK (64 GiB) within S3's 10 000, and a failed part costs seconds. */
export const DEFAULT_PART_BYTES = 16 * 1024 * 1024;
/** Parts in flight: enough to fill a link that a single TCP stream would not; each holds only a file stream's buffers. */
export const DEFAULT_PART_CONCURRENCY = 4;
/** Tries per file request: a stream body cannot be replayed by the SDK, so putFile repeats the request itself. */
const FILE_REQUEST_ATTEMPTS = 3;
/** Slowest upload putFile waits for (256 KiB/s per request): the timeout grows with the body, so a big part is not cut off on a slow link. */
const MIN_UPLOAD_BYTES_PER_MS = 256 * 1024 / 1000;
/** Multipart uploads whose abort failed, kept to abort later; past this the oldest is forgotten (a bucket lifecycle rule cleans up). */
const MAX_OPEN_UPLOADS = 1000;

/** The SDK warns on the console about every failed stream request ("non-retryable streaming request"); putFile repeats them itself and its caller logs. */
const QUIET = { debug: () => undefined, info: () => undefined, warn: () => undefined, error: () => undefined };

/**
 * An ObjectStore on an S3 bucket (AWS or S3-compatible: MinIO, R2, s3rver):
 * PutObject with the caller's Content-Type and Cache-Control, which S3 stores
 * and serves to a CDN; DeleteObject; putFile for a local file of any size
 * (streamed, multipart above a threshold, see s3-file-upload.ts). Errors are sorted for the SpoolingStore
 * in front of it: a request S3 will never accept (bad key, 400 InvalidArgument,
 * 413 ...) is a ProtocolError (`storage_bad_key`, `storage_rejected`), and
 * everything else (network, 5xx, throttling, 403, missing bucket) is
 * rethrown as is, to be retried.
 *
 * @example
 * const s3 = new S3Store({ bucket: 'media', region: 'us-east-1', endpoint: 'http://127.0.0.1:9000', forcePathStyle: true,
 *   prefix: 'hls/', credentials: { accessKeyId: 'minio', secretAccessKey: 'minio123' } });
 * await s3.put('live/s-1.ts', bytes, { contentType: 'video/mp2t', cacheControl: 'public, max-age=31536000, immutable' });
 * await s3.putFile('live/cam.1700000000000.mp4', '/var/lib/runnel/dvr-upload/1.file', { contentType: 'video/mp4' });
 */
export class S3Store implements ObjectStore {
  readonly bucket: string;
  readonly prefix: string;
  private readonly client: S3Client;
  /**
   * The client of putFile: one SDK attempt (the requests repeat themselves,
   * with a fresh stream), and checksums only where S3 requires them, since
   * with a stream body the SDK's default sends `aws-chunked` trailers that
   * S3-compatible services (s3rver, older MinIO) store as content; putFile
   * sends Content-MD5 instead.
   */
  private readonly fileClient: S3Client;
  private readonly requestTimeoutMs: number;
  private readonly limits: FileUploadLimits;
  private readonly openUploads: OpenUpload[] = [];

  constructor(options: S3StoreOptions) {
    this.bucket = options.bucket;
    this.prefix = normalizePrefix(options.prefix ?? '');
    const requestTimeoutMs = options.requestTimeoutMs ?? DEFAULT_REQUEST_TIMEOUT_MS;
    this.requestTimeoutMs = requestTimeoutMs;
    const partBytes = options.partBytes ?? DEFAULT_PART_BYTES;
    if (partBytes < MIN_PART_BYTES || partBytes > MAX_PART_BYTES) throw new RangeError(`partBytes ${partBytes}: S3 parts are 5 MiB to 5 GiB`);
    this.limits = {
      multipartThresholdBytes: options.multipartThresholdBytes ?? MULTIPART_THRESHOLD_BYTES,
      partBytes,
      partConcurrency: Math.max(1, options.partConcurrency ?? DEFAULT_PART_CONCURRENCY),
      attempts: FILE_REQUEST_ATTEMPTS,
      timeoutFor: (bytes) => requestTimeoutMs + Math.ceil(bytes / MIN_UPLOAD_BYTES_PER_MS),
    };
    const common = {
      region: options.region,
      ...(options.endpoint ? { endpoint: options.endpoint } : {}),
      ...(options.credentials ? { credentials: { ...options.credentials } } : {}),
      forcePathStyle: options.forcePathStyle ?? false,
      requestHandler: { connectionTimeout: CONNECT_TIMEOUT_MS, requestTimeout: requestTimeoutMs },
    };
    this.client = new S3Client({ ...common, maxAttempts: SDK_MAX_ATTEMPTS });
    this.fileClient = new S3Client({ ...common, maxAttempts: 1, requestChecksumCalculation: 'WHEN_REQUIRED', logger: QUIET });
  }

  /** Multipart uploads that failed and could not be aborted yet (the next putFile tries again). */
  get pendingAborts(): readonly OpenUpload[] {
    return this.openUploads;
  }

  /** The object key in the bucket for a store key. */
  objectKey(key: string): string {
    const full = this.prefix + checkKey(key);
    if (full.length > MAX_KEY_LENGTH) throw new ProtocolError('storage_bad_key', `key with prefix longer than ${MAX_KEY_LENGTH}: ${JSON.stringify(full.slice(0, 80))}`);
    return full;
  }

  async put(key: string, bytes: Uint8Array, options: PutOptions): Promise<void> {
    const command = new PutObjectCommand({
      Bucket: this.bucket,
      Key: this.objectKey(key),
      Body: bytes,
      ContentLength: bytes.length,
      ContentType: options.contentType,
      ...(options.cacheControl === undefined ? {} : { CacheControl: options.cacheControl }),
    });
    await this.send(() => this.client.send(command, { abortSignal: AbortSignal.timeout(this.requestTimeoutMs) }), key);
  }

  /** S3 answers 204 whether or not the object existed, so deleting what is not there resolves. */
  async delete(key: string): Promise<void> {
    const command = new DeleteObjectCommand({ Bucket: this.bucket, Key: this.objectKey(key) });
    await this.send(() => this.client.send(command, { abortSignal: AbortSignal.timeout(this.requestTimeoutMs) }), key);
  }

  /**
   * Stores the local file at `path` under `key`, streamed from disk (never
   * read into memory): one PutObject up to `multipartThresholdBytes`, a
   * multipart upload above, aborted when it fails. Errors are sorted as for
   * put: a ProtocolError will never succeed (`storage_rejected`, a bad key,
   * `storage_file_missing` when there is no such file), anything else may.
   */
  async putFile(key: string, path: string, options: PutOptions): Promise<void> {
    const objectKey = this.objectKey(key);
    let size: number;
    try {
      size = (await stat(path)).size;
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code === 'ENOENT') throw new ProtocolError('storage_file_missing', `no file ${path} to store as ${key}`);
      throw e;
    }
    await this.abortOpenUploads();
    const target = { bucket: this.bucket, key: objectKey, path, size, options };
    await this.send(async () => {
      if (size <= this.limits.multipartThresholdBytes) await putSmallFile(this.fileClient, target, this.limits);
      else await putLargeFile(this.fileClient, target, this.limits, (u) => this.remember(u));
    }, key);
  }

  /** Closes the SDK's sockets. */
  destroy(): void {
    this.client.destroy();
    this.fileClient.destroy();
  }

  /** Retries aborts that failed before (the bucket was down then), oldest first; the first that fails again ends the round. */
  private async abortOpenUploads(): Promise<void> {
    while (this.openUploads.length > 0) {
      const u = this.openUploads[0]!;
      if (!(await abortUpload(this.fileClient, this.bucket, u, this.limits))) return;
      if (this.openUploads[0] === u) this.openUploads.shift();
    }
  }

  private remember(u: OpenUpload): void {
    this.openUploads.push(u);
    if (this.openUploads.length > MAX_OPEN_UPLOADS) this.openUploads.shift();
  }

  private async send(call: () => Promise<unknown>, key: string): Promise<void> {
    try {
      await call();
    } catch (e) {
      if (s3ErrorIsPermanent(e)) {
        const err = e as Error;
        throw new ProtocolError('storage_rejected', `S3 refused ${key}: ${err.name}: ${err.message}`);
      }
      throw e;
    }
  }
}

/** `''` stays empty, `hls` becomes `hls/`; the config schema has already refused `..`, a leading `/` and odd characters. */
function normalizePrefix(prefix: string): string {
  if (prefix === '') return '';
  return prefix.endsWith('/') ? prefix : `${prefix}/`;
}
