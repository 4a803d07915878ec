import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import type { z } from 'zod';
import { ConfigError } from './config-error.ts';
import { camelToSnake, snakeToCamel } from './config-keys.ts';
import { nodeConfigSchema } from './config-schema.ts';
import { validateConfig } from './validate-config.ts';
import { parseYamlSubset } from './yaml-subset.ts';

function problemsOf(doc: unknown, overrides = {}): readonly string[] {
  try {
    validateConfig(doc, overrides);
  } catch (e) {
    expect(e).toBeInstanceOf(ConfigError);
    expect((e as ConfigError).code).toBe('config_invalid');
    return (e as ConfigError).problems;
  }
  throw new Error('expected a ConfigError');
}

/** Every key path of the schema's mappings, camelCase, e.g. ['play', 'mwLatencyMs']. */
function schemaPaths(t: z.core.$ZodType, prefix: string[] = []): string[][] {
  let cur = t;
  for (;;) {
    const def = cur._zod.def as { type: string; innerType?: z.core.$ZodType };
    if (def.innerType === undefined || !['default', 'prefault', 'optional'].includes(def.type)) break;
    cur = def.innerType;
  }
  const def = cur._zod.def;
  if (def.type !== 'object') return [prefix];
  return Object.entries((def as z.core.$ZodObjectDef).shape).flatMap(([k, v]) => schemaPaths(v, [...prefix, k]));
}

const example = parseYamlSubset(readFileSync(new URL('./node.example.yaml', import.meta.url), 'utf8'), 'node.example.yaml');

describe('validateConfig defaults', () => {
  const d = validateConfig(null);

  it.each([
    ['listen.rtmp', d.listen.rtmp, 1935],
    ['listen.http', d.listen.http, 8080],
    ['listen.api', d.listen.api, 1985],
    ['listen.srt', d.listen.srt, 10080],
    ['listen.rtc', d.listen.rtc, 8000],
    ['rtmp.chunkSize', d.rtmp.chunkSize, 60000],
    ['rtmp.publish.firstPacketTimeoutMs', d.rtmp.publish.firstPacketTimeoutMs, 20000],
    ['rtmp.publish.normalTimeoutMs', d.rtmp.publish.normalTimeoutMs, 5000],
    ['play.gopCache', d.play.gopCache, true],
    ['play.gopCacheMaxFrames', d.play.gopCacheMaxFrames, 2500],
    ['play.queueLengthMs', d.play.queueLengthMs, 30000],
    ['play.mwLatencyMs', d.play.mwLatencyMs, 350],
    ['play.mwMsgs', d.play.mwMsgs, 8],
    ['play.timeJitter', d.play.timeJitter, 'full'],
    ['play.atc', d.play.atc, false],
    ['play.minLatency', d.play.minLatency, false],
    ['hooks.timeoutMs', d.hooks.timeoutMs, 3000],
  ])('%s defaults to the SRS value', (_name, actual, srs) => {
    expect(actual).toBe(srs);
  });

  it('an empty mapping and an empty file give the same config', () => {
    expect(validateConfig({})).toStrictEqual(d);
  });

  it('node.example.yaml documents exactly the defaults', () => {
    expect(validateConfig(example)).toStrictEqual(d);
  });

  it('node.example.yaml lists every key of the schema (server_id commented out)', () => {
    const missing = schemaPaths(nodeConfigSchema)
      .map((p) => p.map(camelToSnake))
      .filter((p) => p.join('.') !== 'server_id')
      .filter((p) => p.reduce<unknown>((o, k) => (o as Record<string, unknown> | undefined)?.[k], example) === undefined);
    expect(missing).toEqual([]);
  });

  it('every schema key maps one-to-one between camelCase and snake_case', () => {
    for (const path of schemaPaths(nodeConfigSchema)) {
      for (const key of path) {
        expect(key).toMatch(/^[a-z][a-zA-Z0-9]*$/);
        expect(snakeToCamel(camelToSnake(key))).toBe(key);
      }
    }
  });
});

describe('validateConfig values', () => {
  it('maps snake_case file keys to the camelCase result', () => {
    const c = validateConfig({ server_id: 'vid-abc', play: { mw_latency_ms: 0, gop_cache: false }, http_api: { enabled: false } });
    expect(c.serverId).toBe('vid-abc');
    expect(c.play.mwLatencyMs).toBe(0);
    expect(c.play.gopCache).toBe(false);
    expect(c.httpApi.enabled).toBe(false);
    expect(c.play.mwMsgs).toBe(8);
  });

  it('reads an s3 storage section, defaults local with a 1 GiB spool', () => {
    expect(validateConfig(null).storage).toEqual({
      type: 'local',
      s3: { endpoint: '', region: 'us-east-1', bucket: '', prefix: '', accessKeyId: '', secretAccessKey: '', forcePathStyle: false },
      spool: { dir: 'spool', maxBytes: 1024 ** 3 },
    });
    const c = validateConfig({
      storage: { type: 's3', s3: { endpoint: 'http://127.0.0.1:9000', bucket: 'media', prefix: 'hls/', access_key_id: 'k', secret_access_key: 's', force_path_style: true } },
    });
    expect(c.storage.type).toBe('s3');
    expect(c.storage.s3).toMatchObject({ endpoint: 'http://127.0.0.1:9000', bucket: 'media', prefix: 'hls/', accessKeyId: 'k', forcePathStyle: true });
  });

  it('splits an SRS-style space-separated hook line into URLs', () => {
    const c = validateConfig({ hooks: { on_publish: 'http://a/x  https://b/y' } });
    expect(c.hooks.onPublish).toEqual(['http://a/x', 'https://b/y']);
  });

  it('lets overrides win over the file, and validates them', () => {
    const c = validateConfig({ listen: { rtmp: 1000, http: 2000 } }, { listen: { rtmp: 0 }, log: { format: 'json' } });
    expect(c.listen.rtmp).toBe(0);
    expect(c.listen.http).toBe(2000);
    expect(c.log.format).toBe('json');
    expect(problemsOf({}, { listen: { api: 70000 } })).toEqual(['config: listen.api: expected a port number from 0 to 65535, got 70000']);
  });
});

const badDocs: { name: string; doc: unknown; problems: string[] }[] = [
  {
    name: 'a string where a number belongs',
    doc: { play: { mw_latency_ms: 'abc' } },
    problems: ['config: play.mw_latency_ms: expected a whole number of milliseconds from 0 to 10000, got "abc"'],
  },
  { name: 'a negative number', doc: { play: { mw_msgs: -1 } }, problems: ['config: play.mw_msgs: expected an integer from 0 to 128, got -1'] },
  { name: 'a fraction', doc: { rtmp: { chunk_size: 4096.5 } }, problems: ['config: rtmp.chunk_size: expected an integer from 128 to 65536, got 4096.5'] },
  { name: 'a port out of range', doc: { listen: { rtmp: 65536 } }, problems: ['config: listen.rtmp: expected a port number from 0 to 65535, got 65536'] },
  { name: 'a misspelled key', doc: { play: { mw_latncy_ms: 1 } }, problems: ['config: play.mw_latncy_ms: unknown key (did you mean mw_latency_ms?)'] },
  {
    name: 'an unknown top-level key',
    doc: { zzz: 1 },
    problems: ['config: zzz: unknown key; known keys here: server_id, data_dir, listen, log, rtmp, play, hls, dvr, srt, rtc, storage, http, http_api, hooks, control_plane'],
  },
  { name: 'a camelCase key', doc: { play: { mwLatencyMs: 1 } }, problems: ['config: play.mwLatencyMs: keys are snake_case; write "mw_latency_ms"'] },
  { name: 'a kebab-case key', doc: { 'http-api': {} }, problems: ['config: http-api: keys are snake_case; write "http_api"'] },
  { name: 'a bad enum value', doc: { log: { format: 'xml' } }, problems: ['config: log.format: expected one of text, json, got "xml"'] },
  { name: 'SRS on/off for a boolean', doc: { play: { gop_cache: 'on' } }, problems: ['config: play.gop_cache: expected true or false, got "on"'] },
  {
    name: 'a hook URL that is not http',
    doc: { hooks: { on_publish: ['http://ok/x', 'ftp://x'] } },
    problems: ['config: hooks.on_publish[1]: expected a list of http:// or https:// URLs, got "ftp://x"'],
  },
  {
    name: 'a control plane URL that is not http',
    doc: { control_plane: { url: 'ftp://cp', node_token: 'x'.repeat(32) } },
    problems: ['config: control_plane.url: expected "" or the http:// or https:// base URL of the control plane, got "ftp://cp"'],
  },
  {
    name: 'a control plane URL without a node token',
    doc: { control_plane: { url: 'http://127.0.0.1:8787' } },
    problems: ["config: control_plane.node_token: expected the control plane's node token (32+ characters) when control_plane.url is set, got a string of 0 characters"],
  },
  { name: 'an upper-case control plane node id', doc: { control_plane: { node_id: 'Node1' } }, problems: ['config: control_plane.node_id: expected "" or lowercase letters, digits and dashes, at most 63, got "Node1"'] },
  { name: 'an SRT passphrase libsrt refuses', doc: { srt: { passphrase: 'short' } }, problems: [`config: srt.passphrase: expected "" or a passphrase of 10 to 80 characters (libsrt's limits), got a string of 5 characters`] },
  { name: 'an SRT key length that is not AES', doc: { srt: { pbkeylen: 20 } }, problems: ['config: srt.pbkeylen: expected 0, 16, 24 or 32, got 20'] },
  { name: 'a scalar where a section belongs', doc: { listen: 5 }, problems: ['config: listen: expected a mapping (indented "key: value" lines), got 5'] },
  { name: 'a bad host', doc: { listen: { host: 'not a host!' } }, problems: [`config: listen.host: expected an IP address or a host name to bind, such as 0.0.0.0 or ::, got "not a host!"`] },
  { name: 'a bad server id', doc: { server_id: 'a b' }, problems: ['config: server_id: expected 1-64 letters, digits, ".", "_" or "-", got "a b"'] },
  { name: 'a top-level list', doc: ['a'], problems: ['config: the file must be a mapping of "key: value" lines, got a list'] },
  { name: 's3 without a bucket', doc: { storage: { type: 's3' } }, problems: ['config: storage.s3.bucket: expected a bucket name when storage.type is s3, got ""'] },
  {
    name: 'an s3 key without its secret',
    doc: { storage: { type: 's3', s3: { bucket: 'media', access_key_id: 'AKIA' } } },
    problems: ['config: storage.s3.secret_access_key: expected access_key_id and secret_access_key together (or neither), got a string of 0 characters'],
  },
  {
    name: 'an s3 prefix that climbs out',
    doc: { storage: { s3: { prefix: 'hls/../x' } } },
    problems: ['config: storage.s3.prefix: expected a folder in the bucket such as hls/ (letters, digits, "_", "-", ".", "/"; no leading "/", no "." or ".." folder), got "hls/../x"'],
  },
  { name: 'a bad bucket name', doc: { storage: { s3: { bucket: 'Media_1' } } }, problems: ['config: storage.s3.bucket: expected an S3 bucket name (3-63 lower-case letters, digits, "." and "-"), got "Media_1"'] },
  { name: 'an unknown storage type', doc: { storage: { type: 'gcs' } }, problems: ['config: storage.type: expected one of local, s3, got "gcs"'] },
  {
    name: 'a spool bound below 1 MiB',
    doc: { storage: { spool: { max_bytes: 1000 } } },
    problems: ['config: storage.spool.max_bytes: expected an integer from 1048576 to 1099511627776, got 1000'],
  },
  {
    name: 'several problems at once',
    doc: { play: { mw_msgs: 500, atc: 1 }, log: { level: 'loud' } },
    problems: [
      'config: log.level: expected one of debug, info, warn, error, got "loud"',
      'config: play.mw_msgs: expected an integer from 0 to 128, got 500',
      'config: play.atc: expected true or false, got 1',
    ],
  },
];

describe('validateConfig problems', () => {
  it.each(badDocs)('names the key and what is expected: $name', (c) => {
    expect(problemsOf(c.doc)).toEqual(c.problems);
  });

  it('joins the problems into the error message, one per line', () => {
    const e = (() => {
      try {
        validateConfig({ play: { mw_msgs: 500 }, zzz: 1 });
      } catch (err) {
        return err as ConfigError;
      }
      throw new Error('expected a ConfigError');
    })();
    expect(e.message.split('\n')).toEqual(e.problems);
    expect(e.problems).toHaveLength(2);
  });
});
