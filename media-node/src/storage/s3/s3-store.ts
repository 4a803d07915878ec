import { DeleteObjectCommand, PutObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { ProtocolError } from '@runnel/shared';
import { checkKey, MAX_KEY_LENGTH, type ObjectStore, type PutOptions } from '../storage.ts';
import { s3ErrorIsPermanent } from './s3-errors.ts';

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
  /** One request, including its single SDK retry (default DEFAULT_REQUEST_TIMEOUT_MS). */
  readonly requestTimeoutMs?: number;
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
 * An ObjectStore on an S3 bucket (AWS or S3-compatible: MinIO, R2, s3rver):
 * PutObject with the caller's Content-Type and Cache-Control, which S3 stores
 * and serves to a CDN; DeleteObject. Errors are sorted for the SpoolingStore
 * in front of it: a request S3 will never accept (bad key, 400 InvalidArgument,
 * 413 ...) is a ProtocolError (`storage_bad_key`, `storage_rejected`), and
 * everything else (network, 5xx, throttling, 403, missing bucket) is
 * rethrown as is, to be retried.
 *
 * @example
 * const s3 = new S3Store({ bucket: 'media', region: 'us-east-1', endpoint: 'http://127.0.0.1:9000', forcePathStyle: true,
 *   prefix: 'hls/', credentials: { accessKeyId: 'minio', secretAccessKey: 'minio123' } });
 * await s3.put('live/s-1.ts', bytes, { contentType: 'video/mp2t', cacheControl: 'public, max-age=31536000, immutable' });
 */
export class S3Store implements ObjectStore {
  readonly bucket: string;
  readonly prefix: string;
  private readonly client: S3Client;
  private readonly requestTimeoutMs: number;

  constructor(options: S3StoreOptions) {
    this.bucket = options.bucket;
    this.prefix = normalizePrefix(options.prefix ?? '');
    this.requestTimeoutMs = options.requestTimeoutMs ?? DEFAULT_REQUEST_TIMEOUT_MS;
    this.client = new S3Client({
      region: options.region,
      ...(options.endpoint ? { endpoint: options.endpoint } : {}),
      ...(options.credentials ? { credentials: { ...options.credentials } } : {}),
      forcePathStyle: options.forcePathStyle ?? false,
      maxAttempts: SDK_MAX_ATTEMPTS,
      requestHandler: { connectionTimeout: CONNECT_TIMEOUT_MS, requestTimeout: this.requestTimeoutMs },
    });
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

  /** Closes the SDK's sockets. */
  destroy(): void {
    this.client.destroy();
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
