import { describe, expect, it } from 'vitest';
import { DEFAULT_HLS_OPTIONS, MAX_STREAMS, parseHlsBenchArgs, type HlsBenchOptions } from './hls-options.ts';

function options(argv: string[]): HlsBenchOptions {
  const r = parseHlsBenchArgs(argv);
  if (r.help) throw new Error('help');
  return r.options;
}

// The flags every bench shares (defaults, --help, --warmup, ...) are tested in bench-options.test.ts.
describe('parseHlsBenchArgs: its own flags', () => {
  it.each([
    { argv: ['--streams', '8,1,4'], key: 'streams', want: [1, 4, 8] },
    { argv: ['-k', '16, 16,2'], key: 'streams', want: [2, 16] },
    { argv: ['--storage', 's3,none'], key: 'storages', want: ['s3', 'none'] },
    { argv: ['--fragment', '5'], key: 'fragmentMs', want: 5_000 },
    { argv: ['--fragment', '0.5'], key: 'fragmentMs', want: 500 },
    { argv: ['--late-threshold', '3'], key: 'lateThresholdMs', want: 3_000 },
    { argv: ['--find-max'], key: 'findMax', want: true },
    { argv: ['--max-streams', '200'], key: 'maxStreams', want: 200 },
  ] as const)('$argv sets $key', (c) => {
    const o = options([...c.argv]);
    expect(o[c.key]).toEqual(c.want);
    // and leaves the rest at their defaults
    expect({ ...o, [c.key]: DEFAULT_HLS_OPTIONS[c.key] }).toEqual(DEFAULT_HLS_OPTIONS);
  });

  it.each([
    { argv: ['--streams', '0'], error: /--streams: "0"/ },
    { argv: ['--streams', String(MAX_STREAMS + 1)], error: /--streams/ },
    { argv: ['--storage', 'gcs'], error: /--storage: "gcs" is not one of none, local, s3/ },
    { argv: ['--fragment', '0.1'], error: /--fragment/ },
    { argv: ['--fragment', '61'], error: /--fragment: at most 60 s/ },
    { argv: ['--fragment', '10', '--duration', '20'], error: /--duration: 20 s holds fewer than 3 fragments/ },
    { argv: ['--late-threshold', '0'], error: /--late-threshold/ },
    { argv: ['--max-streams', '1000'], error: /--max-streams/ },
    { argv: ['--players', '10'], error: /players/ },
  ])('refuses $argv', (c) => {
    expect(() => parseHlsBenchArgs(c.argv)).toThrow(c.error);
  });
});
