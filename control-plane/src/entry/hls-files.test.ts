import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { localDirHlsStorage } from './hls-files.ts';

const root = mkdtempSync(join(tmpdir(), 'runnel-hls-files-'));
mkdirSync(join(root, 'live'));
writeFileSync(join(root, 'live', 'pb1-7.ts'), new Uint8Array([0x47, 1, 2]));
afterAll(() => rmSync(root, { recursive: true, force: true }));

describe('localDirHlsStorage', () => {
  it('reads a key below the root, with its size', async () => {
    const obj = await localDirHlsStorage(root).get('live/pb1-7.ts');
    expect(obj?.size).toBe(3);
    expect(new Uint8Array(await new Response(obj?.body).arrayBuffer())).toEqual(new Uint8Array([0x47, 1, 2]));
  });

  it('answers null for a missing file and throws other read errors', async () => {
    expect(await localDirHlsStorage(root).get('live/pb1-8.ts')).toBeNull();
    await expect(localDirHlsStorage(root).get('live')).rejects.toThrow();
  });
});
