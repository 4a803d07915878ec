import { describe, expect, it } from 'vitest';
import { FakeClock } from '../hub/clock.ts';
import { Source } from '../hub/source.ts';
import { SourceObservers } from './source-observers.ts';

describe('SourceObservers', () => {
  it('tells every observer in order, also after one throws, and reports the error', () => {
    const calls: string[] = [];
    const errors: string[] = [];
    const all = new SourceObservers((e, event) => errors.push(`${event}: ${(e as Error).message}`));
    all.add({ published: () => calls.push('a+'), unpublished: () => calls.push('a-') });
    all.add({
      published: () => {
        throw new Error('b broke');
      },
    });
    all.add(null);
    all.add({ published: () => calls.push('c+'), unpublished: () => calls.push('c-') });
    const source = new Source({ id: 'vid-1', vhost: 'v', app: 'a', stream: 's' }, new FakeClock(), { observer: all });
    const r = source.publish({ clientId: 'p' });
    expect(r.ok).toBe(true);
    source.unpublish();
    expect(calls).toEqual(['a+', 'c+', 'a-', 'c-']);
    expect(errors).toEqual(['published: b broke']);
  });
});
