import { describe, expect, it } from 'vitest';
import { FANOUT_SOURCE, HLS_SOURCE, HLS_SOURCE_GOP_MS, testPatternArgs } from './source-file.ts';
import { SRT_PUBLISH_SOURCE } from './srt-source.ts';

/** The value after `flag` in an ffmpeg argument list. */
function arg(args: readonly string[], flag: string): string | undefined {
  const i = args.indexOf(flag);
  return i < 0 ? undefined : args[i + 1];
}

describe('testPatternArgs', () => {
  it('the fan-out source, argument for argument (its cached file name pins these bytes)', () => {
    expect(testPatternArgs('640x360', 520, 64)).toEqual([
      '-f', 'lavfi', '-i', 'testsrc2=size=640x360:rate=25',
      '-f', 'lavfi', '-i', 'sine=frequency=440:sample_rate=44100',
      '-t', '10',
      '-c:v', 'libx264', '-preset', 'veryfast', '-pix_fmt', 'yuv420p',
      '-b:v', '520k', '-maxrate', '520k', '-bufsize', '1040k',
      '-g', '50', '-keyint_min', '50', '-sc_threshold', '0',
      '-c:a', 'aac', '-b:a', '64k', '-ac', '2',
      '-f', 'flv',
    ]);
  });

  it.each([
    { name: 'fan-out', spec: FANOUT_SOURCE, size: '640x360', video: '520k', buf: '1040k', audio: '64k' },
    { name: 'HLS', spec: HLS_SOURCE, size: '1280x720', video: '1800k', buf: '3600k', audio: '128k' },
    { name: 'SRT publish', spec: SRT_PUBLISH_SOURCE, size: '1920x1080', video: '4800k', buf: '9600k', audio: '128k' },
  ])('$name source: size, rates, a keyframe every HLS_SOURCE_GOP_MS at 25 fps', (c) => {
    const a = c.spec.encodeArgs;
    expect(a).toContain(`testsrc2=size=${c.size}:rate=25`);
    expect([arg(a, '-b:v'), arg(a, '-maxrate'), arg(a, '-bufsize'), arg(a, '-b:a')]).toEqual([c.video, c.video, c.buf, c.audio]);
    expect(Number(arg(a, '-g'))).toBe((25 * HLS_SOURCE_GOP_MS) / 1000);
    expect(arg(a, '-keyint_min')).toBe(arg(a, '-g'));
  });
});
