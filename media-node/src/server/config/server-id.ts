import { randomInt } from 'node:crypto';
import { mkdir, readFile, rename, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { ConfigError } from './config-error.ts';
import { SERVER_ID_PATTERN } from './config-schema.ts';

/** File in the data dir that keeps a generated server id across restarts (SRS persists its `vid-` too). */
export const SERVER_ID_FILE = 'server_id';

const ALPHABET = '0123456789abcdefghijklmnopqrstuvwxyz';

/** `length` random lower-case letters and digits, like SRS's `srs_random_str`. */
export function randomId(length: number): string {
  let out = '';
  for (let i = 0; i < length; i++) out += ALPHABET[randomInt(ALPHABET.length)];
  return out;
}

/** SRS `srs_generate_stat_vid`: "vid-" + 7 random chars. */
export function generateServerId(): string {
  return `vid-${randomId(7)}`;
}

/** SRS 5 `service_id`: 8 random chars, new for every process (tells restarts of one server apart). */
export function generateServiceId(): string {
  return randomId(8);
}

export interface ServerIdSources {
  /** `server_id` from the config file or flags. */
  readonly configured?: string;
  /** The SRS_SERVER_ID environment variable, read by the entry point and passed in. */
  readonly env?: string;
  /** Absolute data directory; created when the id has to be persisted. */
  readonly dataDir: string;
}

/**
 * SRS's order (`srs_app_config.cpp get_server_id`): the configured id, else
 * SRS_SERVER_ID, else the id persisted in `dataDir/server_id`, else a new
 * one that is written there (atomically: temp file + rename) for next time.
 */
export async function resolveServerId(src: ServerIdSources): Promise<string> {
  if (src.configured !== undefined) return src.configured;
  if (src.env !== undefined && src.env !== '') {
    if (!SERVER_ID_PATTERN.test(src.env)) {
      throw new ConfigError('config_invalid', [`config: SRS_SERVER_ID: expected 1-64 letters, digits, ".", "_" or "-", got ${JSON.stringify(src.env)}`]);
    }
    return src.env;
  }
  const file = join(src.dataDir, SERVER_ID_FILE);
  const stored = await readIfExists(file);
  if (stored !== undefined && stored.trim() !== '') {
    const id = stored.trim();
    if (!SERVER_ID_PATTERN.test(id)) {
      throw new ConfigError('config_invalid', [`config: ${file}: not a server id (${JSON.stringify(id.slice(0, 80))}); fix or delete the file`]);
    }
    return id;
  }
  const id = generateServerId();
  try {
    await mkdir(src.dataDir, { recursive: true });
    const tmp = `${file}.${process.pid}.tmp`;
    await writeFile(tmp, `${id}\n`);
    await rename(tmp, file);
  } catch (e) {
    throw new ConfigError('config_unreadable', [`config: data_dir: cannot write ${file}: ${(e as Error).message}`]);
  }
  return id;
}

async function readIfExists(file: string): Promise<string | undefined> {
  try {
    return await readFile(file, 'utf8');
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw new ConfigError('config_unreadable', [`config: data_dir: cannot read ${file}: ${(e as Error).message}`]);
  }
}
