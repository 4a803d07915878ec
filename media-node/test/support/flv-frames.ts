import { readFileSync } from 'node:fs';
import { FlvDemuxer } from '../../src/format/flv/flv-demuxer.ts';
import { classifyAudio, classifyVideo, FLV_CODED_FRAME, FLV_SEQUENCE_HEADER, metadataBody } from '../../src/hub/flv-classify.ts';
import type { MediaKind } from '../../src/hub/media-message.ts';
import { runPeer, testSignalArgs } from './ffmpeg.ts';
import type { TestSignal } from './ffmpeg.ts';

/** One FLV tag as a publisher hands it on: kind, timestamp, tag body. */
export interface Frame {
  readonly kind: MediaKind;
  readonly timestamp: number;
  readonly payload: Uint8Array;
}

const KIND: Record<number, MediaKind> = { 8: 'audio', 9: 'video', 18: 'data' };

/** Encodes a test signal (lavfi testsrc + sine, H.264/AAC) into an FLV file, as fast as ffmpeg can. */
export async function makeTestFlv(file: string, s: TestSignal): Promise<void> {
  const p = runPeer('ffmpeg', [...testSignalArgs({ ...s, realtime: false }), '-y', '-f', 'flv', file]);
  const code = await p.exited;
  if (code !== 0) throw new Error(`ffmpeg could not write ${file} (${code}): ${p.stderr()}`);
}

/** Every tag of an FLV file, in file order. */
export function readFlvFrames(file: string): Frame[] {
  return new FlvDemuxer().push(new Uint8Array(readFileSync(file))).map((t) => ({ kind: KIND[t.type]!, timestamp: t.timestamp, payload: t.body }));
}

/** A coded video frame: not a sequence header, end of sequence or command (what ffprobe counts as a packet). */
export function isVideoFrame(f: { kind: MediaKind; payload: Uint8Array }): boolean {
  return f.kind === 'video' && (classifyVideo(f.payload) & FLV_CODED_FRAME) !== 0;
}

/** An audio frame other than a sequence header. */
export function isAudioFrame(f: { kind: MediaKind; payload: Uint8Array }): boolean {
  return f.kind === 'audio' && f.payload.length > 1 && (classifyAudio(f.payload) & FLV_SEQUENCE_HEADER) === 0;
}

/** Metadata or a sequence header: what a decoder needs before frames. */
export function isHeader(f: { kind: MediaKind; payload: Uint8Array }): boolean {
  if (f.kind === 'data') return metadataBody(f.payload) !== null;
  const flags = f.kind === 'video' ? classifyVideo(f.payload) : classifyAudio(f.payload);
  return (flags & FLV_SEQUENCE_HEADER) !== 0;
}

export function countFrames(frames: readonly Frame[]): { video: number; audio: number } {
  return { video: frames.filter(isVideoFrame).length, audio: frames.filter(isAudioFrame).length };
}

export interface Feeder {
  /** Frames handed to `send` so far. */
  readonly fed: () => number;
  stop(): void;
}

/**
 * Hands `frames` to `send` at their timestamps (real time, like ffmpeg -re),
 * looping with continuing timestamps until stop(); headers go out once, at
 * the start, as an encoder sends them.
 */
export function feedLoop(frames: readonly Frame[], send: (f: Frame) => void): Feeder {
  const t0 = performance.now();
  const first = frames[0]!.timestamp;
  const body = frames.filter((f) => !isHeader(f));
  // one loop lasts until the last frame plus a 25 fps frame interval
  const period = frames.at(-1)!.timestamp - first + 40;
  let i = 0;
  let fed = 0;
  let timer: ReturnType<typeof setTimeout> | null = null;
  let stopped = false;
  for (const f of frames) {
    if (!isHeader(f)) continue;
    send(f);
    fed++;
  }
  const step = (): void => {
    if (stopped) return;
    const mediaNow = performance.now() - t0;
    for (;;) {
      const loop = Math.floor(i / body.length);
      const f = body[i % body.length]!;
      const ts = f.timestamp - first + loop * period;
      if (ts > mediaNow) break;
      send({ ...f, timestamp: ts });
      fed++;
      i++;
    }
    timer = setTimeout(step, 10);
  };
  step();
  return {
    fed: () => fed,
    stop: () => {
      stopped = true;
      if (timer !== null) clearTimeout(timer);
    },
  };
}

/** Polls `cond` every 20 ms; rejects naming `what` after `timeoutMs`. */
export async function waitFor(what: string, cond: () => boolean, timeoutMs = 10_000): Promise<void> {
  const end = performance.now() + timeoutMs;
  while (!cond()) {
    if (performance.now() > end) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}
