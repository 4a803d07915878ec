import { execFile } from 'node:child_process';
import { existsSync, mkdirSync, renameSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';

const run = promisify(execFile);

/**
 * The benchmark stream: ~584 kbps H.264 + AAC, the stream SRS's numbers were
 * measured with (srs.md 5.1: "600 kbps stream"). 640x360 at 25 fps, 520 kbit/s
 * video capped by maxrate/bufsize so every second carries about the same bytes,
 * a keyframe every 2 s (so a new player's GOP-cache burst is at most 2 s of
 * media), AAC-LC 64 kbit/s stereo. Ten seconds, looped by the publisher.
 */
export const SOURCE_ENCODE_ARGS: readonly string[] = [
  '-f', 'lavfi', '-i', 'testsrc2=size=640x360:rate=25',
  '-f', 'lavfi', '-i', 'sine=frequency=440:sample_rate=44100',
  '-t', '10',
  '-c:v', 'libx264', '-preset', 'veryfast', '-pix_fmt', 'yuv420p',
  '-b:v', '520k', '-maxrate', '520k', '-bufsize', '1040k',
  '-g', '50', '-keyint_min', '50', '-sc_threshold', '0',
  '-c:a', 'aac', '-b:a', '64k', '-ac', '2',
  '-f', 'flv',
];

/** Bumped when SOURCE_ENCODE_ARGS change, so a stale cached file is not reused. */
const SOURCE_VERSION = 1;

export interface SourceFile {
  readonly path: string;
  /** Measured by ffprobe: total bit rate in kbit/s and duration in seconds. */
  readonly kbps: number;
  readonly seconds: number;
}

/** Encodes the source once into `cacheDir` (default: OS temp dir) and reuses it afterwards. */
export async function ensureSourceFile(cacheDir: string | undefined): Promise<SourceFile> {
  const dir = cacheDir ?? join(tmpdir(), 'runnel-bench-cache');
  mkdirSync(dir, { recursive: true });
  const path = join(dir, `source-v${SOURCE_VERSION}-640x360-584k.flv`);
  if (!existsSync(path)) {
    const partial = `${path}.${process.pid}.partial`;
    await run('ffmpeg', ['-hide_banner', '-loglevel', 'error', '-nostdin', '-y', ...SOURCE_ENCODE_ARGS, partial], {
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
