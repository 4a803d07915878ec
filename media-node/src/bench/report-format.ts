/** How a bench run was made: the header of every markdown report (BENCHMARKS.md). */
export interface RunHeaderMeta {
  readonly command: string;
  readonly date: string;
  readonly machine: string;
  readonly node: string;
  /** The commit measured, and whether the working tree had changes on top of it. */
  readonly code: string;
  readonly pinning: string;
  readonly window: string;
}

/**
 * The markdown header of a run: date, command, machine and Node, code, the
 * source(s) (`[label, text]`, e.g. `['Source', '...']`), CPUs, window; ends
 * with a blank line.
 */
export function runHeaderLines(meta: RunHeaderMeta, sources: readonly (readonly [string, string])[]): string[] {
  return [
    `Run of ${meta.date}:`,
    '',
    '```',
    meta.command,
    '```',
    '',
    `- Machine: ${meta.machine}; Node ${meta.node}`,
    `- Code: ${meta.code}`,
    ...sources.map(([label, text]) => `- ${label}: ${text}`),
    `- CPUs: ${meta.pinning}`,
    `- Window: ${meta.window}`,
    '',
  ];
}

/**
 * A fixed-width text table for the terminal: the first `left` columns
 * left-aligned (names), the rest right-aligned (numbers), a dashed rule
 * under the header, two spaces between columns, no trailing spaces.
 */
export function textTable(headers: readonly string[], rows: readonly (readonly string[])[], left: number): string[] {
  const all = [headers, ...rows];
  const widths = headers.map((_, c) => Math.max(...all.map((cells) => cells[c]!.length)));
  const lines = all.map((cells) => cells.map((cell, c) => (c < left ? cell.padEnd(widths[c]!) : cell.padStart(widths[c]!))).join('  ').trimEnd());
  lines.splice(1, 0, widths.map((w) => '-'.repeat(w)).join('  '));
  return lines;
}

/** The same table in markdown: the first `left` columns left-aligned, the rest right-aligned. */
export function markdownTable(headers: readonly string[], rows: readonly (readonly string[])[], left: number): string[] {
  return [`| ${headers.join(' | ')} |`, `|${headers.map((_, c) => (c < left ? ' --- ' : ' ---: ')).join('|')}|`, ...rows.map((cells) => `| ${cells.join(' | ')} |`)];
}

/** First and last line of a failure (what failed, and the child's last words), without the log between. */
export function headline(failure: string): string {
  const lines = failure.split('\n').map((l) => l.trim()).filter((l) => l !== '');
  if (lines.length <= 1) return lines[0] ?? '';
  return `${lines[0]} ${lines[lines.length - 1]}`;
}

/** `v` with `digits` decimals, '-' when it is not a number (a failed case, a figure this row has not). */
export function fixed(v: number, digits: number): string {
  return Number.isFinite(v) ? v.toFixed(digits) : '-';
}

/** `n/d (p%)`, p rounded down to 0.1 % so 999/1000 never reads 100%; '-' for d = 0. */
export function fraction(n: number, d: number): string {
  return d === 0 ? '-' : `${n}/${d} (${Math.floor((n * 1000) / d) / 10}%)`;
}
