/**
 * Issue 3, bad inputs for HLS over the wire: ffmpeg publishes over RTMP with
 * app and stream names that try path traversal (`../x`, `a/../../b`,
 * `%2e%2e`, absolute, backslashes) or playlist injection (CR/LF, `#EXT...`).
 * Each is refused at connect or publish, no source is created, and after
 * the run no file with the marker exists anywhere but the HLS root, where
 * the two legitimate publishes (same marker) left valid playlists.
 *
 * The same names from a hand-rolled RTMP peer (exact bytes, no ffmpeg in the
 * way) are bad-inputs rows 29-31 in bad-inputs-names.e2e.test.ts. Timestamp jumps,
 * wraps and codec changes in HLS are unit tests on the segmenter:
 * src/output/hls/hls-segmenter.test.ts ("HlsSegmenter timestamps (bad-inputs
 * row 15)": the 2^32 wrap, a +2^31 jump, a reset to 0, a step back; "starts a
 * new segment with a discontinuity on a codec switch (bad-inputs row 39)";
 * "keeps segments and memory bounded when keyframes stop for minutes (row
 * 38)") and src/output/hls/reap-rules.test.ts (wrap steps, jump limits);
 * the second fence below the name allowlist is file-template.test.ts and
 * src/storage/local-dir.test.ts (keys that would escape the root).
 */
import { mkdirSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { decodeMediaPlaylist } from '../src/format/m3u8/media-playlist.ts';
import { runPeer, testSignalArgs } from './support/ffmpeg.ts';
import { startNodeUnderTest } from './support/node-under-test.ts';
import type { NodeUnderTest } from './support/node-under-test.ts';

/** In every name tried here, so the scan can find whatever any of them created. Not bad-inputs' marker: that file may run on this machine too. */
const MARK = 'runnelhlsesc';

/** Names ffmpeg sends exactly as given (`-rtmp_app`, `-rtmp_playpath`), and the close code the node logs for each. */
const REFUSED: ReadonlyArray<{ what: string; app: string; stream: string; code: string }> = [
  { what: '../x', app: 'live', stream: `../${MARK}`, code: 'bad_stream_name' },
  { what: 'a/../../b', app: 'live', stream: `a/../../${MARK}`, code: 'bad_stream_name' },
  { what: 'four levels up', app: 'live', stream: `../../../../${MARK}`, code: 'bad_stream_name' },
  { what: '%2e%2e%2f', app: 'live', stream: `%2e%2e%2f${MARK}`, code: 'bad_stream_name' },
  { what: '%2e%2e/', app: 'live', stream: `%2e%2e/${MARK}`, code: 'bad_stream_name' },
  { what: 'an absolute name', app: 'live', stream: `/tmp/${MARK}`, code: 'bad_stream_name' },
  { what: 'backslashes', app: 'live', stream: `..\\..\\${MARK}`, code: 'bad_stream_name' },
  { what: 'CR/LF and a playlist tag', app: 'live', stream: `${MARK}\r\n#EXT-X-ENDLIST`, code: 'bad_stream_name' },
  { what: 'LF and a segment URI', app: 'live', stream: `${MARK}\n../${MARK}.ts`, code: 'bad_stream_name' },
  { what: 'a # (URI fragment)', app: 'live', stream: `a#${MARK}`, code: 'bad_stream_name' },
  { what: 'app ../x', app: `../${MARK}`, stream: 'cam', code: 'connect_invalid_app' },
  { what: 'app live/../..', app: `live/../../${MARK}`, stream: 'cam', code: 'connect_invalid_app' },
  { what: 'app with CR/LF', app: `live\r\n${MARK}`, stream: 'cam', code: 'connect_invalid_app' },
];

/** Names that are fine: their HLS files must appear, and only inside the HLS root. */
const ACCEPTED = [`ok-${MARK}`, `deep/ok-${MARK}`];

let base: string;
let hlsRoot: string;
let n: NodeUnderTest;
let outsideBefore: string[];

/** Marked names in the top level of the places an escape could reach (tmp, cwd, /, /etc). */
function markedOutside(): string[] {
  const out: string[] = [];
  for (const dir of [tmpdir(), process.cwd(), '/', '/etc']) {
    for (const name of readdirSync(dir)) if (name.includes(MARK)) out.push(join(dir, name));
  }
  return out.sort();
}

/** Every marked file or directory below `dir`, whole tree. */
function markedBelow(dir: string): string[] {
  const out: string[] = [];
  for (const e of readdirSync(dir, { withFileTypes: true, recursive: true })) {
    if (e.name.includes(MARK)) out.push(join(e.parentPath, e.name));
  }
  return out.sort();
}

beforeAll(async () => {
  outsideBefore = markedOutside();
  // base/node is the data dir and base/node/hls the HLS root: escapes of one, two or three levels land in base.
  base = mkdtempSync(join(tmpdir(), 'runnel-hlsnames-'));
  const dataDir = join(base, 'node');
  mkdirSync(dataDir);
  hlsRoot = join(dataDir, 'hls');
  n = await startNodeUnderTest({ data_dir: dataDir, hls: { fragment_ms: 1000, reconnect_window_ms: 0 } });
});

afterAll(async () => {
  await n?.stop();
  if (base !== undefined) rmSync(base, { recursive: true, force: true });
});

/** ffmpeg publishing 4 s of test signal (as fast as it encodes) with app and stream name exactly as given. */
function publishAs(app: string, stream: string) {
  return runPeer('ffmpeg', [
    ...testSignalArgs({ seconds: 4, gop: 25, realtime: false }),
    '-rtmp_app', app, '-rtmp_playpath', stream,
    // the URL's own path is overridden by the two options above
    '-f', 'flv', `rtmp://127.0.0.1:${n.node.ports.rtmp}/live/x`,
  ]);
}

function closeCodes(): string[] {
  return n.log.records.filter((r) => r.event === 'close').map((r) => String(r.fields.code));
}

describe('HLS names over RTMP: refused, and nothing written outside the HLS root', () => {
  it('refuses every traversal or injection name at connect or publish, creates no source, and lets good names through', { timeout: 60_000 }, async () => {
    const refused = REFUSED.map((c) => publishAs(c.app, c.stream));
    const accepted = ACCEPTED.map((s) => publishAs('live', s));
    const [refusedExits, acceptedExits] = await Promise.all([Promise.all(refused.map((p) => p.exited)), Promise.all(accepted.map((p) => p.exited))]);

    for (const [i, c] of REFUSED.entries()) expect(refusedExits[i], `${c.what}: ${refused[i]!.stderr()}`).not.toBe(0);
    for (const [i, s] of ACCEPTED.entries()) expect(acceptedExits[i], `${s}: ${accepted[i]!.stderr()}`).toBe(0);

    // each refusal is the node's own, with the reason the name deserves
    const codes = closeCodes();
    for (const code of ['bad_stream_name', 'connect_invalid_app']) {
      expect(codes.filter((c) => c === code).length, code).toBe(REFUSED.filter((c) => c.code === code).length);
    }
    const published = n.log.records.filter((r) => r.event === 'publish').map((r) => String(r.fields.stream));
    expect(published.sort()).toEqual(ACCEPTED.map((s) => `live/${s}`).sort());
    expect(n.node.streams.list().map((s) => `${s.app}/${s.stream}`).sort()).toEqual(ACCEPTED.map((s) => `live/${s}`).sort());
  });

  it('the good names left valid playlists in the HLS root, every segment they name is there, and no marked file exists anywhere else', async () => {
    for (const s of ACCEPTED) {
      // The publishers are gone; their last segments may still be on their way to the store (a playlist
      // never names a segment before it is stored): wait for the final playlist (ENDLIST, reconnect window 0).
      const final = async () => {
        const res = await fetch(n.http(`/live/${s}.m3u8`));
        return res.status === 200 ? decodeMediaPlaylist(await res.text()) : null;
      };
      await expect.poll(async () => (await final())?.endList ?? false, { timeout: 15_000, interval: 200 }).toBe(true);
      const p = (await final())!;
      expect(p.segments.length, s).toBeGreaterThanOrEqual(3);
      for (const seg of p.segments) expect((await fetch(new URL(seg.uri, n.http(`/live/${s}.m3u8`)))).status, seg.uri).toBe(200);
    }
    const marked = markedBelow(base);
    // the scan sees what the good names wrote (so it would see an escape), and all of it is inside the HLS root
    expect(marked.filter((p) => p.endsWith('.m3u8')).map((p) => relative(hlsRoot, p)).sort()).toEqual(ACCEPTED.map((s) => `live/${s}.m3u8`).sort());
    expect(marked.filter((p) => relative(hlsRoot, p).startsWith('..'))).toEqual([]);
    expect(markedOutside()).toEqual(outsideBefore);
  });
});
