import { execFile } from 'node:child_process';
import { existsSync, mkdirSync, renameSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';

const run = promisify(execFile);

/** What to encode once and cache: a testsrc2 + sine FLV, looped by the publishers. */
export interface SourceSpec {
  /** Cache file name; it carries a version so a change of `encodeArgs` never reuses a stale file. */
  readonly fileName: string;
  /** ffmpeg arguments between the global flags and the output path. */
  readonly encodeArgs: readonly string[];
  /** One line for the report: what the stream is and how it is published. */
  readonly describe: (kbps: number) => string;
}

/**
 * ffmpeg input and encoder arguments of every bench source: ten seconds of
 * testsrc2 at `size` and 25 fps with a 440 Hz sine; H.264 at `videoKbps`
 * capped by maxrate (bufsize twice that) so every second carries about the
 * same bytes; a keyframe every 50 frames (2 s), never on scene cuts, so the
 * 250 frames loop on the GOP cadence; AAC-LC stereo at `audioKbps`; FLV.
 */
export function testPatternArgs(size: string, videoKbps: number, audioKbps: number): string[] {
  return [
    '-f', 'lavfi', '-i', `testsrc2=size=${size}:rate=25`,
    '-f', 'lavfi', '-i', 'sine=frequency=440:sample_rate=44100',
    '-t', '10',
    '-c:v', 'libx264', '-preset', 'veryfast', '-pix_fmt', 'yuv420p',
    '-b:v', `${videoKbps}k`, '-maxrate', `${videoKbps}k`, '-bufsize', `${2 * videoKbps}k`,
    '-g', '50', '-keyint_min', '50', '-sc_threshold', '0',
    '-c:a', 'aac', '-b:a', `${audioKbps}k`, '-ac', '2',
    '-f', 'flv',
  ];
}

/**
 * The fan-out benchmark stream (issue 2): ~584 kbps H.264 + AAC, the stream
 * SRS's numbers were measured with (srs.md 5.1: "600 kbps stream"). 640x360
 * at 25 fps, 520 kbit/s video capped by maxrate/bufsize so every second
 * carries about the same bytes, a keyframe every 2 s (so a new player's
 * GOP-cache burst is at most 2 s of media), AAC-LC 64 kbit/s stereo. Ten
 * seconds, looped by the publisher.
 */
export const FANOUT_SOURCE: SourceSpec = {
  fileName: 'source-v1-640x360-584k.flv',
  encodeArgs: testPatternArgs('640x360', 520, 64),
  describe: (kbps) => `${kbps} kbit/s H.264 640x360 25 fps + AAC, keyframe every 2 s, published with ffmpeg -re -stream_loop -1 -c copy`,
};

/** Keyframe interval of HLS_SOURCE: HLS segments are cut on keyframes, so their durations are multiples of it. */
export const HLS_SOURCE_GOP_MS = 2_000;

/**
 * The HLS benchmark stream (issue 3: "2 Mbps streams"): 1280x720 at 25 fps,
 * 1800 kbit/s video capped by maxrate/bufsize plus AAC-LC 128 kbit/s, which
 * ffprobe measures at ~2.0 Mbit/s with the FLV framing. A keyframe every 2 s
 * (`-g 50` at 25 fps) and exactly 250 frames, so the loop point falls on the
 * same 2 s cadence and segments stay GOP-aligned across loops.
 */
export const HLS_SOURCE: SourceSpec = {
  fileName: 'source-v1-1280x720-2000k.flv',
  encodeArgs: testPatternArgs('1280x720', 1800, 128),
  describe: (kbps) => `${kbps} kbit/s H.264 1280x720 25 fps + AAC 128 kbit/s, keyframe every 2 s, published with ffmpeg -re -stream_loop -1 -c copy`,
};

export interface SourceFile {
  readonly path: string;
  /** Measured by ffprobe: total bit rate in kbit/s and duration in seconds. */
  readonly kbps: number;
  readonly seconds: number;
}

/** Encodes `spec` once into `cacheDir` (default: OS temp dir) and reuses it afterwards. */
export async function ensureSourceFile(cacheDir: string | undefined, spec: SourceSpec = FANOUT_SOURCE): Promise<SourceFile> {
  const dir = cacheDir ?? join(tmpdir(), 'runnel-bench-cache');
  mkdirSync(dir, { recursive: true });
  const path = join(dir, spec.fileName);
  if (!existsSync(path)) {
    const partial = `${path}.${process.pid}.partial`;
    await run('ffmpeg', ['-hide_banner', '-loglevel', 'error', '-nostdin', '-y', ...spec.encodeArgs, partial], {
      timeout: 120_000,
    });
    renameSync(partial, path);
  }
  const { stdout } = await run(
    'ffprobe',
    ['-v', 'error', '-show_entries', 'format=duration,bit_rate', '-of', 'json', path],
    { timeout: 30_000 },
  );
  const format = (JSON.parse(stdout) as { format?: { duration?: string; bit_rate?: string } }).format ?? {};
  return { path, kbps: Math.round(Number(format.bit_rate ?? 0) / 1000), seconds: Number(format.duration ?? 0) };
}
