import { createHash } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test as fcTest, fc } from '@fast-check/vitest';
import { afterAll, describe, expect, it } from 'vitest';
import { MAX_PARTS, MIN_PART_BYTES, md5OfRange, planParts } from './file-parts.ts';

const MiB = 1024 * 1024;

describe('planParts', () => {
  it.each([
    { name: 'one short part', size: 1, partBytes: 16 * MiB, lengths: [1] },
    { name: 'exactly two parts', size: 32 * MiB, partBytes: 16 * MiB, lengths: [16 * MiB, 16 * MiB] },
    { name: 'a short last part', size: 40 * MiB, partBytes: 16 * MiB, lengths: [16 * MiB, 16 * MiB, 8 * MiB] },
    { name: 'parts below 5 MiB are raised', size: 11 * MiB, partBytes: 1 * MiB, lengths: [5 * MiB, 5 * MiB, 1 * MiB] },
  ])('$name', ({ size, partBytes, lengths }) => {
    const parts = planParts(size, partBytes);
    expect(parts.map((p) => p.length)).toEqual(lengths);
    expect(parts.map((p) => p.number)).toEqual(lengths.map((_, i) => i + 1));
  });

  it('raises the part size (to whole MiB) when a file would need more than 10 000 parts', () => {
    const size = 200 * 1024 * MiB; // 200 GiB at 16 MiB would be 12 800 parts
    const parts = planParts(size, 16 * MiB);
    expect(parts.length).toBeLessThanOrEqual(MAX_PARTS);
    expect(parts[0]!.length).toBe(21 * MiB);
  });

  it.each([0, -1, 1.5, Number.NaN])('refuses a size of %s', (size) => {
    expect(() => planParts(size, 16 * MiB)).toThrow(RangeError);
  });

  /** S3's largest object: 5 TiB. */
  const MAX_OBJECT_BYTES = 5 * 1024 * 1024 * MiB;

  fcTest.prop([fc.integer({ min: 1, max: MAX_OBJECT_BYTES }), fc.integer({ min: 1, max: 64 * MiB })])('parts cover the file in order, within S3 limits', (size, partBytes) => {
    const parts = planParts(size, partBytes);
    expect(parts.length).toBeLessThanOrEqual(MAX_PARTS);
    let at = 0;
    const wrong = parts.filter((p, i) => {
      const ok = p.start === at && p.number === i + 1 && p.length > 0 && (i === parts.length - 1 || p.length >= MIN_PART_BYTES);
      at += p.length;
      return !ok;
    });
    expect(wrong).toEqual([]);
    expect(at).toBe(size);
  });
});

describe('md5OfRange', () => {
  const dir = mkdtempSync(join(tmpdir(), 'runnel-parts-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));
  const bytes = Uint8Array.from({ length: 100_000 }, (_, i) => (i * 31) & 0xff);
  const file = join(dir, 'f.bin');
  writeFileSync(file, bytes);
  const md5 = (b: Uint8Array) => createHash('md5').update(b).digest('base64');

  it.each([
    { start: 0, length: 100_000 },
    { start: 12_345, length: 50_000 },
    { start: 99_999, length: 1 },
    { start: 5, length: 0 },
  ])('digests $length bytes from $start', async ({ start, length }) => {
    expect(await md5OfRange(file, start, length)).toBe(md5(bytes.subarray(start, start + length)));
  });

  it('fails when the file is shorter than the range (it changed under the upload)', async () => {
    await expect(md5OfRange(file, 90_000, 20_000)).rejects.toThrow(/the file changed/);
  });
});
