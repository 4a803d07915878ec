import { readFile, stat } from 'node:fs/promises';
import { extname, resolve } from 'node:path';
import { ConfigError } from './config-error.ts';
import type { ConfigOverrides, NodeConfig } from './config-schema.ts';
import { resolveServerId } from './server-id.ts';
import { validateConfig } from './validate-config.ts';
import { parseYamlSubset } from './yaml-subset.ts';

/** Largest config file we read; a full node config is a few KB, this only stops reading a wrong file. */
export const MAX_CONFIG_BYTES = 1024 * 1024;

/**
 * JSON when the file ends in `.json` (or, with another extension, starts
 * with `{`), else the YAML subset of `yaml-subset.ts`.
 */
export function parseConfigText(text: string, source: string): unknown {
  const ext = extname(source).toLowerCase();
  const json = ext === '.json' || (ext !== '.yaml' && ext !== '.yml' && text.trimStart().startsWith('{'));
  if (!json) return parseYamlSubset(text, source);
  try {
    return JSON.parse(text) as unknown;
  } catch (e) {
    throw new ConfigError('config_syntax', [`config: ${source}: invalid JSON: ${(e as Error).message}`]);
  }
}

export interface LoadConfigOptions {
  /** Config file (JSON or YAML); none = every default. Relative to `cwd`. */
  readonly file?: string;
  /** Values from flags; they win over the file. */
  readonly overrides?: ConfigOverrides;
  /** The SRS_SERVER_ID environment variable (read by the entry point, never below it). */
  readonly envServerId?: string;
  /** The process working directory: `file` and `data_dir` are relative to it. */
  readonly cwd: string;
}

/**
 * Everything `runnel node` needs before it starts listening: reads and
 * validates the file, applies the flags, makes `dataDir` absolute, resolves
 * the server id (may create `dataDir/server_id`) and freezes the result.
 * Throws ConfigError with one line per problem.
 */
export async function loadNodeConfig(opts: LoadConfigOptions): Promise<NodeConfig> {
  let doc: unknown = null;
  if (opts.file !== undefined) {
    const path = resolve(opts.cwd, opts.file);
    doc = parseConfigText(await readConfigFile(path, opts.file), opts.file);
  }
  const parsed = validateConfig(doc, opts.overrides);
  const dataDir = resolve(opts.cwd, parsed.dataDir);
  const serverId = await resolveServerId({ configured: parsed.serverId, env: opts.envServerId, dataDir });
  return deepFreeze({ ...parsed, dataDir, serverId });
}

async function readConfigFile(path: string, shown: string): Promise<string> {
  try {
    const info = await stat(path);
    if (!info.isFile()) throw new ConfigError('config_unreadable', [`config: ${shown}: not a file`]);
    if (info.size > MAX_CONFIG_BYTES) {
      throw new ConfigError('config_unreadable', [`config: ${shown}: ${info.size} bytes is larger than ${MAX_CONFIG_BYTES}; is this the right file?`]);
    }
    return await readFile(path, 'utf8');
  } catch (e) {
    if (e instanceof ConfigError) throw e;
    const code = (e as NodeJS.ErrnoException).code;
    const why = code === 'ENOENT' ? 'no such file' : code === 'EACCES' ? 'permission denied' : (e as Error).message;
    throw new ConfigError('config_unreadable', [`config: ${shown}: cannot read: ${why}`]);
  }
}

function deepFreeze<T>(v: T): T {
  if (v !== null && typeof v === 'object') {
    for (const child of Object.values(v)) deepFreeze(child);
    Object.freeze(v);
  }
  return v;
}
