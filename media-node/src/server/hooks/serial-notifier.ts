/**
 * Notifications of one stream, sent one after another in the order they were
 * made, off the media path: SRS runs on_hls and on_dvr on one async worker
 * (`SrsAsyncCallWorker`, srs.md 3.1), so a hook receives segments in
 * sequence order. Unlike SRS's worker the queue is bounded: a hook that
 * hangs must not make the node hold an event per segment for ever.
 */
export class SerialNotifier {
  private readonly limit: number;
  private readonly onDrop: () => void;
  private tail: Promise<void> = Promise.resolve();
  private waiting = 0;

  /** `limit`: most tasks waiting or running; past it `push` drops the task and calls `onDrop`. */
  constructor(limit: number, onDrop: () => void) {
    this.limit = limit;
    this.onDrop = onDrop;
  }

  /** Tasks not yet finished. */
  get pending(): number {
    return this.waiting;
  }

  /**
   * Runs `task` after every task pushed before it. Returns false (and the
   * task never runs) when `limit` tasks are pending. A task that throws or
   * rejects does not stop the ones after it.
   */
  push(task: () => Promise<void>): boolean {
    if (this.waiting >= this.limit) {
      this.onDrop();
      return false;
    }
    this.waiting++;
    this.tail = this.tail
      .then(task)
      .catch(() => undefined)
      .finally(() => {
        this.waiting--;
      });
    return true;
  }

  /** Resolves when every task pushed so far has finished. */
  idle(): Promise<void> {
    return this.tail;
  }
}
