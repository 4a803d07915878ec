import { describe, expect, it } from 'vitest';
import { DEFAULT_MAX_BODY_BYTES, EnvError, parseAppEnv, parseNodeEnv } from './env.ts';

const token = 'n'.repeat(32);

describe('parseNodeEnv', () => {
  it('fills defaults', () => {
    expect(parseNodeEnv({ RUNNEL_NODE_TOKEN: token })).toEqual({
      app: {
        nodeToken: token,
        adminToken: undefined,
        bootstrapApiKey: undefined,
        hlsBaseUrl: 'http://localhost:8787/hls',
        playbackKeys: [],
        maxBodyBytes: DEFAULT_MAX_BODY_BYTES,
        rateLimit: { perSecond: 20, burst: 100 },
        webhookAllowInsecure: false,
      },
      port: 8787,
      host: '127.0.0.1',
      dbFile: '.runnel/control-plane.db',
    });
  });

  it('reads numbers, URLs and playback keys', () => {
    const c = parseNodeEnv({
      RUNNEL_NODE_TOKEN: token,
      PORT: '9000',
      RUNNEL_PUBLIC_URL: 'https://cp.example.com/',
      RUNNEL_PLAYBACK_KEYS: `k2:${'b'.repeat(32)}, k1:${'a'.repeat(32)}`,
      RUNNEL_RATE_LIMIT_PER_S: '5',
    });
    expect(c.port).toBe(9000);
    expect(c.app.hlsBaseUrl).toBe('https://cp.example.com/hls');
    expect(c.app.playbackKeys).toEqual([
      { kid: 'k2', secret: 'b'.repeat(32) },
      { kid: 'k1', secret: 'a'.repeat(32) },
    ]);
    expect(c.app.rateLimit.perSecond).toBe(5);
    expect(parseNodeEnv({ RUNNEL_NODE_TOKEN: token, RUNNEL_WEBHOOK_ALLOW_INSECURE: '1' }).app.webhookAllowInsecure).toBe(true);
    expect(parseNodeEnv({ RUNNEL_NODE_TOKEN: token, RUNNEL_WEBHOOK_ALLOW_INSECURE: 'false' }).app.webhookAllowInsecure).toBe(false);
    expect(Object.isFrozen(c.app)).toBe(true);
  });

  const bad: ReadonlyArray<[string, Record<string, string>]> = [
    ['RUNNEL_NODE_TOKEN', {}],
    ['RUNNEL_NODE_TOKEN', { RUNNEL_NODE_TOKEN: 'short' }],
    ['PORT', { RUNNEL_NODE_TOKEN: token, PORT: '70000' }],
    ['RUNNEL_PUBLIC_URL', { RUNNEL_NODE_TOKEN: token, RUNNEL_PUBLIC_URL: 'ftp://x' }],
    ['RUNNEL_PLAYBACK_KEYS', { RUNNEL_NODE_TOKEN: token, RUNNEL_PLAYBACK_KEYS: 'k1:tooshort' }],
    ['RUNNEL_BOOTSTRAP_API_KEY', { RUNNEL_NODE_TOKEN: token, RUNNEL_BOOTSTRAP_API_KEY: 'secret' }],
    ['RUNNEL_MAX_BODY_BYTES', { RUNNEL_NODE_TOKEN: token, RUNNEL_MAX_BODY_BYTES: '-1' }],
    ['RUNNEL_WEBHOOK_ALLOW_INSECURE', { RUNNEL_NODE_TOKEN: token, RUNNEL_WEBHOOK_ALLOW_INSECURE: 'maybe' }],
  ];

  it.each(bad)('names %s when it is wrong', (name, env) => {
    expect(() => parseNodeEnv(env)).toThrow(EnvError);
    expect(() => parseNodeEnv(env)).toThrow(name);
  });
});

describe('parseAppEnv', () => {
  it('reads Worker vars the same way', () => {
    expect(parseAppEnv({ RUNNEL_NODE_TOKEN: token, RUNNEL_HLS_BASE_URL: 'https://cdn.example.com/hls/' }).hlsBaseUrl).toBe('https://cdn.example.com/hls');
  });
});
