/** Something that can stop and restart reading its socket. */
export interface Pausable {
  pause(): void;
  resume(): void;
}

/**
 * Cohorts the pacer spreads 'real' players over. Real players are not
 * synchronised, so neither are ours: with 10 cohorts and a 500 ms pause, a
 * tenth of the players wakes up every 50 ms.
 */
export const PACER_COHORTS = 10;

/**
 * Makes players read the way a real player does: sleep `pauseMs`, wake up,
 * take everything the kernel has buffered, sleep again. A cohort is resumed
 * in the timers phase and paused again in the check phase of the same event
 * loop turn (`setImmediate`), so in between the poll phase reads whatever is
 * waiting on each socket, once. One interval for all players keeps the cost
 * at one timer, not one per player.
 */
export class ReadPacer {
  private readonly cohorts: Pausable[][] = Array.from({ length: PACER_COHORTS }, () => []);
  private readonly pauseMs: number;
  private next = 0;
  private added = 0;
  private timer: NodeJS.Timeout | undefined;

  constructor(pauseMs: number) {
    this.pauseMs = pauseMs;
  }

  add(p: Pausable): void {
    this.cohorts[this.added++ % PACER_COHORTS]!.push(p);
  }

  start(): void {
    if (this.timer) return;
    this.timer = setInterval(() => this.wake(), Math.max(1, Math.round(this.pauseMs / PACER_COHORTS)));
  }

  stop(): void {
    clearInterval(this.timer);
    this.timer = undefined;
  }

  private wake(): void {
    const cohort = this.cohorts[this.next]!;
    this.next = (this.next + 1) % PACER_COHORTS;
    for (const p of cohort) p.resume();
    setImmediate(() => {
      for (const p of cohort) p.pause();
    });
  }
}
