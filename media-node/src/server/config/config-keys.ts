/**
 * The file speaks snake_case (SRS style, `mw_latency_ms`), the code camelCase
 * (`mwLatencyMs`). The mapping is one-to-one because schema keys are words of
 * lower-case letters and digits joined by `_` (a test checks every key).
 */

/** A key as written in the file: lower-case words joined by single underscores. */
const SNAKE_KEY = /^[a-z][a-z0-9]*(?:_[a-z][a-z0-9]*)*$/;

export function snakeToCamel(key: string): string {
  return key.replace(/_([a-z])/g, (_, c: string) => c.toUpperCase());
}

export function camelToSnake(key: string): string {
  return key.replace(/[A-Z]/g, (c) => `_${c.toLowerCase()}`);
}

/** The snake_case spelling of a key someone wrote as `mwLatencyMs`, `mw-latency-ms` or `MW_LATENCY_MS`. */
function snakeSpelling(key: string): string {
  return camelToSnake(key.replace(/^[A-Z0-9_]+$/, (k) => k.toLowerCase()))
    .replace(/[-\s]+/g, '_')
    .replace(/_+/g, '_')
    .replace(/^_|_$/g, '');
}

/** `hooks.on_publish[1]` from a camelCase path. */
export function displayPath(path: readonly PropertyKey[]): string {
  let out = '';
  for (const seg of path) {
    if (typeof seg === 'number') out += `[${seg}]`;
    else out += (out === '' ? '' : '.') + camelToSnake(String(seg));
  }
  return out;
}

export interface Camelized {
  readonly value: unknown;
  /** `config: <path>: ...` lines for keys that are not snake_case. */
  readonly problems: readonly string[];
}

/**
 * Renames every mapping key of a parsed file from snake_case to camelCase.
 * Keys that are not snake_case are problems (not silently accepted), so
 * there is exactly one way to spell each key in a file.
 */
export function camelizeDocument(doc: unknown): Camelized {
  const problems: string[] = [];
  const walk = (v: unknown, path: readonly PropertyKey[]): unknown => {
    if (Array.isArray(v)) return v.map((x, i) => walk(x, [...path, i]));
    if (v === null || typeof v !== 'object') return v;
    const out: Record<string, unknown> = {};
    for (const [key, child] of Object.entries(v)) {
      if (!SNAKE_KEY.test(key)) {
        const where = displayPath(path);
        const suggestion = snakeSpelling(key);
        const hint = SNAKE_KEY.test(suggestion) ? `; write "${suggestion}"` : '';
        problems.push(`config: ${where === '' ? '' : `${where}.`}${key}: keys are snake_case${hint}`);
        continue;
      }
      const camel = snakeToCamel(key);
      out[camel] = walk(child, [...path, camel]);
    }
    return out;
  };
  return { value: walk(doc, []), problems };
}

/** Plain-object deep merge: `over` wins, lists and scalars are replaced, `undefined` leaves the base value. */
export function mergeOverrides(base: unknown, over: unknown): unknown {
  if (over === undefined) return base;
  if (!isPlainObject(over) || !isPlainObject(base)) return over;
  const out: Record<string, unknown> = { ...base };
  for (const [k, v] of Object.entries(over)) out[k] = mergeOverrides(base[k], v);
  return out;
}

function isPlainObject(v: unknown): v is Record<string, unknown> {
  return v !== null && typeof v === 'object' && !Array.isArray(v);
}

/** Levenshtein distance, for "did you mean" on unknown keys (keys are short, O(n*m) is fine). */
export function editDistance(a: string, b: string): number {
  let prev = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    const cur = [i];
    for (let j = 1; j <= b.length; j++) {
      cur[j] = Math.min(prev[j] + 1, cur[j - 1] + 1, prev[j - 1] + (a[i - 1] === b[j - 1] ? 0 : 1));
    }
    prev = cur;
  }
  return prev[b.length];
}

/** The closest known key, when it is close enough to be the intended one. */
export function closestKey(key: string, known: readonly string[]): string | undefined {
  let best: string | undefined;
  let bestDistance = Infinity;
  for (const k of known) {
    const d = editDistance(key, k);
    if (d < bestDistance) [best, bestDistance] = [k, d];
  }
  return bestDistance <= Math.max(2, Math.floor(key.length / 3)) ? best : undefined;
}
