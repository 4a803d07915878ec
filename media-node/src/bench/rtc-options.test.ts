import { describe, expect, it } from 'vitest';
import { rtcCases } from './rtc-cli.ts';
import { rtcCaseName } from './rtc-report.ts';
import { DEFAULT_RTC_OPTIONS, MAX_RTC_PLAYERS, parseRtcBenchArgs, RTC_BENCH_HELP, type RtcBenchOptions } from './rtc-options.ts';

function options(argv: string[]): RtcBenchOptions {
  const r = parseRtcBenchArgs(argv);
  if (r.help) throw new Error('help');
  return r.options;
}

// The flags every bench shares (defaults, --help, --warmup, ...) are tested in bench-options.test.ts.
describe('parseRtcBenchArgs: its own flags', () => {
  it.each([
    { argv: ['--players', '100,10,25'], key: 'players', want: [10, 25, 100] },
    { argv: ['-n', '3'], key: 'players', want: [3] },
    { argv: ['--protocols', 'rtc'], key: 'protocols', want: ['rtc'] },
    { argv: ['--audio', 'on,off'], key: 'audio', want: ['on', 'off'] },
    { argv: ['--audio', 'off'], key: 'audio', want: ['off'] },
    { argv: ['--udp-mux', 'on,off'], key: 'udpMux', want: ['on', 'off'] },
    { argv: ['--udp-mux', 'off'], key: 'udpMux', want: ['off'] },
  ] as const)('$argv sets $key', (c) => {
    const o = options([...c.argv]);
    expect(o[c.key]).toEqual(c.want);
    // and leaves the rest at their defaults
    expect({ ...o, [c.key]: DEFAULT_RTC_OPTIONS[c.key] }).toEqual(DEFAULT_RTC_OPTIONS);
  });

  it.each([
    [['--players', '0'], '--players'],
    [['--players', String(MAX_RTC_PLAYERS + 1)], '--players'],
    [['--players', 'ten'], '--players'],
    [['--audio', 'yes'], '--audio'],
    [['--udp-mux', 'yes'], '--udp-mux'],
    [['--udp-mux', 'on,both'], '--udp-mux'],
    [['--protocols', 'srt'], '--protocols'],
  ])('rejects %j naming %s', (argv, flag) => {
    expect(() => parseRtcBenchArgs(argv)).toThrow(flag);
  });

  it('rejects unknown flags and positionals', () => {
    expect(() => parseRtcBenchArgs(['--streams', '1'])).toThrow();
    expect(() => parseRtcBenchArgs(['play'])).toThrow();
  });

  it('documents its own flags (the common ones: bench-options.test.ts) and the defaults in the help', () => {
    for (const flag of ['--players', '--protocols', '--audio', '--udp-mux']) {
      expect(RTC_BENCH_HELP).toContain(flag);
    }
    expect(RTC_BENCH_HELP).toContain(`default ${DEFAULT_RTC_OPTIONS.players.join(',')}`);
    expect(RTC_BENCH_HELP).toContain(`max ${MAX_RTC_PLAYERS}`);
    expect(RTC_BENCH_HELP).toContain(`compares them (default ${DEFAULT_RTC_OPTIONS.udpMux.join(',')})`);
  });
});

describe('rtcCases', () => {
  it('runs, for each N, the WHEP cases of every audio mode and then the RTMP twin', () => {
    expect(rtcCases(options(['-n', '10,1', '--audio', 'on,off']))).toEqual([
      { protocol: 'rtc', audio: 'on', udpMux: 'on', players: 1 },
      { protocol: 'rtc', audio: 'off', udpMux: 'on', players: 1 },
      { protocol: 'rtmp', audio: 'off', udpMux: 'on', players: 1 },
      { protocol: 'rtc', audio: 'on', udpMux: 'on', players: 10 },
      { protocol: 'rtc', audio: 'off', udpMux: 'on', players: 10 },
      { protocol: 'rtmp', audio: 'off', udpMux: 'on', players: 10 },
    ]);
  });

  it('runs every UDP mux mode within each audio mode, and the RTMP twin once per N', () => {
    expect(rtcCases(options(['-n', '10,1', '--udp-mux', 'on,off', '--audio', 'on,off']))).toEqual([
      { protocol: 'rtc', audio: 'on', udpMux: 'on', players: 1 },
      { protocol: 'rtc', audio: 'on', udpMux: 'off', players: 1 },
      { protocol: 'rtc', audio: 'off', udpMux: 'on', players: 1 },
      { protocol: 'rtc', audio: 'off', udpMux: 'off', players: 1 },
      { protocol: 'rtmp', audio: 'off', udpMux: 'on', players: 1 },
      { protocol: 'rtc', audio: 'on', udpMux: 'on', players: 10 },
      { protocol: 'rtc', audio: 'on', udpMux: 'off', players: 10 },
      { protocol: 'rtc', audio: 'off', udpMux: 'on', players: 10 },
      { protocol: 'rtc', audio: 'off', udpMux: 'off', players: 10 },
      { protocol: 'rtmp', audio: 'off', udpMux: 'on', players: 10 },
    ]);
  });

  it('leaves out a protocol not asked for', () => {
    expect(rtcCases(options(['-n', '5', '--protocols', 'rtmp', '--udp-mux', 'off']))).toEqual([{ protocol: 'rtmp', audio: 'off', udpMux: 'on', players: 5 }]);
    expect(rtcCases(options(['-n', '5', '--protocols', 'rtc']))).toEqual([{ protocol: 'rtc', audio: 'on', udpMux: 'on', players: 5 }]);
  });

  it('names the mux mode of WHEP cases in the progress line', () => {
    expect(rtcCases(options(['-n', '3', '--udp-mux', 'off'])).map(rtcCaseName)).toEqual(['rtc audio on udp-mux off N=3', 'rtmp N=3']);
  });
});
