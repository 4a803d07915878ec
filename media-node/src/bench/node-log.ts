/**
 * What went wrong in the node under test, from its text log (server/log:
 * `<ISO time> <LEVEL padded to 5> <event> key=value ...`): how many streams
 * were unpublished and why, and how many warnings and errors of each event.
 * A stream that stops being real time usually says why here (a publish
 * timeout, a storage warning).
 */

/** Lines worth keeping from the node's output: warnings, errors, and unpublish lines (with their reason). */
export const NODE_LOG_KEEP = /^\S+ (?:WARN |ERROR )|^\S+ INFO {2}unpublish /;

const LINE = /^\S+ (DEBUG|INFO|WARN|ERROR)\s+(\S+)(.*)$/;

/** "unpublish reason=timeout x3; WARN storage_degraded x1", most frequent first; undefined when there is nothing to say. */
export function summarizeNodeLog(lines: readonly string[]): string | undefined {
  const counts = new Map<string, number>();
  for (const line of lines) {
    const m = LINE.exec(line);
    if (!m) continue;
    const [, level, event, rest] = m as unknown as [string, string, string, string];
    const reason = /\breason=(\S+)/.exec(rest)?.[1];
    let key: string;
    if (event === 'unpublish') key = `unpublish reason=${reason ?? '?'}`;
    else if (level === 'WARN' || level === 'ERROR') key = `${level} ${event}${reason === undefined ? '' : ` reason=${reason}`}`;
    else continue;
    counts.set(key, (counts.get(key) ?? 0) + 1);
  }
  if (counts.size === 0) return undefined;
  return [...counts].sort((a, b) => b[1] - a[1] || (a[0] < b[0] ? -1 : 1)).map(([k, n]) => `${k} x${n}`).join('; ');
}
