// The one list of test projects. vitest.config.ts imports it (Vitest 4+ reads
// projects from the config file only).
import { cloudflareTest } from '@cloudflare/vitest-plugin';

export const projects = [
  {
    test: {
      name: 'shared',
      root: './shared',
      include: ['src/**/*.test.ts'],
    },
  },
  {
    test: {
      name: 'media-node',
      root: './media-node',
      include: ['src/**/*.test.ts'],
    },
  },
  {
    test: {
      name: 'control-plane',
      root: './control-plane',
      include: ['src/**/*.test.ts'],
      // src/entry/worker.test.ts bundles with wrangler and boots workerd (Miniflare) once.
      testTimeout: 20_000,
      hookTimeout: 60_000,
    },
  },
  {
    // The control plane's Worker inside workerd, with Cloudflare's Vitest integration: the tests run in
    // the Workers runtime beside the Worker, with wrangler.toml's D1 and R2 bindings (local, offline).
    plugins: [
      cloudflareTest({
        wrangler: { configPath: './wrangler.toml' },
        miniflare: {
          bindings: {
            RUNNEL_NODE_TOKEN: 'workers-pool-node-token-0123456789abcdef',
            RUNNEL_BOOTSTRAP_API_KEY: 'rnl_workerspooltest0123456789abcdefghjkmn',
            RUNNEL_PLAYBACK_KEYS: 'k1:workers-pool-playback-secret-0123456789',
          },
        },
      }),
    ],
    test: {
      name: 'control-plane-workers',
      root: './control-plane',
      include: ['test/workers/**/*.test.ts'],
    },
  },
  {
    test: {
      name: 'e2e',
      root: './media-node',
      include: ['test/**/*.e2e.test.ts'],
      testTimeout: 60_000,
      hookTimeout: 60_000,
      // real peers (ffmpeg) are heavy on a 2-core machine: one file at a time
      fileParallelism: false,
    },
  },
];

export default projects;
