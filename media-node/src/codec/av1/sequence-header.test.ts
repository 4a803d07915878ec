import { describe, expect, it } from 'vitest';
import { test as fcTest, fc } from '@fast-check/vitest';
import { ProtocolError, hex } from '@runnel/shared';
import { BitWriter } from '../bit-writer.ts';
import { decodeAv1Config } from './av1-config.ts';
import { findSequenceHeaderObu } from './obu.ts';
import { av1LevelName, decodeAv1SequenceHeader } from './sequence-header.ts';
import { AV1_SAMPLES } from '../testdata/av1-samples.ts';

describe('AV1 sequence header', () => {
  it.each(AV1_SAMPLES)('reads the size ffprobe reports for $name', (s) => {
    const seq = decodeAv1SequenceHeader(findSequenceHeaderObu(decodeAv1Config(hex(s.av1C)).configObus)!.payload);
    expect([seq.maxWidth, seq.maxHeight, seq.seqProfile, seq.seqLevelIdx0]).toEqual([s.width, s.height, s.seqProfile, s.seqLevelIdx0]);
  });

  it('names levels (AV1 Annex A.3)', () => {
    expect([0, 1, 5, 8, 13, 23, 31].map(av1LevelName)).toEqual(['2.0', '2.1', '3.1', '4.0', '5.1', '7.3', 'Other']);
  });

  it('rejects a truncated header and a reserved profile', () => {
    expect(() => decodeAv1SequenceHeader(hex('0000'))).toThrow(ProtocolError);
    expect(() => decodeAv1SequenceHeader(hex('e0000000'))).toThrow(expect.objectContaining({ code: 'av1_sequence_header' }));
  });

  fcTest.prop([
    fc.record({
      reduced: fc.boolean(),
      timing: fc.option(fc.record({ ticks: fc.option(fc.integer({ min: 0, max: 1000 }), { nil: undefined }), model: fc.option(fc.integer({ min: 0, max: 31 }), { nil: undefined }) }), { nil: undefined }),
      displayDelay: fc.boolean(),
      points: fc.array(fc.record({ level: fc.integer({ min: 0, max: 31 }), tier: fc.integer({ min: 0, max: 1 }), model: fc.boolean(), delay: fc.boolean() }), { minLength: 1, maxLength: 32 }),
      width: fc.integer({ min: 1, max: 16384 }),
      height: fc.integer({ min: 1, max: 16384 }),
    }),
  ])('parses generated headers (AV1 5.5.1 field order)', (p) => {
    const w = new BitWriter();
    w.u(3, 0);
    w.flag(false);
    w.flag(p.reduced);
    if (p.reduced) {
      w.u(5, p.points[0]!.level);
    } else {
      w.flag(p.timing !== undefined);
      if (p.timing) {
        w.u(32, 1);
        w.u(32, 30);
        w.flag(p.timing.ticks !== undefined);
        if (p.timing.ticks !== undefined) {
          const v = p.timing.ticks + 1; // uvlc: leading zeros, 1, value bits
          const bits = Math.floor(Math.log2(v));
          w.u(bits, 0);
          w.u(bits + 1, v);
        }
        w.flag(p.timing.model !== undefined);
        if (p.timing.model !== undefined) {
          w.u(5, p.timing.model);
          w.u(32, 1);
          w.u(10, 0);
        }
      }
      w.flag(p.displayDelay);
      w.u(5, p.points.length - 1);
      for (const op of p.points) {
        w.u(12, 0);
        w.u(5, op.level);
        if (op.level > 7) w.u(1, op.tier);
        if (p.timing?.model !== undefined) {
          w.flag(op.model);
          if (op.model) w.u(2 * (p.timing.model + 1) + 1, 0);
        }
        if (p.displayDelay) {
          w.flag(op.delay);
          if (op.delay) w.u(4, 3);
        }
      }
    }
    w.u(4, 15);
    w.u(4, 15);
    w.u(16, p.width - 1);
    w.u(16, p.height - 1);
    w.u(8, 0xa5); // the rest is not read
    const seq = decodeAv1SequenceHeader(w.finish());
    expect([seq.maxWidth, seq.maxHeight, seq.seqLevelIdx0]).toEqual([p.width, p.height, p.points[0]!.level]);
    expect(seq.seqTier0).toBe(!p.reduced && p.points[0]!.level > 7 ? p.points[0]!.tier : 0);
  });

  fcTest.prop([fc.uint8Array({ maxLength: 128 })])('garbage only ever throws ProtocolError', (b) => {
    try {
      decodeAv1SequenceHeader(b);
    } catch (e) {
      expect(e).toBeInstanceOf(ProtocolError);
    }
  });
});
