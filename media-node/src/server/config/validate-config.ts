import type { z } from 'zod';
import { ConfigError } from './config-error.ts';
import { camelizeDocument, camelToSnake, closestKey, displayPath, mergeOverrides } from './config-keys.ts';
import { nodeConfigSchema } from './config-schema.ts';
import type { ConfigOverrides, ParsedConfig } from './config-schema.ts';

/**
 * Turns a parsed file (snake_case keys; null for an empty file) plus CLI
 * overrides into a validated config with every default filled in. Throws a
 * ConfigError listing every problem, each naming its key path in the file's
 * spelling and saying what is expected:
 *
 * @example
 * validateConfig({ play: { mw_latency_ms: 'abc' } });
 * // ConfigError: config: play.mw_latency_ms: expected a whole number of milliseconds from 0 to 10000, got "abc"
 */
export function validateConfig(doc: unknown, overrides: ConfigOverrides = {}): ParsedConfig {
  if (doc !== null && (typeof doc !== 'object' || Array.isArray(doc))) {
    throw new ConfigError('config_invalid', [`config: the file must be a mapping of "key: value" lines, got ${describeInput(doc)}`]);
  }
  const camel = camelizeDocument(doc ?? {});
  const merged = mergeOverrides(camel.value, overrides);
  const result = nodeConfigSchema.safeParse(merged, { reportInput: true });
  const problems = [...camel.problems, ...(result.success ? [] : result.error.issues.flatMap(describeIssue))];
  if (problems.length > 0 || !result.success) throw new ConfigError('config_invalid', problems);
  return result.data;
}

function describeIssue(issue: z.core.$ZodIssue): string[] {
  const where = displayPath(issue.path);
  if (issue.code === 'unrecognized_keys') {
    const known = knownKeysAt(issue.path).map(camelToSnake);
    return issue.keys.map((camelKey) => {
      const key = camelToSnake(camelKey);
      const near = closestKey(key, known);
      const hint = near === undefined ? `; known keys here: ${known.join(', ')}` : ` (did you mean ${near}?)`;
      return `config: ${where === '' ? '' : `${where}.`}${key}: unknown key${hint}`;
    });
  }
  const secret = SECRET_KEYS.has(String(issue.path.at(-1)));
  const got = secret && typeof issue.input === 'string' ? `a string of ${issue.input.length} characters` : describeInput(issue.input);
  return [`config: ${where === '' ? '(top level)' : where}: ${issue.message}, got ${got}`];
}

/** Keys whose values are secrets: a problem with one says how long it is, never what it is (error output lands in logs). */
const SECRET_KEYS = new Set(['passphrase', 'nodeToken', 'secretAccessKey', 'sessionToken']);

export function describeInput(v: unknown): string {
  if (v === undefined) return 'nothing';
  if (Array.isArray(v)) return 'a list';
  if (v !== null && typeof v === 'object') return 'a mapping';
  return typeof v === 'string' ? JSON.stringify(v) : String(v);
}

/** Keys the schema knows in the mapping at `path` (camelCase), for "did you mean". */
function knownKeysAt(path: readonly PropertyKey[]): string[] {
  let node = unwrap(nodeConfigSchema as unknown as z.core.$ZodType);
  for (const seg of path) {
    const def = node._zod.def;
    if (def.type !== 'object' || typeof seg !== 'string') return [];
    const next = (def as z.core.$ZodObjectDef).shape[seg];
    if (next === undefined) return [];
    node = unwrap(next);
  }
  const def = node._zod.def;
  return def.type === 'object' ? Object.keys((def as z.core.$ZodObjectDef).shape) : [];
}

/** Sees through `.default()`, `.prefault()` and `.optional()` to the schema inside. */
function unwrap(t: z.core.$ZodType): z.core.$ZodType {
  let cur = t;
  for (;;) {
    const def = cur._zod.def as { type: string; innerType?: z.core.$ZodType };
    if ((def.type === 'default' || def.type === 'prefault' || def.type === 'optional') && def.innerType !== undefined) {
      cur = def.innerType;
    } else {
      return cur;
    }
  }
}
