import { describe, expect, it } from 'vitest';
import { TokenBucketLimiter } from './rate-limiter.ts';

describe('TokenBucketLimiter', () => {
  it('refills at the rate and never above the burst', () => {
    const l = new TokenBucketLimiter({ perSecond: 10, burst: 2 });
    expect(l.take('k', 0).ok).toBe(true);
    expect(l.take('k', 0).ok).toBe(true);
    const no = l.take('k', 0);
    expect(no).toEqual({ ok: false, limit: 2, remaining: 0, retryAfterS: 1 });
    expect(l.take('k', 100).ok).toBe(true);
    expect(l.take('k', 100_000).remaining).toBe(1);
  });

  it('tells how long to wait in whole seconds', () => {
    const l = new TokenBucketLimiter({ perSecond: 0.25, burst: 1 });
    l.take('k', 0);
    expect(l.take('k', 0).retryAfterS).toBe(4);
  });

  it('keeps at most maxKeys buckets, dropping the least recently used', () => {
    const l = new TokenBucketLimiter({ perSecond: 1, burst: 1, maxKeys: 2 });
    l.take('a', 0);
    l.take('b', 0);
    expect(l.take('a', 0).ok).toBe(false); // a is now the most recently used
    l.take('c', 0); // evicts b
    expect(l.take('a', 0).ok).toBe(false); // a kept its empty bucket
    expect(l.take('b', 0).ok).toBe(true); // b starts full again
  });
});
