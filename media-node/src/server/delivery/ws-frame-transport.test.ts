import { describe, expect, it } from 'vitest';
import { toHex } from '@runnel/shared';
import { binaryFrameHeader } from './ws-frame-transport.ts';

describe('binaryFrameHeader (RFC 6455 5.2, unmasked server frame)', () => {
  it.each([
    [0, '8200'],
    [125, '827d'],
    [126, '827e007e'],
    [65535, '827effff'],
    [65536, '827f0000000000010000'],
    [300_000, '827f00000000000493e0'],
  ])('length %i', (n, hex) => {
    expect(toHex(binaryFrameHeader(n))).toBe(hex);
  });
});
