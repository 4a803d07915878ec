import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { ConfigError } from './config-error.ts';
import { loadNodeConfig, MAX_CONFIG_BYTES, parseConfigText } from './load-config.ts';
import { SERVER_ID_FILE, generateServerId, generateServiceId, resolveServerId } from './server-id.ts';

let dir: string;
beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'runnel-config-'));
});
afterEach(async () => {
  await rm(dir, { recursive: true, force: true });
});

async function configError(p: Promise<unknown>): Promise<ConfigError> {
  try {
    await p;
  } catch (e) {
    expect(e).toBeInstanceOf(ConfigError);
    return e as ConfigError;
  }
  throw new Error('expected a ConfigError');
}

describe('parseConfigText', () => {
  it('reads JSON by extension or by a leading brace, YAML otherwise', () => {
    expect(parseConfigText('{"a": 1}', 'n.json')).toEqual({ a: 1 });
    expect(parseConfigText(' {"a": 1}', 'n.conf')).toEqual({ a: 1 });
    expect(parseConfigText('a: 1', 'n.yaml')).toEqual({ a: 1 });
    expect(parseConfigText('a: 1', 'n.conf')).toEqual({ a: 1 });
  });

  it('reports JSON syntax errors with the file name', () => {
    let err: unknown;
    try {
      parseConfigText('{"a": }', 'n.json');
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(ConfigError);
    expect((err as ConfigError).code).toBe('config_syntax');
    expect((err as ConfigError).message).toMatch(/^config: n\.json: invalid JSON: /);
  });
});

describe('loadNodeConfig', () => {
  it('loads a YAML file relative to cwd, applies flags, resolves data_dir and persists a server id', async () => {
    await writeFile(join(dir, 'node.yaml'), 'data_dir: state\nlisten:\n  rtmp: 1936\n  http: 8081\n');
    const c = await loadNodeConfig({ file: 'node.yaml', cwd: dir, overrides: { listen: { http: 0 } } });
    expect(c.listen.rtmp).toBe(1936);
    expect(c.listen.http).toBe(0);
    expect(c.dataDir).toBe(join(dir, 'state'));
    expect(c.serverId).toMatch(/^vid-[0-9a-z]{7}$/);
    expect((await readFile(join(dir, 'state', SERVER_ID_FILE), 'utf8')).trim()).toBe(c.serverId);
    const again = await loadNodeConfig({ file: 'node.yaml', cwd: dir });
    expect(again.serverId).toBe(c.serverId);
  });

  it('loads a JSON file and returns a frozen config', async () => {
    await writeFile(join(dir, 'node.json'), JSON.stringify({ server_id: 'vid-json', play: { gop_cache: false } }));
    const c = await loadNodeConfig({ file: join(dir, 'node.json'), cwd: '/' });
    expect(c.serverId).toBe('vid-json');
    expect(c.play.gopCache).toBe(false);
    expect(Object.isFrozen(c)).toBe(true);
    expect(Object.isFrozen(c.play)).toBe(true);
    expect(Object.isFrozen(c.hooks.onPublish)).toBe(true);
  });

  it('with no file gives the defaults', async () => {
    const c = await loadNodeConfig({ cwd: dir, envServerId: 'vid-env' });
    expect(c.listen.rtmp).toBe(1935);
    expect(c.serverId).toBe('vid-env');
  });

  it('says which file is missing', async () => {
    const e = await configError(loadNodeConfig({ file: 'nope.yaml', cwd: dir }));
    expect(e.code).toBe('config_unreadable');
    expect(e.message).toBe('config: nope.yaml: cannot read: no such file');
  });

  it('refuses a directory and an oversized file', async () => {
    expect((await configError(loadNodeConfig({ file: '.', cwd: dir }))).message).toBe('config: .: not a file');
    await writeFile(join(dir, 'big.yaml'), `# ${'x'.repeat(MAX_CONFIG_BYTES)}\n`);
    expect((await configError(loadNodeConfig({ file: 'big.yaml', cwd: dir }))).message).toMatch(/^config: big\.yaml: \d+ bytes is larger than/);
  });

  it('passes syntax and validation problems through', async () => {
    await writeFile(join(dir, 'bad.yaml'), 'play:\n  mw_latency_ms: abc\n');
    const e = await configError(loadNodeConfig({ file: 'bad.yaml', cwd: dir }));
    expect(e.code).toBe('config_invalid');
    expect(e.problems).toEqual(['config: play.mw_latency_ms: expected a whole number of milliseconds from 0 to 10000, got "abc"']);
    await writeFile(join(dir, 'bad.yaml'), 'play:\n\tatc: true\n');
    expect((await configError(loadNodeConfig({ file: 'bad.yaml', cwd: dir }))).message).toBe(
      'config: bad.yaml:2: tabs are not allowed in indentation; use spaces',
    );
  });
});

describe('resolveServerId', () => {
  it('prefers the configured id, then SRS_SERVER_ID, then the persisted file', async () => {
    await writeFile(join(dir, SERVER_ID_FILE), 'vid-stored\n');
    expect(await resolveServerId({ configured: 'vid-conf', env: 'vid-env', dataDir: dir })).toBe('vid-conf');
    expect(await resolveServerId({ env: 'vid-env', dataDir: dir })).toBe('vid-env');
    expect(await resolveServerId({ env: '', dataDir: dir })).toBe('vid-stored');
  });

  it('creates the data dir and generates an id when there is none', async () => {
    const dataDir = join(dir, 'a', 'b');
    const id = await resolveServerId({ dataDir });
    expect(id).toMatch(/^vid-[0-9a-z]{7}$/);
    expect(await readFile(join(dataDir, SERVER_ID_FILE), 'utf8')).toBe(`${id}\n`);
  });

  it('rejects a bad SRS_SERVER_ID and a corrupt id file', async () => {
    expect((await configError(resolveServerId({ env: 'a b', dataDir: dir }))).message).toContain('config: SRS_SERVER_ID: expected');
    await writeFile(join(dir, SERVER_ID_FILE), 'not an id');
    expect((await configError(resolveServerId({ dataDir: dir }))).message).toContain('not a server id');
  });

  it('generates SRS-shaped ids that differ', () => {
    const ids = new Set(Array.from({ length: 50 }, generateServerId));
    expect(ids.size).toBe(50);
    expect(generateServiceId()).toMatch(/^[0-9a-z]{8}$/);
  });
});
