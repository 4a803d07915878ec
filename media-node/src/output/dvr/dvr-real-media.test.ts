import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { probe } from '../../../test/support/ffmpeg.ts';
import { FlvDemuxer } from '../../format/flv/flv-demuxer.ts';
import { FakeClock } from '../../hub/clock.ts';
import { Source } from '../../hub/source.ts';
import { LocalDirStore } from '../../storage/local-dir.ts';
import type { DvrFileEvent } from './dvr-events.ts';
import { DvrRecorder } from './dvr-recorder.ts';
import { MemorySpool } from './dvr-spool.ts';
import { T0 } from './test-kit.ts';

const root = mkdtempSync(join(tmpdir(), 'runnel-dvr-'));
afterAll(() => rmSync(root, { recursive: true, force: true }));

// One second of FFmpeg test pattern + tone with B-frames (format/flv/testdata/README.md), played 8 times in a row;
// its audio runs to 1.2 s, so each loop starts 1.25 s after the previous one.
const LOOPS = 8;
const PERIOD_MS = 1250;
const tags = new FlvDemuxer().push(new Uint8Array(readFileSync(new URL('../../format/flv/testdata/h264-aac.flv', import.meta.url))));
const isFrame = (t: { type: number; body: Uint8Array }) => (t.type === 8 || t.type === 9) && t.body[1] === 1;
const videoIn = LOOPS * tags.filter((t) => t.type === 9 && isFrame(t)).length;
const audioIn = LOOPS * tags.filter((t) => t.type === 8 && isFrame(t)).length;

async function record(format: 'flv' | 'mp4'): Promise<{ store: LocalDirStore; events: DvrFileEvent[]; lastMs: number }> {
  const clock = new FakeClock(T0);
  const source = new Source({ id: `vid-real${format}`, vhost: '__defaultVhost__', app: 'live', stream: format }, clock);
  const store = new LocalDirStore(root);
  const events: DvrFileEvent[] = [];
  const dvr = new DvrRecorder({
    names: source, store, spool: new MemorySpool(), clock, listener: { onDvr: (e) => events.push(e) },
    config: { plan: 'segment', durationMs: 3000, file: `[app]/[stream]/[timestamp].${format}` },
  });
  dvr.attach(source);
  let lastMs = 0;
  const r = source.publish({ clientId: 'ffmpeg', protocol: 'rtmp' });
  if (!r.ok) throw new Error('publish refused');
  for (let loop = 0; loop < LOOPS; loop++) {
    for (const t of tags) {
      if (loop > 0 && !isFrame(t)) continue; // headers and metadata once
      const ts = loop * PERIOD_MS + t.timestamp;
      clock.set(T0 + ts);
      const m = r.publisher.push(t.type === 9 ? 'video' : t.type === 8 ? 'audio' : 'data', ts, t.body);
      if (m !== null) lastMs = Math.max(lastMs, m.timestamp);
    }
  }
  r.publisher.unpublish();
  await dvr.idle();
  return { store, events, lastMs };
}

describe.each(['flv', 'mp4'] as const)('DVR %s of a real H.264/AAC stream, read by FFmpeg', async (format) => {
  const { store, events, lastMs } = await record(format);
  const files = events.map((e) => store.pathOf(e.file));

  it('cuts at the first keyframe past 3 s; ffprobe reads each file with its duration and every frame', async () => {
    // the hub's time_jitter turns the 350 ms gap between loops into 10 ms, so keyframes come 0.5 and 0.718 s
    // apart: 0, 0.5, 1.218, 1.718, 2.468, 2.968, 3.718 ... A file may last up to 0.718 s past 3 s.
    expect(events.length).toBe(3);
    for (const e of events.slice(0, -1)) {
      expect(e.duration).toBeGreaterThanOrEqual(3);
      expect(e.duration).toBeLessThanOrEqual(3.718);
    }
    expect(events[0]!.duration).toBeCloseTo(3.718, 1); // MP4: where its media ends, up to a frame step before the cut
    let video = 0;
    let audio = 0;
    for (const [i, f] of files.entries()) {
      const p = await probe(f, ['-count_frames', '-show_format']);
      const fmt = (p as unknown as { format: { duration: string; format_name: string } }).format;
      expect(fmt.format_name).toContain(format === 'flv' ? 'flv' : 'mp4');
      expect(Number(fmt.duration)).toBeCloseTo(events[i]!.duration, 1);
      const v = p.streams.find((s) => s.codec_type === 'video')!;
      const a = p.streams.find((s) => s.codec_type === 'audio')!;
      expect([v.codec_name, a.codec_name]).toEqual(['h264', 'aac']);
      expect(Number(v.nb_read_frames)).toBe(events[i]!.videoFrames);
      expect(Number(a.nb_read_frames)).toBe(events[i]!.audioFrames);
      video += Number(v.nb_read_frames);
      audio += Number(a.nb_read_frames);
    }
    expect([video, audio]).toEqual([videoIn, audioIn]);
    // FLV files cover the hub's (decode) timeline up to its last frame + one AAC frame. An MP4 file's duration is
    // in presentation time: its video is presented up to the stream's 200 ms B-frame delay after the cut.
    const total = events.reduce((s, e) => s + e.duration, 0);
    const timeline = (lastMs + 23) / 1000;
    expect(total).toBeGreaterThan(timeline - 0.1);
    expect(total).toBeLessThan(timeline + (format === 'mp4' ? 0.2 * events.length : 0) + 0.1);
  });

  it('decodes in FFmpeg without a single error', () => {
    for (const f of files) {
      const run = spawnSync('ffmpeg', ['-v', 'error', '-i', f, '-f', 'null', '-'], { encoding: 'utf8', timeout: 30_000 });
      if (run.error) throw new Error(`ffmpeg could not run (${run.error.message}): these tests need FFmpeg on PATH`);
      expect(run.stderr).toBe('');
    }
  });
});
