import { type Dirent, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { test as fcTest, fc } from '@fast-check/vitest';
import { LocalDirStore } from './local-dir.ts';
import { MemoryStore } from './memory-store.ts';
import { keyProblem } from './storage.ts';

const base = mkdtempSync(join(tmpdir(), 'runnel-store-'));
afterAll(() => rmSync(base, { recursive: true, force: true }));
let n = 0;
const fresh = () => {
  const root = join(base, `root${n++}`);
  return { root, store: new LocalDirStore(root) };
};
const TS = { contentType: 'video/mp2t' };

/** Every file under dir, relative, sorted. */
function files(dir: string): string[] {
  return (readdirSync(dir, { recursive: true, withFileTypes: true }) as Dirent[])
    .filter((d) => d.isFile())
    .map((d) => join(d.parentPath, d.name).slice(dir.length + 1))
    .sort();
}

describe('LocalDirStore', () => {
  it('creates directories and writes the bytes, leaving no temporary file', async () => {
    const { root, store } = fresh();
    await store.put('live/livestream-0.ts', Uint8Array.of(0x47, 1, 2), TS);
    await store.put('live/livestream-0.ts', Uint8Array.of(0x47, 9), TS);
    expect([...readFileSync(join(root, 'live/livestream-0.ts'))]).toEqual([0x47, 9]);
    expect(files(root)).toEqual(['live/livestream-0.ts']);
    expect(store.pathOf('live/livestream-0.ts')).toBe(join(root, 'live/livestream-0.ts'));
  });

  it('deletes, and deleting what is not there resolves', async () => {
    const { root, store } = fresh();
    await store.put('a/b.ts', Uint8Array.of(1), TS);
    await store.delete('a/b.ts');
    await store.delete('a/b.ts');
    await store.delete('never/was.ts');
    expect(existsSync(join(root, 'a/b.ts'))).toBe(false);
  });

  const escapes = ['../x.ts', 'a/../../x.ts', '/etc/x', 'a\\..\\x', '%2e%2e/x', 'a/./b', 'a//b', 'a/', '', 'x\u0000y', 'a\r\nb', 'x'.repeat(1025)];
  it.each(escapes)('refuses the key %j and writes nothing', async (key) => {
    const { root, store } = fresh();
    await expect(store.put(key, Uint8Array.of(1), TS)).rejects.toMatchObject({ code: 'storage_bad_key' });
    await expect(store.delete(key)).rejects.toMatchObject({ code: 'storage_bad_key' });
    expect(existsSync(root) ? files(root) : []).toEqual([]);
    expect(files(base).filter((f) => !f.startsWith('root') && !f.startsWith('outside'))).toEqual([]);
  });

  it('refuses a key whose directory is a symlink out of the root', async () => {
    const { root, store } = fresh();
    const outside = join(base, `outside${n++}`);
    mkdirSync(outside);
    mkdirSync(root);
    writeFileSync(join(outside, 'keep.ts'), 'x');
    symlinkSync(outside, join(root, 'link'));
    await expect(store.put('link/x.ts', Uint8Array.of(1), TS)).rejects.toMatchObject({ code: 'storage_bad_key' });
    await expect(store.delete('link/keep.ts')).rejects.toMatchObject({ code: 'storage_bad_key' });
    expect(readdirSync(outside)).toEqual(['keep.ts']);
  });

  it('cleans its temporary file when the rename fails', async () => {
    const { root, store } = fresh();
    mkdirSync(join(root, 'live/s.ts'), { recursive: true }); // a directory where the file should go
    await expect(store.put('live/s.ts', Uint8Array.of(1), TS)).rejects.toBeInstanceOf(Error);
    expect(readdirSync(join(root, 'live'))).toEqual(['s.ts']);
  });
});

describe('object keys', () => {
  fcTest.prop([fc.string({ maxLength: 40 })])('an accepted key never escapes: no absolute path, no dot segment', (key) => {
    if (keyProblem(key) !== null) return;
    expect(key.startsWith('/')).toBe(false);
    expect(key.split('/').some((s) => s === '..' || s === '.' || s === '')).toBe(false);
    expect(/^[0-9A-Za-z_\-./]+$/.test(key)).toBe(true);
  });

  it('MemoryStore refuses the same keys and records operations in order', async () => {
    const s = new MemoryStore();
    await expect(s.put('../x', Uint8Array.of(1), TS)).rejects.toMatchObject({ code: 'storage_bad_key' });
    await s.put('a.ts', Uint8Array.of(1), TS);
    await s.delete('a.ts');
    expect(s.log).toEqual(['put a.ts', 'delete a.ts']);
  });
});
