import { describe, expect, it } from 'vitest';
import { RecordingLogger } from './logger.ts';
import { TokenBucketLimiter } from './rate-limiter.ts';
import { WorkersRateLimiter } from './workers-rate-limiter.ts';
import type { RateLimitBinding } from './workers-rate-limiter.ts';

/** A binding that passes the first `limit` calls per key, or fails when told. */
function fakeBinding(limit: number): RateLimitBinding & { keys: string[]; broken: boolean } {
  const counts = new Map<string, number>();
  const b = {
    keys: [] as string[],
    broken: false,
    async limit({ key }: { key: string }) {
      if (b.broken) throw new Error('binding unavailable');
      b.keys.push(key);
      counts.set(key, (counts.get(key) ?? 0) + 1);
      return { success: (counts.get(key) ?? 0) <= limit };
    },
  };
  return b;
}

describe('WorkersRateLimiter', () => {
  it('asks the binding per key; a refusal waits one period; it claims no counts it does not have', async () => {
    const binding = fakeBinding(2);
    const l = new WorkersRateLimiter({ binding, periodS: 10, fallback: new TokenBucketLimiter({ perSecond: 1, burst: 1 }), log: new RecordingLogger() });
    expect(await l.take('a', 0)).toEqual({ ok: true, limit: undefined, remaining: undefined, retryAfterS: 0 });
    expect((await l.take('a', 0)).ok).toBe(true);
    expect(await l.take('a', 0)).toEqual({ ok: false, limit: undefined, remaining: undefined, retryAfterS: 10 });
    expect((await l.take('b', 0)).ok).toBe(true);
    expect(binding.keys).toEqual(['a', 'a', 'a', 'b']);
  });

  it('falls back to the isolate bucket when the binding fails, and logs it', async () => {
    const binding = fakeBinding(100);
    binding.broken = true;
    const log = new RecordingLogger();
    const l = new WorkersRateLimiter({ binding, periodS: 60, fallback: new TokenBucketLimiter({ perSecond: 1, burst: 1 }), log });
    expect(await l.take('a', 0)).toEqual({ ok: true, limit: 1, remaining: 0, retryAfterS: 0 });
    expect((await l.take('a', 0)).ok).toBe(false);
    expect(log.lines[0]).toMatchObject({ level: 'error', msg: 'rate limit binding failed; the isolate bucket decides' });
  });
});
