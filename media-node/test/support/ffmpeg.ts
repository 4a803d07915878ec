import { spawn, type ChildProcess } from 'node:child_process';

/** A running ffmpeg/ffprobe child with its stderr kept for failure messages. */
export interface Peer {
  readonly child: ChildProcess;
  readonly stderr: () => string;
  /** Resolves with the exit code (or null if killed by a signal). */
  readonly exited: Promise<number | null>;
  stop(): Promise<void>;
}

export function runPeer(bin: string, args: string[]): Peer {
  const child = spawn(bin, args, { stdio: ['ignore', 'pipe', 'pipe'] });
  let err = '';
  child.stderr!.on('data', (d: Buffer) => {
    err += d.toString();
    if (err.length > 200_000) err = err.slice(-100_000);
  });
  const exited = new Promise<number | null>((resolve) => child.on('close', (code) => resolve(code)));
  return {
    child,
    stderr: () => err,
    exited,
    async stop() {
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGTERM');
      const t = setTimeout(() => child.kill('SIGKILL'), 3000);
      await exited;
      clearTimeout(t);
    },
  };
}

export interface TestSignal {
  /** seconds of media to generate */
  seconds: number;
  width?: number;
  height?: number;
  fps?: number;
  /** keyframe interval in frames */
  gop?: number;
  audio?: boolean;
  video?: boolean;
  /** send in real time (-re); default true */
  realtime?: boolean;
}

/** ffmpeg input + encoder args for a generated H.264/AAC test signal (lavfi testsrc + sine). */
export function testSignalArgs(s: TestSignal): string[] {
  const w = s.width ?? 320;
  const h = s.height ?? 240;
  const fps = s.fps ?? 25;
  const args = ['-hide_banner', '-loglevel', 'warning', '-nostdin'];
  if (s.realtime ?? true) args.push('-re');
  const video = s.video ?? true;
  const audio = s.audio ?? true;
  if (video) args.push('-f', 'lavfi', '-i', `testsrc=size=${w}x${h}:rate=${fps}`);
  if (audio) args.push('-f', 'lavfi', '-i', 'sine=frequency=440:sample_rate=44100');
  args.push('-t', String(s.seconds));
  if (video) args.push('-c:v', 'libx264', '-preset', 'ultrafast', '-tune', 'zerolatency', '-pix_fmt', 'yuv420p', '-g', String(s.gop ?? fps), '-b:v', '500k');
  else args.push('-vn');
  if (audio) args.push('-c:a', 'aac', '-b:a', '64k', '-ac', '2');
  else args.push('-an');
  return args;
}

/** ffmpeg publishing a test signal as FLV to `url` (rtmp://...). */
export function publishRtmp(url: string, s: TestSignal): Peer {
  return runPeer('ffmpeg', [...testSignalArgs(s), '-f', 'flv', url]);
}

export interface ProbeResult {
  streams: Array<{ codec_type: string; codec_name: string; width?: number; height?: number; sample_rate?: string; channels?: number; nb_read_frames?: string; nb_read_packets?: string }>;
  packets?: Array<{ codec_type: string; stream_index: number; pts_time?: string; dts_time?: string; flags: string }>;
}

/** ffprobe a URL or file, counting frames; rejects with ffprobe's stderr on failure. */
export async function probe(input: string, extra: string[] = [], timeoutMs = 30_000): Promise<ProbeResult> {
  const p = runPeer('ffprobe', ['-hide_banner', '-v', 'error', '-print_format', 'json', '-show_streams', ...extra, input]);
  let out = '';
  p.child.stdout!.on('data', (d: Buffer) => (out += d.toString()));
  const timer = setTimeout(() => p.child.kill('SIGKILL'), timeoutMs);
  const code = await p.exited;
  clearTimeout(timer);
  if (code !== 0) throw new Error(`ffprobe ${input} exited ${code}: ${p.stderr()}`);
  return JSON.parse(out) as ProbeResult;
}

/**
 * ffmpeg copying whatever `url` plays into `file` (stream copy). Live streams
 * do not end when their publisher leaves (players wait for a republish), so
 * the recorder gives up after `idleMs` without data and finalizes the file;
 * stop() waits for that, then interrupts.
 */
export function record(url: string, file: string, format = 'flv', idleMs = 2500): Peer {
  const p = runPeer('ffmpeg', [
    '-hide_banner', '-loglevel', 'warning', '-nostdin', '-y',
    '-rw_timeout', String(idleMs * 1000),
    '-i', url, '-c', 'copy', '-f', format, file,
  ]);
  return {
    ...p,
    async stop() {
      const t0 = setTimeout(() => p.child.kill('SIGINT'), idleMs + 15_000);
      const t1 = setTimeout(() => p.child.kill('SIGKILL'), idleMs + 20_000);
      await p.exited;
      clearTimeout(t0);
      clearTimeout(t1);
    },
  };
}

export interface PacketInfo {
  readonly codec_type: string;
  readonly flags: string;
  readonly pts_time?: string;
  readonly dts_time?: string;
}

/** The packets of a file's first video (or audio) stream, in order. */
export async function packets(file: string, stream: 'v' | 'a' = 'v'): Promise<PacketInfo[]> {
  const r = await probe(file, ['-select_streams', `${stream}:0`, '-show_packets', '-show_entries', 'packet=codec_type,flags,pts_time,dts_time']);
  return (r.packets ?? []) as PacketInfo[];
}

export const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));
