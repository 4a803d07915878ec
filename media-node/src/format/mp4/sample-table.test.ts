import { ProtocolError, toHex } from '@runnel/shared';
import { describe, expect, it } from 'vitest';
import { BoxWriter } from './box-writer.ts';
import { readBoxes } from './box-reader.ts';
import { SampleTable } from './sample-table.ts';

type Row = readonly [dts: number, cto: number, size: number, keyframe: boolean, offset: number];

function encode(rows: readonly Row[], lastDuration: number, syncTable: boolean): Uint8Array {
  const t = new SampleTable();
  for (const [dts, cto, size, key, offset] of rows) t.add(dts, cto, size, key, offset);
  const w = new BoxWriter();
  t.encode(w, { lastDuration, syncTable });
  return w.bytes();
}

const boxes = (...parts: string[]) => parts.join('').replace(/ /g, '');

/** ISO/IEC 14496-12 8.6.1.2 stts, 8.6.1.3 ctts, 8.6.2 stss, 8.7.4 stsc, 8.7.3.2 stsz, 8.7.5 stco. */
const cases: readonly { name: string; rows: readonly Row[]; lastDuration: number; syncTable: boolean; hex: string }[] = [
  {
    name: 'video with a B-frame pattern in one chunk',
    rows: [[0, 40, 10, true, 100], [40, 0, 10, false, 110], [80, 40, 20, false, 120]],
    lastDuration: 40,
    syncTable: true,
    hex: boxes(
      '00000018 73747473 00000000 00000001 00000003 00000028',
      '00000028 63747473 00000000 00000003 00000001 00000028 00000001 00000000 00000001 00000028',
      '00000014 73747373 00000000 00000001 00000001',
      '0000001c 73747363 00000000 00000001 00000001 00000003 00000001',
      '00000020 7374737a 00000000 00000000 00000003 0000000a 0000000a 00000014',
      '00000014 7374636f 00000000 00000001 00000064',
    ),
  },
  {
    name: 'audio interleaved with other data: three chunks, one sample size, 23/24 ms steps',
    rows: [[0, 0, 5, false, 200], [23, 0, 5, false, 205], [46, 0, 5, false, 300], [70, 0, 5, false, 400], [93, 0, 5, false, 405]],
    lastDuration: 23,
    syncTable: false,
    hex: boxes(
      '00000028 73747473 00000000 00000003 00000002 00000017 00000001 00000018 00000002 00000017',
      '00000034 73747363 00000000 00000003 00000001 00000002 00000001 00000002 00000001 00000001 00000003 00000002 00000001',
      '00000014 7374737a 00000000 00000005 00000005',
      '0000001c 7374636f 00000000 00000003 000000c8 0000012c 00000190',
    ),
  },
  {
    name: 'a negative composition offset (ctts version 1); all sync samples (no stss)',
    rows: [[0, -20, 4, true, 8], [33, 0, 4, true, 12]],
    lastDuration: 33,
    syncTable: true,
    hex: boxes(
      '00000018 73747473 00000000 00000001 00000002 00000021',
      '00000020 63747473 01000000 00000002 00000001 ffffffec 00000001 00000000',
      '0000001c 73747363 00000000 00000001 00000001 00000002 00000001',
      '00000014 7374737a 00000000 00000004 00000002',
      '00000014 7374636f 00000000 00000001 00000008',
    ),
  },
];

describe('SampleTable', () => {
  it.each(cases)('encodes $name', (c) => {
    expect(toHex(encode(c.rows, c.lastDuration, c.syncTable))).toBe(c.hex);
  });

  it('switches to co64 when a chunk starts past 4 GiB', () => {
    const bytes = encode([[0, 0, 4_000_000_000, true, 16], [40, 0, 10, false, 5_000_000_000]], 40, true);
    const co64 = readBoxes(bytes).find((b) => b.type === 'co64');
    expect(readBoxes(bytes).map((b) => b.type)).not.toContain('stco');
    expect(toHex(co64!.body)).toBe(boxes('00000000 00000002 00000000 00000010 00000001 2a05f200'));
  });

  it('counts duration from the first decode time', () => {
    const t = new SampleTable();
    t.add(1000, 0, 1, true, 0);
    t.add(1040, 0, 1, false, 1);
    expect(t.duration(40)).toBe(80);
    expect(t.lastStep()).toBe(40);
    expect(t.bytes).toBe(2);
  });

  it.each([
    ['a decode time going back', () => { const t = new SampleTable(); t.add(40, 0, 1, true, 0); t.add(39, 0, 1, false, 1); }],
    ['a fractional decode time', () => new SampleTable().add(0.5, 0, 1, true, 0)],
    ['a decode time past 32 bits', () => new SampleTable().add(2 ** 32, 0, 1, true, 0)],
    ['a composition offset past 32 bits', () => new SampleTable().add(0, 2 ** 31, 1, true, 0)],
    ['a negative size', () => new SampleTable().add(0, 0, -1, true, 0)],
  ])('refuses %s', (_name, f) => {
    expect(f).toThrow(ProtocolError);
  });
});
