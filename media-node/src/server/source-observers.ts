import type { Source, SourceObserver } from '../hub/source.ts';

/**
 * Several per-stream outputs (HLS, DVR ...) behind the hub's one
 * SourceObserver: each is told in the order it was added, and one that
 * throws is reported without keeping the others from hearing about the
 * publish. Outputs may be added after the registry is built (before any
 * listener accepts a publisher).
 */
export class SourceObservers implements SourceObserver {
  private readonly list: SourceObserver[] = [];
  private readonly onError: (error: unknown, event: 'published' | 'unpublished') => void;

  constructor(onError: (error: unknown, event: 'published' | 'unpublished') => void) {
    this.onError = onError;
  }

  add(observer: SourceObserver | null): void {
    if (observer !== null) this.list.push(observer);
  }

  published(source: Source): void {
    for (const o of this.list) {
      try {
        o.published?.(source);
      } catch (e) {
        this.onError(e, 'published');
      }
    }
  }

  unpublished(source: Source): void {
    for (const o of this.list) {
      try {
        o.unpublished?.(source);
      } catch (e) {
        this.onError(e, 'unpublished');
      }
    }
  }
}
