/**
 * Runs storage jobs one after another, in the order they were queued, off the
 * media path: `run` returns at once; a job that throws is reported, never
 * rethrown, and the next one still runs. `idle()` waits for the queue to
 * drain (tests, shutdown).
 */
export class WriteQueue {
  private tail: Promise<void> = Promise.resolve();
  private count = 0;
  private readonly onError: (error: unknown) => void;

  constructor(onError: (error: unknown) => void) {
    this.onError = onError;
  }

  /** Jobs queued or running. */
  get pending(): number {
    return this.count;
  }

  run(job: () => Promise<void>): void {
    this.count++;
    this.tail = this.tail
      .then(job)
      .catch((e: unknown) => {
        try {
          this.onError(e);
        } catch {
          // a failing error reporter must not stop the queue
        }
      })
      .finally(() => {
        this.count--;
      });
  }

  /** Resolves once every job queued so far, and any they queued, has finished. */
  async idle(): Promise<void> {
    while (this.count > 0) await this.tail;
  }
}
