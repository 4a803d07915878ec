import { mkdtempSync, readdirSync, rmSync, truncateSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { test as fcTest, fc } from '@fast-check/vitest';
import { MAX_RECORD_HEADER_BYTES, parseRecord, SpoolDir } from './spool-files.ts';

const base = mkdtempSync(join(tmpdir(), 'runnel-spool-'));
afterAll(() => rmSync(base, { recursive: true, force: true }));
let n = 0;
const fresh = () => SpoolDir.open(join(base, `d${n++}`, 'spool'));
const TS = { contentType: 'video/mp2t', cacheControl: 'public, max-age=31536000, immutable' };

describe('SpoolDir', () => {
  it('writes, reads back, recovers in id order and removes', async () => {
    const dir = await fresh();
    await dir.write(12, { op: 'put', key: 'live/s-2.ts', size: 3, ...TS }, Uint8Array.of(7, 8, 9));
    await dir.write(3, { op: 'put', key: 'live/s-1.ts', size: 2, ...TS }, Uint8Array.of(1, 2));
    await dir.write(40, { op: 'delete', key: 'live/s-0.ts', size: 0 }, new Uint8Array(0));
    expect([...(await dir.read(12))]).toEqual([7, 8, 9]);
    const { records, discarded } = await dir.recover();
    expect(discarded).toBe(0);
    expect(records).toEqual([
      { id: 3, op: 'put', key: 'live/s-1.ts', size: 2, ...TS },
      { id: 12, op: 'put', key: 'live/s-2.ts', size: 3, ...TS },
      { id: 40, op: 'delete', key: 'live/s-0.ts', size: 0 },
    ]);
    await dir.remove(3);
    await dir.remove(3);
    expect((await dir.recover()).records.map((r) => r.id)).toEqual([12, 40]);
  });

  it('discards a truncated record, a stray temporary file and a record with a bad key; leaves other files alone', async () => {
    const dir = await fresh();
    await dir.write(1, { op: 'put', key: 'live/a.ts', size: 4, ...TS }, Uint8Array.of(1, 2, 3, 4));
    await dir.write(2, { op: 'put', key: 'live/b.ts', size: 4, ...TS }, Uint8Array.of(1, 2, 3, 4));
    truncateSync(join(dir.dir, '0000000000000002.op'), 20);
    writeFileSync(join(dir.dir, '0000000000000003.op.tmp'), 'half');
    const header = new TextEncoder().encode(JSON.stringify({ op: 'put', key: '../x', size: 0, contentType: 'x' }));
    writeFileSync(join(dir.dir, '0000000000000004.op'), Buffer.concat([Buffer.from([0, 0, 0, header.length]), header]));
    writeFileSync(join(dir.dir, 'README'), 'not ours');
    const { records, discarded } = await dir.recover();
    expect(records.map((r) => r.key)).toEqual(['live/a.ts']);
    expect(discarded).toBe(3);
    expect(readdirSync(dir.dir).sort()).toEqual(['0000000000000001.op', 'README']);
    await expect(dir.read(2)).rejects.toBeInstanceOf(Error);
  });
});

describe('parseRecord', () => {
  fcTest.prop([fc.uint8Array({ maxLength: 512 }), fc.nat({ max: 1 << 20 })])('never throws on any bytes and any size', (bytes, size) => {
    const r = parseRecord(bytes, size);
    if (r !== null) expect(r.payloadAt).toBeLessThanOrEqual(4 + MAX_RECORD_HEADER_BYTES);
  });

  it('refuses a header length past the limit without reading it', () => {
    const head = new Uint8Array(8);
    new DataView(head.buffer).setUint32(0, MAX_RECORD_HEADER_BYTES + 1);
    expect(parseRecord(head, 1 << 30)).toBeNull();
  });
});
