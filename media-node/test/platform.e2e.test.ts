import { spawn } from 'node:child_process';
import type { ChildProcess } from 'node:child_process';
import { createHmac, timingSafeEqual } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import { createServer } from 'node:http';
import type { Server } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { probe, publishRtmp, runPeer, sleep, testSignalArgs } from './support/ffmpeg.ts';
import type { Peer } from './support/ffmpeg.ts';
import { freePort } from './support/free-port.ts';

/**
 * The platform end to end, as a user runs it: the launcher
 * (control-plane/src/entry/platform.ts) as a child process on free ports, a
 * stream created through the tenant API, ffmpeg publishing to the RTMP URL
 * the API returned, ffprobe playing HTTP-FLV under the playback id (the key
 * never names a stream) and HLS through the control plane's /hls route, a wrong key and a rotated key refused with no
 * source created, and the running publish ended by the rotation. The banner's
 * commands, pasted into bash, create a stream and publish to it. A signed
 * playback id is refused on /hls without a token and played by ffprobe with
 * one (the playlist hands it on to the segments). A second
 * broadcast is watched through a webhook receiver registered by API: signed
 * stream.connected, stream.active, stream.disconnected, stream.idle in `seq`
 * order, and one session lasting as long as the publish.
 */

const LAUNCHER = fileURLToPath(new URL('../../control-plane/src/entry/platform.ts', import.meta.url));
const API_KEY = 'rnl_platforme2etest0123456789abcdefghjkmn';
const auth = { authorization: `Bearer ${API_KEY}`, 'content-type': 'application/json' };

let platform: ChildProcess;
let output = '';
let dir: string;
let cp: string;
let ports: { rtmp: number; http: number; api: number; srt: number };
const peers: Peer[] = [];

async function api<T>(method: string, path: string, body?: unknown): Promise<{ status: number; data: T }> {
  const res = await fetch(`${cp}${path}`, { method, headers: auth, body: body === undefined ? undefined : JSON.stringify(body) });
  const json = (await res.json()) as { data: T };
  return { status: res.status, data: json.data };
}

/** Stream names the node's SRS API lists right now (sources; with `published`, only those being published). */
async function nodeStreams(published = false): Promise<string[]> {
  const res = await fetch(`http://127.0.0.1:${ports.api}/api/v1/streams/`);
  const json = (await res.json()) as { streams: Array<{ name: string; publish: { active: boolean } }> };
  return json.streams.filter((s) => !published || s.publish.active).map((s) => s.name);
}

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'runnel-platform-e2e-'));
  const port = await freePort();
  ports = { rtmp: await freePort(), http: await freePort(), api: await freePort(), srt: await freePort() };
  cp = `http://127.0.0.1:${port}`;
  const args = [LAUNCHER, '--port', String(port), '--rtmp-port', String(ports.rtmp), '--http-port', String(ports.http), '--api-port', String(ports.api), '--srt-port', String(ports.srt), '--data-dir', dir];
  platform = spawn(process.execPath, args, { stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, RUNNEL_BOOTSTRAP_API_KEY: API_KEY } });
  await new Promise<void>((resolve, reject) => {
    const onData = (d: Buffer) => {
      output += d.toString();
      if (output.includes('Runnel is running.')) resolve();
    };
    platform.stdout?.on('data', onData);
    platform.stderr?.on('data', onData);
    platform.once('exit', (code) => reject(new Error(`the launcher exited ${code}: ${output}`)));
  });
});

afterAll(async () => {
  await Promise.all(peers.map((p) => p.stop()));
  if (platform.exitCode === null) {
    const exited = new Promise<void>((r) => platform.once('exit', () => r()));
    platform.kill('SIGTERM');
    await exited;
  }
  rmSync(dir, { recursive: true, force: true });
});

interface Created {
  id: string;
  stream_key: string;
  playback_ids: Array<{ id: string }>;
}

describe('runnel start: the platform on one machine', () => {
  it('prints the API key and working examples', async () => {
    expect(output).toContain(`export RUNNEL_API_KEY=${API_KEY}`);
    expect(output).toContain(`rtmp://127.0.0.1:${ports.rtmp}`);
    // The node prints its ready lines once started, which may come after the launcher's banner.
    await expect.poll(() => output, { timeout: 5000, interval: 100 }).toContain(`streams managed by the control plane ${cp}`);
    // Neither the launcher nor the node shows a publish without an issued key (the platform refuses those).
    expect(output).not.toContain('live/livestream');
  });

  it('creates a stream and publishes to it with the commands of the banner, pasted into a shell', async () => {
    const lines = output.split('\n');
    const block = (first: number) => {
      const out: string[] = [];
      for (let i = first; i < lines.length && lines[i].startsWith('  '); i++) out.push(lines[i].slice(2));
      return out;
    };
    const setup = block(lines.findIndex((l) => l.startsWith('  export RUNNEL_API_KEY=')));
    const ffmpeg = block(lines.findIndex((l) => l.startsWith('  ffmpeg ')));
    expect(setup.length).toBeGreaterThan(3);
    expect(ffmpeg.join('\n')).toContain('"$RTMP_URL"');
    const script = [...setup, 'echo "STREAM_ID=$STREAM_ID"', ...ffmpeg.map((l) => l.replace(/^ffmpeg /, 'exec ffmpeg -loglevel error '))].join('\n');
    const shell = spawn('bash', ['-euc', script], { stdio: ['ignore', 'pipe', 'pipe'], detached: true });
    let said = '';
    shell.stdout?.on('data', (d: Buffer) => (said += d.toString()));
    shell.stderr?.on('data', (d: Buffer) => (said += d.toString()));
    try {
      await expect.poll(() => /STREAM_ID=(ls_\w+)/.exec(said)?.[1], { timeout: 10_000, interval: 100 }).toBeDefined();
      const id = /STREAM_ID=(ls_\w+)/.exec(said)?.[1];
      await expect
        .poll(async () => (await api<{ status: string }>('GET', `/v1/live-streams/${id}`)).data.status, { timeout: 20_000, interval: 250 })
        .toMatch(/^(connected|active)$/);
    } finally {
      if (shell.exitCode === null) {
        const exited = new Promise<void>((r) => shell.once('exit', () => r()));
        process.kill(-(shell.pid as number), 'SIGKILL');
        await exited;
      }
    }
  });

  it('publishes to the URL the API returns, plays HTTP-FLV under the playback id, refuses wrong and rotated keys', async () => {
    const made = await api<Created>('POST', '/v1/live-streams', { name: 'e2e' });
    expect(made.status).toBe(201);
    const { id, stream_key: key } = made.data;
    const pid = made.data.playback_ids[0].id;
    const urls = await api<{ rtmp: { url: string; stream_key: string } }>('POST', `/v1/live-streams/${id}/publish-urls`, {});
    expect(urls.status).toBe(200);
    expect(urls.data.rtmp.url).toContain(`:${ports.rtmp}/`);
    const publishUrl = `${urls.data.rtmp.url.replace(/\/$/, '')}/${urls.data.rtmp.stream_key}`;

    const pub = publishRtmp(publishUrl, { seconds: 60 });
    peers.push(pub);
    await expect.poll(() => nodeStreams(true), { timeout: 15_000, interval: 250 }).toContain(pid);
    expect(await nodeStreams()).not.toContain(key);

    const played = await probe(`http://127.0.0.1:${ports.http}/live/${pid}.flv`, ['-read_intervals', '%+2', '-count_frames'], 20_000);
    const video = played.streams.find((s) => s.codec_type === 'video');
    expect(video?.codec_name).toBe('h264');
    expect(Number(video?.nb_read_frames)).toBeGreaterThan(0);

    // HLS through the control plane's /hls/{playback_id}/ route, from the node's local files (first segment after hls.fragment_ms).
    const hlsUrl = `${cp}/hls/${pid}/index.m3u8`;
    await expect.poll(async () => (await fetch(hlsUrl)).status, { timeout: 30_000, interval: 500 }).toBe(200);
    const hls = await probe(hlsUrl, ['-read_intervals', '%+1', '-count_frames'], 20_000);
    expect(Number(hls.streams.find((s) => s.codec_type === 'video')?.nb_read_frames)).toBeGreaterThan(0);

    const wrong = publishRtmp(`rtmp://127.0.0.1:${ports.rtmp}/live/rnl_wrongkey`, { seconds: 5 });
    peers.push(wrong);
    expect(await wrong.exited).not.toBe(0);
    expect(await nodeStreams()).not.toContain('rnl_wrongkey');

    // Rotation refuses the old key at once and ends the running publish (end_sessions in the next heartbeat).
    const rotated = await api<{ stream_key: string }>('POST', `/v1/live-streams/${id}/rotate-keys`);
    expect(rotated.status).toBe(200);
    expect(rotated.data.stream_key).not.toBe(key);
    await expect.poll(() => pub.child.exitCode !== null || pub.child.signalCode !== null, { timeout: 15_000, interval: 250 }).toBe(true);
    await sleep(500);
    const old = publishRtmp(publishUrl, { seconds: 5 });
    peers.push(old);
    expect(await old.exited).not.toBe(0);
    // The playback id's source stays for its players (swept when idle), but nobody publishes it; the key never named one.
    expect(await nodeStreams(true)).not.toContain(pid);
    expect(await nodeStreams()).not.toContain(key);
  });
});

describe('runnel start: SRT publish with the URL, stream id and passphrase the API returns', () => {
  it('an encrypted SRT publish goes live under the playback id; without the passphrase or with a wrong key it is refused', async () => {
    const made = await api<Created>('POST', '/v1/live-streams', { name: 'srt e2e' });
    const { id } = made.data;
    const pid = made.data.playback_ids[0].id;
    const urls = await api<{ srt: { url: string; streamid: string; passphrase: string } }>('POST', `/v1/live-streams/${id}/publish-urls`, {});
    const srt = urls.data.srt;
    expect(srt.url).toBe(`srt://127.0.0.1:${ports.srt}`);
    const publish = (query: string, seconds: number) => {
      const p = runPeer('ffmpeg', [...testSignalArgs({ seconds }), '-f', 'mpegts', `${srt.url}?streamid=${srt.streamid}${query}`]);
      peers.push(p);
      return p;
    };

    const noPassphrase = publish('', 3);
    expect(await noPassphrase.exited).not.toBe(0);
    const wrongKey = runPeer('ffmpeg', [...testSignalArgs({ seconds: 3 }), '-f', 'mpegts', `${srt.url}?streamid=#!::r=live/rnl_wrongkey,m=publish&passphrase=${srt.passphrase}`]);
    peers.push(wrongKey);
    expect(await wrongKey.exited).not.toBe(0);
    expect(await nodeStreams(true)).not.toContain(pid);

    const pub = publish(`&passphrase=${srt.passphrase}`, 30);
    await expect.poll(() => nodeStreams(true), { timeout: 15_000, interval: 250 }).toContain(pid);
    const played = await probe(`http://127.0.0.1:${ports.http}/live/${pid}.flv`, ['-read_intervals', '%+2', '-count_frames'], 20_000);
    const video = played.streams.find((s) => s.codec_type === 'video');
    expect(video?.codec_name).toBe('h264');
    expect(Number(video?.nb_read_frames)).toBeGreaterThan(0);
    const sessions = await api<Array<{ protocol: string | null }>>('GET', `/v1/live-streams/${id}/sessions`);
    expect(sessions.data[0]?.protocol).toBe('srt');
    await pub.stop();
  });
});

describe('runnel start: a signed playback id over HLS', () => {
  it('refuses /hls without a valid token, and plays with one: the playlist hands the token on to its segments', async () => {
    const made = await api<Created>('POST', '/v1/live-streams', { name: 'e2e-signed', playback_policy: 'signed' });
    expect(made.status).toBe(201);
    const { id } = made.data;
    const pid = made.data.playback_ids[0].id;
    const urls = await api<{ rtmp: { url: string; stream_key: string } }>('POST', `/v1/live-streams/${id}/publish-urls`, {});
    const pub = publishRtmp(`${urls.data.rtmp.url.replace(/\/$/, '')}/${urls.data.rtmp.stream_key}`, { seconds: 30 });
    peers.push(pub);
    const token = (await api<{ token: string }>('POST', `/v1/live-streams/${id}/playback-tokens`, { expires_in_s: 600 })).data.token;
    const playlist = `${cp}/hls/${pid}/index.m3u8`;
    await expect.poll(async () => (await fetch(`${playlist}?token=${token}`)).status, { timeout: 30_000, interval: 500 }).toBe(200);
    const noToken = await fetch(playlist);
    expect(noToken.status).toBe(401);
    expect(((await noToken.json()) as { code: string }).code).toBe('playback_token_required');
    expect((await fetch(`${playlist}?token=${token.slice(0, -3)}xyz`)).status).toBe(403);
    const text = await (await fetch(`${playlist}?token=${token}`)).text();
    const segment = text.split('\n').find((l) => l.endsWith(`?token=${token}`));
    expect(segment).toMatch(new RegExp(`^${pid}-\\d+\\.ts\\?token=`));
    expect((await fetch(`${cp}/hls/${pid}/${segment?.split('?')[0]}`)).status).toBe(401);
    // ffprobe fetches the segments by the URIs of the playlist: frames are read only if they carry the token.
    const played = await probe(`${playlist}?token=${token}`, ['-read_intervals', '%+1', '-count_frames'], 20_000);
    expect(Number(played.streams.find((s) => s.codec_type === 'video')?.nb_read_frames)).toBeGreaterThan(0);
    await pub.stop();
  }, 60_000);
});

interface Received {
  header: string;
  body: string;
  event: { id: string; type: string; seq: number; object: { id: string }; data: Record<string, unknown> };
}

/** Checks `Runnel-Signature: t=..,v1=..` the way control-plane/README.md tells receivers to (media-node may not import the control plane). */
function signatureValid(header: string, body: string, secret: string): boolean {
  const parts = new Map(header.split(',').map((p) => [p.slice(0, p.indexOf('=')).trim(), p.slice(p.indexOf('=') + 1).trim()] as const));
  const t = parts.get('t');
  const v1 = parts.get('v1');
  if (t === undefined || v1 === undefined || !/^\d+$/.test(t) || !/^[0-9a-f]{64}$/.test(v1)) return false;
  if (Math.abs(Date.now() / 1000 - Number(t)) > 300) return false;
  const expected = createHmac('sha256', secret).update(`${t}.${body}`).digest();
  return timingSafeEqual(expected, Buffer.from(v1, 'hex'));
}

describe('runnel start: webhooks and sessions of a broadcast', () => {
  let receiver: Server;
  const received: Received[] = [];
  /** The signing secret of the endpoint the first test adds (it takes every event). */
  let secret = '';

  beforeAll(async () => {
    receiver = createServer((req, res) => {
      let body = '';
      req.setEncoding('utf8');
      req.on('data', (d: string) => (body += d));
      req.on('end', () => {
        received.push({ header: String(req.headers['runnel-signature'] ?? ''), body, event: JSON.parse(body) as Received['event'] });
        res.writeHead(204).end();
      });
    });
    await new Promise<void>((r) => receiver.listen(0, '127.0.0.1', () => r()));
  });

  afterAll(async () => {
    await new Promise<void>((r) => receiver.close(() => r()));
  });

  it('sends signed stream.connected, active, disconnected, idle in seq order and records one session as long as the publish', async () => {
    const port = (receiver.address() as { port: number }).port;
    const ep = await api<{ id: string; secret: string }>('POST', '/v1/webhook-endpoints', { url: `http://127.0.0.1:${port}/hooks` });
    expect(ep.status).toBe(201);
    expect(ep.data.secret).toMatch(/^whsec_/);
    secret = ep.data.secret;

    // reconnect_window_s 0: idle follows disconnected at the next sweep (about a second on Node).
    const made = await api<Created>('POST', '/v1/live-streams', { name: 'e2e-webhooks', reconnect_window_s: 0 });
    expect(made.status).toBe(201);
    const id = made.data.id;
    const urls = await api<{ rtmp: { url: string; stream_key: string } }>('POST', `/v1/live-streams/${id}/publish-urls`, {});
    expect(urls.status).toBe(200);
    const publishUrl = `${urls.data.rtmp.url.replace(/\/$/, '')}/${urls.data.rtmp.stream_key}`;
    const pid = made.data.playback_ids[0].id;
    // Deliveries may arrive in any order (at least once, in parallel); receivers order them by seq.
    const mine = () => received.filter((r) => r.event.object.id === id).sort((a, b) => a.event.seq - b.event.seq);
    const types = () => mine().map((r) => r.event.type);

    const seconds = 12;
    const started = Date.now();
    const pub = publishRtmp(publishUrl, { seconds });
    peers.push(pub);
    await expect.poll(types, { timeout: 20_000, interval: 250 }).toEqual(['stream.connected', 'stream.active']);
    const hls = await probe(`${cp}/hls/${pid}/index.m3u8`, ['-read_intervals', '%+1', '-count_frames'], 10_000);
    expect(Number(hls.streams.find((s) => s.codec_type === 'video')?.nb_read_frames)).toBeGreaterThan(0);

    expect(await pub.exited).toBe(0);
    const published = Date.now() - started;
    await expect.poll(types, { timeout: 15_000, interval: 250 }).toEqual(['stream.connected', 'stream.active', 'stream.disconnected', 'stream.idle']);

    const events = mine();
    for (const r of events) expect(signatureValid(r.header, r.body, ep.data.secret), r.event.type).toBe(true);
    expect(signatureValid(events[0].header, events[0].body, 'whsec_not-the-secret')).toBe(false);
    const seqs = events.map((r) => r.event.seq);
    expect(seqs).toEqual(seqs.map((_, i) => seqs[0] + i));
    expect(new Set(events.map((r) => r.event.id)).size).toBe(events.length);
    expect(events[0].event.data.protocol).toBe('rtmp');
    expect(events[2].event.data.reason).toBe('unpublished');

    const sessions = await api<Array<{ duration_ms: number; ended_at: string | null; end_reason: string | null; protocol: string; bytes_in: number | null }>>('GET', `/v1/live-streams/${id}/sessions`);
    expect(sessions.status).toBe(200);
    expect(sessions.data).toHaveLength(1);
    const [session] = sessions.data;
    expect(session.ended_at).not.toBeNull();
    expect(session.end_reason).toBe('unpublished');
    expect(session.protocol).toBe('rtmp');
    // The session runs from on_publish to on_unpublish: inside the wall-clock publish, at least the media's length.
    expect(session.duration_ms).toBeGreaterThanOrEqual((seconds - 2) * 1000);
    expect(session.duration_ms).toBeLessThanOrEqual(published + 2000);
    // What the node received from ffmpeg: its test signal is 500 kbit/s video + 64 kbit/s audio, so tens of KB per second at least.
    expect(session.bytes_in).toBeGreaterThan(seconds * 20_000);
    expect((await api<{ status: string }>('GET', `/v1/live-streams/${id}`)).data.status).toBe('idle');
  }, 60_000);

  it('records a stream with recording on: the node\'s DVR file becomes a recording of that session, with a signed recording.ready', async () => {
    expect(secret).not.toBe('');
    const made = await api<Created>('POST', '/v1/live-streams', { name: 'e2e-recording', recording: { mode: 'automatic' } });
    const id = made.data.id;
    const urls = await api<{ rtmp: { url: string; stream_key: string } }>('POST', `/v1/live-streams/${id}/publish-urls`, {});
    const seconds = 5;
    const pub = publishRtmp(`${urls.data.rtmp.url.replace(/\/$/, '')}/${urls.data.rtmp.stream_key}`, { seconds });
    peers.push(pub);
    expect(await pub.exited).toBe(0);

    const ready = () => received.filter((r) => r.event.object.id === id && r.event.type === 'recording.ready');
    await expect.poll(() => ready().length, { timeout: 15_000, interval: 250 }).toBe(1);
    const [event] = ready();
    expect(signatureValid(event.header, event.body, secret)).toBe(true);

    interface Recording { id: string; session_id: string; format: string; storage_key: string; url: string | null; file_path: string | null; duration_ms: number; bytes: number }
    const list = await api<Recording[]>('GET', `/v1/live-streams/${id}/recordings`);
    expect(list.data).toHaveLength(1);
    const [rec] = list.data;
    expect(event.event.data.recording_id).toBe(rec.id);
    expect(event.event.data.recording).toEqual(rec);
    expect((await api<Recording>('GET', `/v1/recordings/${rec.id}`)).data).toEqual(rec);
    const sessions = await api<Array<{ id: string }>>('GET', `/v1/live-streams/${id}/sessions`);
    expect(rec.session_id).toBe(sessions.data[0].id);
    // The platform's node keeps DVR files on its disk (this machine): the size it reported is the file's.
    expect(rec.format).toBe('flv');
    expect(rec.url).toBeNull();
    expect(rec.bytes).toBe(statSync(rec.storage_key).size);
    expect(rec.duration_ms).toBeGreaterThanOrEqual((seconds - 1) * 1000);
    expect(rec.duration_ms).toBeLessThanOrEqual((seconds + 1) * 1000);
    const streams = await probe(rec.storage_key, [], 10_000);
    expect(streams.streams.map((x) => x.codec_type).sort()).toEqual(['audio', 'video']);
    // The API serves the file from this machine's disk (runnel start), byte for byte, to the tenant only.
    expect(rec.file_path).toBe(`/v1/recordings/${rec.id}/file`);
    const file = await fetch(`${cp}${rec.file_path}`, { headers: auth });
    expect([file.status, file.headers.get('content-type')]).toEqual([200, 'video/x-flv']);
    expect(Buffer.compare(Buffer.from(await file.arrayBuffer()), readFileSync(rec.storage_key))).toBe(0);
    expect((await fetch(`${cp}${rec.file_path}`)).status).toBe(401);
  }, 40_000);
});
