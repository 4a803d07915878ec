// The one list of test projects. vitest.config.ts imports it (Vitest 4+ reads
// projects from the config file only).
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
