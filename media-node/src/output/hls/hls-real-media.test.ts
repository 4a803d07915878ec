import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { probe } from '../../../test/support/ffmpeg.ts';
import { decodeMediaPlaylist } from '../../format/m3u8/media-playlist.ts';
import { FlvDemuxer } from '../../format/flv/flv-demuxer.ts';
import { inspectTs } from '../../format/remux/inspect-ts.ts';
import { FakeClock } from '../../hub/clock.ts';
import { Source } from '../../hub/source.ts';
import { LocalDirStore } from '../../storage/local-dir.ts';
import { HlsSegmenter } from './hls-segmenter.ts';
import { T0 } from './test-kit.ts';

const root = mkdtempSync(join(tmpdir(), 'runnel-hls-'));
afterAll(() => rmSync(root, { recursive: true, force: true }));

// One second of FFmpeg test pattern + tone (format/flv/testdata/README.md), played 20 times in a row.
// Its audio runs to 1.2 s, so each loop starts 1.25 s after the previous one (no overlap).
const LOOPS = 20;
const PERIOD_MS = 1250;
const tags = new FlvDemuxer().push(new Uint8Array(readFileSync(new URL('../../format/flv/testdata/h264-aac.flv', import.meta.url))));
const isFrame = (t: { type: number; body: Uint8Array }) => (t.type === 8 || t.type === 9) && t.body[1] === 1;

describe('HLS from a real H.264/AAC stream, through the hub, to a local directory', async () => {
  const clock = new FakeClock(T0);
  const source = new Source({ id: 'vid-real001', vhost: '__defaultVhost__', app: 'live', stream: 'real' }, clock);
  const store = new LocalDirStore(root);
  const hls = new HlsSegmenter({ names: source, store, clock, config: { fragmentMs: 2000 } });
  hls.attach(source);
  const r = source.publish({ clientId: 'ffmpeg', protocol: 'rtmp' });
  if (!r.ok) throw new Error('publish refused');
  for (let loop = 0; loop < LOOPS; loop++) {
    for (const t of tags) {
      if (loop > 0 && !isFrame(t)) continue; // headers and metadata once
      const ts = loop * PERIOD_MS + t.timestamp;
      clock.set(T0 + ts);
      r.publisher.push(t.type === 9 ? 'video' : t.type === 8 ? 'audio' : 'data', ts, t.body);
    }
  }
  await hls.end();
  const m3u8 = store.pathOf(hls.m3u8Key);
  const playlist = decodeMediaPlaylist(readFileSync(m3u8, 'utf8'));
  const videoIn = LOOPS * tags.filter((t) => t.type === 9 && isFrame(t)).length;
  const audioIn = LOOPS * tags.filter((t) => t.type === 8 && isFrame(t)).length;

  it('writes segments of about hls_fragment that start on keyframes and hold every frame', () => {
    expect(playlist.endList).toBe(true);
    // keyframes come 0.5 and 0.75 s apart: a cut is at most 0.75 s past the 2 s fragment
    expect(playlist.segments.length).toBeGreaterThanOrEqual(9);
    for (const s of playlist.segments.slice(0, -1)) {
      expect(s.duration).toBeGreaterThanOrEqual(2);
      expect(s.duration).toBeLessThanOrEqual(2.75);
    }
    for (const s of playlist.segments) expect(s.duration).toBeLessThanOrEqual(2 * playlist.targetDuration);
    const segs = playlist.segments.map((s) => inspectTs(new Uint8Array(readFileSync(join(root, 'live', s.uri)))));
    for (const seg of segs) {
      expect(seg.stats).toMatchObject({ continuityErrors: 0, droppedPes: 0, badSections: 0 });
      expect(seg.video[0]!.randomAccess).toBe(true);
    }
    expect(segs.reduce((n, s) => n + s.video.length, 0)).toBe(videoIn);
    expect(segs.reduce((n, s) => n + s.audio.length, 0)).toBe(audioIn);
  });

  it('is read by ffprobe through the playlist with every packet and monotonic DTS', async () => {
    const p = await probe(m3u8, ['-show_packets']);
    expect(p.streams.map((s) => s.codec_name).sort()).toEqual(['aac', 'h264']);
    for (const [kind, n] of [['video', videoIn], ['audio', audioIn]] as const) {
      const dts = p.packets!.filter((x) => x.codec_type === kind).map((x) => Number(x.dts_time));
      expect(dts).toHaveLength(n);
      expect(dts.every((d, i) => i === 0 || d > dts[i - 1]!)).toBe(true);
    }
  });

  it('decodes in FFmpeg without a single error', () => {
    const run = spawnSync('ffmpeg', ['-v', 'error', '-i', m3u8, '-f', 'null', '-'], { encoding: 'utf8', timeout: 30_000 });
    if (run.error) throw new Error(`ffmpeg could not run (${run.error.message}): these tests need FFmpeg on PATH`);
    expect(run.stderr).toBe('');
    expect(run.status).toBe(0);
  });
});
