import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { HlsObject, HlsStorage } from '../hls/hls-storage.ts';

/**
 * The delivery route's storage on Node: the local media node's HLS
 * directory (`hls.path`), for the one-machine platform. Keys come from
 * hls/hls-paths.ts, which admits only `live/{id}.m3u8` and
 * `live/{id}-{seq}.ts`, so a key never leaves `root`.
 */
export function localDirHlsStorage(root: string): HlsStorage {
  return {
    async get(key: string): Promise<HlsObject | null> {
      try {
        const bytes = await readFile(join(root, key));
        return { body: bytes, size: bytes.byteLength };
      } catch (e) {
        if ((e as NodeJS.ErrnoException).code === 'ENOENT') return null;
        throw e;
      }
    },
  };
}
