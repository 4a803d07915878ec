import { describe, expect, it } from 'vitest';
import { idPattern, newApiKey, newId, newSrtPassphrase, newStreamKey } from './ids.ts';

describe('ids', () => {
  it('match their pattern and sort by creation time', () => {
    const a = newId('ls', 1_000);
    const b = newId('ls', 1_001);
    const c = newId('ls', Date.UTC(2100, 0, 1));
    for (const id of [a, b, c]) expect(id).toMatch(idPattern('ls'));
    expect([c, a, b].sort()).toEqual([a, b, c]);
    expect(idPattern('key').test(a)).toBe(false);
  });

  it('makes secrets of the documented size from letters and digits', () => {
    expect(newStreamKey()).toMatch(/^[0-9a-z]{32}$/);
    expect(newSrtPassphrase()).toMatch(/^[0-9a-z]{24}$/);
    expect(newApiKey()).toMatch(/^rnl_[0-9a-z]{40}$/);
    expect(new Set(Array.from({ length: 100 }, newStreamKey)).size).toBe(100);
  });
});
