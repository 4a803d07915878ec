/** How many players failed, and the most common failure as `message (xN)` for the report. */
export interface ErrorSummary {
  readonly errors: number;
  readonly topError: string | undefined;
}

/**
 * Counts the players' failures (undefined: no failure) by message. On a tie
 * the message seen first wins, so the summary is the same for the same order
 * of players.
 */
export function summarizeErrors(failures: Iterable<string | undefined>): ErrorSummary {
  const counts = new Map<string, number>();
  for (const e of failures) if (e !== undefined) counts.set(e, (counts.get(e) ?? 0) + 1);
  let topError: string | undefined;
  let top = 0;
  let errors = 0;
  for (const [message, n] of counts) {
    errors += n;
    if (n > top) [topError, top] = [`${message} (x${n})`, n];
  }
  return { errors, topError };
}
