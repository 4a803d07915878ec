import { mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { FsSpool, SPOOL_SUFFIX } from './fs-spool.ts';

const root = mkdtempSync(join(tmpdir(), 'runnel-spool-'));
afterAll(() => rmSync(root, { recursive: true, force: true }));

describe('FsSpool', () => {
  it('appends parts in order, patches written bytes, reads back, removes', async () => {
    const spool = await FsSpool.open(join(root, 'a'));
    const f = await spool.create('mp4');
    expect(f.path!.startsWith(spool.dir)).toBe(true);
    expect(f.path!.endsWith(`.mp4${SPOOL_SUFFIX}`)).toBe(true);
    await f.append([Uint8Array.of(1, 2, 3), new Uint8Array(0), Uint8Array.of(4)]);
    await f.append([Uint8Array.of(5, 6)]);
    await f.writeAt(1, Uint8Array.of(9, 9));
    await expect(f.writeAt(5, Uint8Array.of(7, 7))).rejects.toThrow(/past the end/);
    await f.close();
    expect([...(await f.read())]).toEqual([1, 9, 9, 4, 5, 6]);
    await expect(f.append([Uint8Array.of(1)])).rejects.toThrow(/closed/);
    await f.remove();
    await f.remove(); // already gone: fine
    expect(readdirSync(spool.dir)).toEqual([]);
  });

  it('gives every file its own name and lists what a previous run left', async () => {
    const spool = await FsSpool.open(join(root, 'b'));
    const [x, y] = await Promise.all([spool.create('flv'), spool.create('../evil')]);
    expect(x.path).not.toBe(y.path);
    expect(y.path!.endsWith(`.bin${SPOOL_SUFFIX}`)).toBe(true);
    writeFileSync(join(spool.dir, 'note.txt'), 'not a spool file');
    expect((await spool.leftovers()).sort()).toEqual([x.path, y.path].sort());
    await x.remove();
    await y.remove();
  });
});
