import type { HlsObject, HlsStorage } from './hls-storage.ts';

/**
 * The delivery route's storage on Workers: the bucket the media nodes push
 * HLS to, bound as an R2 bucket (wrangler.toml `HLS_BUCKET`). Keys are the
 * node's (`live/{id}.m3u8`, `live/{id}-{seq}.ts`) below the node's
 * `storage.s3.prefix`, which the Worker is told as `RUNNEL_HLS_BUCKET_PREFIX`.
 * https://developers.cloudflare.com/r2/api/workers/workers-api-reference/
 */

/** What this reads of an R2 binding (no @cloudflare/workers-types here). */
export interface R2BucketLike {
  get(key: string): Promise<{ readonly body: ReadableStream<Uint8Array>; readonly size: number } | null>;
}

export function r2HlsStorage(bucket: R2BucketLike, prefix: string): HlsStorage {
  return {
    async get(key: string): Promise<HlsObject | null> {
      const obj = await bucket.get(`${prefix}${key}`);
      return obj === null ? null : { body: obj.body, size: obj.size };
    },
  };
}
