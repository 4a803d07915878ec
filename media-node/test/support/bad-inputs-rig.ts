/**
 * The rig every bad-inputs e2e file shares (shared/reference/bad-inputs.md
 * rows 1-31 and 35, split by area into test/bad-inputs-*.e2e.test.ts): a node
 * with short deadlines, a canary, and the clean-error contract stated there:
 * (a) the offending connection gets the protocol-level error and is closed
 *     within 1 s of the bad bytes (or, where the row says "ignore", stays usable);
 * (b) no uncaughtException/unhandledRejection, and the node logs a `close` line
 *     for that client with its reason code;
 * (c) a canary (ffmpeg publisher -> HTTP-FLV reader) on the same node runs
 *     through the whole file and never sees a gap longer than a GOP;
 * (d) memory is back near its baseline after the heavy rows (8, 9, 21-23);
 * (e) nothing is written outside the media root and the node never spawns.
 * The engine-level twin is src/protocol/rtmp/bad-inputs.test.ts; rows 32-34
 * (hooks and auth) live in hooks.e2e.test.ts.
 */
import { readdirSync } from 'node:fs';
import { connect } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, expect } from 'vitest';
import { hex } from '@runnel/shared';
import type { LogRecord } from '../../src/server/log/logger.ts';
import { publishRtmp, sleep } from './ffmpeg.ts';
import type { Peer } from './ffmpeg.ts';
import { largestGap, readHttpFlv } from './flv-reader.ts';
import type { ArrivedTag, FlvReader } from './flv-reader.ts';
import { startNodeUnderTest } from './node-under-test.ts';
import type { NodeUnderTest } from './node-under-test.ts';
import { guardProcess } from './process-guard.ts';
import { RawRtmpPeer } from './raw-rtmp.ts';
import { MSG } from '../../src/protocol/rtmp/message.ts';

/** The node's deadlines, shortened so the timeout rows take about a second. */
export const HANDSHAKE_TIMEOUT_MS = 1000;
export const PUBLISH_TIMEOUT_MS = 1000;
/** Largest message this node reassembles: gortmplib's 10 MiB, below the 24-bit field's 0xFFFFFF (row 8). */
export const MAX_MESSAGE_BYTES = 10 * 1024 * 1024;
/** How often the node checks deadlines (server/rtmp/rtmp-listener.ts TICK_MS). */
export const TICK_MS = 500;
/** Contract (a). */
export const CLOSE_WITHIN_MS = 1000;
/** Contract (c): one GOP is 1 s (-g 25 at 25 fps); mw_latency merges 350 ms of writes, so allow half a GOP more. */
const CANARY_MAX_GAP_MS = 1500;
/** Contract (d): within 10 % of the baseline. */
export const MEMORY_SLACK = 1.1;
/** Part of every name an attack uses, so (e) can look for anything it created. */
export const MARK = 'runnelpwn';

export const isFrame = (t: ArrivedTag): boolean => t.type === 9 && t.body[1] === 1;
export const u32 = (v: number): Uint8Array => hex((v >>> 0).toString(16).padStart(8, '0'));

/** An AVC video tag body (E.2 VIDEODATA: frame type + codec 7, NALU packet, cts 0) of `size` bytes. */
export function videoBody(key: boolean, size: number, seed = 0): Uint8Array {
  const b = new Uint8Array(size);
  b[0] = key ? 0x17 : 0x27;
  b[1] = 1;
  for (let i = 5; i < size; i++) b[i] = (i * 7 + seed) & 0xff;
  return b;
}

export interface BadInputsRig {
  /** The node of this file (started in beforeAll). */
  readonly n: NodeUnderTest;
  /** A raw TCP connection, with the node's client id for it (to find its log lines). */
  open(): Promise<RawRtmpPeer>;
  /** Handshaken and connected to app `live`. */
  connected(): Promise<RawRtmpPeer>;
  /** A publisher of live/`name` that has sent a keyframe, and an HTTP-FLV reader that received it. */
  publishing(name: string): Promise<{ peer: RawRtmpPeer; reader: FlvReader }>;
  /** The node's client id for `peer`. */
  idOf(peer: RawRtmpPeer): string | undefined;
  logOf(peer: RawRtmpPeer): LogRecord[];
  /** Contract (a) + (b) for a row that must close: closed within 1 s of the last write, a `close` line with `code`. */
  expectClosed(peer: RawRtmpPeer, code: string, withinMs?: number): Promise<void>;
  /** Contract (a) for an "ignore" row: still open, answers a ping, nothing logged as closed. */
  expectUsable(peer: RawRtmpPeer, token: number): Promise<void>;
  /** A raw HTTP/1.1 GET with the target exactly as given (no client-side normalization); resolves with the status. */
  rawGet(target: string): Promise<{ status: number; ms: number }>;
  /** The file's last test: (c) the canary never stalled longer than a GOP, (b) nothing uncaught, (e) no spawn, no file outside the media root. */
  expectCleanRun(): void;
}

/** Starts the node and the canary before the file's tests and stops them after; call once at the top of a file. */
export function badInputsRig(): BadInputsRig {
  const guard = guardProcess('test/support/ffmpeg.ts');
  let n: NodeUnderTest | undefined;
  let canaryPublisher: Peer;
  let canary: FlvReader;
  let canaryFrom = 0;
  let markedBefore: string[] = [];
  const peers: RawRtmpPeer[] = [];
  const readers: FlvReader[] = [];
  const ids = new WeakMap<RawRtmpPeer, string>();
  const node = (): NodeUnderTest => {
    if (!n) throw new Error('the bad-inputs node is not started');
    return n;
  };

  beforeAll(async () => {
    markedBefore = markedPaths();
    n = await startNodeUnderTest({
      rtmp: {
        handshake_timeout_ms: HANDSHAKE_TIMEOUT_MS,
        max_message_bytes: MAX_MESSAGE_BYTES,
        publish: { first_packet_timeout_ms: PUBLISH_TIMEOUT_MS, normal_timeout_ms: PUBLISH_TIMEOUT_MS },
      },
    });
    canary = readHttpFlv(n.http('/live/canary.flv'), { keepBodyBytes: 2 });
    canaryPublisher = publishRtmp(n.rtmp('/live/canary'), { seconds: 240, gop: 25 });
    await canary.waitForTags(isFrame, 25, 20_000);
    canaryFrom = performance.now();
  });

  afterAll(async () => {
    for (const p of peers) p.destroy();
    for (const r of readers) r.close();
    canary?.close();
    await canaryPublisher?.stop();
    await n?.stop();
    guard.dispose();
  });

  const logOf = (peer: RawRtmpPeer): LogRecord[] => {
    const id = ids.get(peer);
    return node().log.records.filter((r) => r.fields.client === id);
  };

  const open = async (): Promise<RawRtmpPeer> => {
    const before = new Set(node().node.clients.list().map((c) => c.id));
    const peer = await RawRtmpPeer.open(node().node.ports.rtmp);
    peers.push(peer);
    const id = await until(() => node().node.clients.list().find((c) => !before.has(c.id) && c.type !== 'flv-play')?.id, 'the client record');
    ids.set(peer, id);
    return peer;
  };

  const connected = async (): Promise<RawRtmpPeer> => {
    const peer = await open();
    await peer.handshake();
    await peer.connectApp('live', node().node.ports.rtmp);
    return peer;
  };

  return {
    get n() {
      return node();
    },
    open,
    connected,
    async publishing(name) {
      const reader = readHttpFlv(node().http(`/live/${name}.flv`));
      readers.push(reader);
      const peer = await connected();
      expect(await peer.publish(name)).toBe('NetStream.Publish.Start');
      peer.media(MSG.video, 0, videoBody(true, 64));
      await reader.waitForTags(isFrame, 1, 3000);
      return { peer, reader };
    },
    idOf: (peer) => ids.get(peer),
    logOf,
    async expectClosed(peer, code, withinMs = CLOSE_WITHIN_MS) {
      const ms = await peer.closedAfterLastWrite(withinMs + 2000);
      expect(ms, 'ms from the bad bytes to the close').toBeLessThan(withinMs);
      const id = ids.get(peer)!;
      const close = await until(() => logOf(peer).find((r) => r.event === 'close'), `the close line of ${id}`);
      expect(close.fields).toMatchObject({ client: id, proto: 'rtmp', code });
      expect(close.fields.reason).toEqual(expect.any(String));
      expect(node().node.clients.get(id)).toBeUndefined();
    },
    async expectUsable(peer, token) {
      await peer.ping(token);
      expect(peer.isOpen).toBe(true);
      expect(logOf(peer).filter((r) => r.event === 'close')).toEqual([]);
    },
    rawGet: (target) => rawGet(node().node.ports.http, target),
    expectCleanRun() {
      const during = canary.tags.filter((t) => t.at >= canaryFrom);
      const seconds = (performance.now() - canaryFrom) / 1000;
      const gap = largestGap(during, isFrame);
      expect.soft(gap.gapMs, `canary gap ending ${Math.round(gap.at - canaryFrom)} ms into the rows`).toBeLessThan(CANARY_MAX_GAP_MS);
      expect.soft(during.filter(isFrame).length, `canary frames in ${seconds.toFixed(1)} s`).toBeGreaterThan(seconds * 25 * 0.8);
      expect.soft(canary.error()).toBeNull();
      expect.soft(canaryPublisher.child.exitCode, canaryPublisher.stderr()).toBeNull();
      expect.soft(guard.uncaught).toEqual([]);
      expect.soft(guard.foreignSpawns().map((c) => `${c.fn} ${c.file}`)).toEqual([]);
      expect.soft(guard.spawns.length, 'the guard saw the canary ffmpeg, so it would see any other spawn').toBeGreaterThan(0);
      expect.soft(markedPaths()).toEqual(markedBefore);
    },
  };
}

async function until<T>(probe: () => T | undefined, what: string, timeoutMs = 3000): Promise<T> {
  const deadline = performance.now() + timeoutMs;
  for (;;) {
    const v = probe();
    if (v !== undefined) return v;
    if (performance.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await sleep(10);
  }
}

/** Every file or directory whose name carries MARK where an attack could aim: tmp (and the media root in it), cwd, /etc, /. */
function markedPaths(): string[] {
  const out: string[] = [];
  const scan = (dir: string, depth: number, into: (name: string) => boolean) => {
    let entries;
    try {
      entries = readdirSync(dir, { withFileTypes: true });
    } catch {
      return;
    }
    for (const e of entries) {
      const p = join(dir, e.name);
      if (e.name.includes(MARK)) out.push(p);
      if (depth > 0 && e.isDirectory() && into(e.name)) scan(p, depth - 1, () => true);
    }
  };
  scan(tmpdir(), 6, (name) => name.startsWith('runnel-e2e-'));
  for (const dir of [process.cwd(), '/etc', '/']) scan(dir, 0, () => false);
  return out.sort();
}

function rawGet(port: number, target: string): Promise<{ status: number; ms: number }> {
  return new Promise((resolve, reject) => {
    const t0 = performance.now();
    const s = connect({ host: '127.0.0.1', port });
    let head = '';
    s.on('connect', () => s.write(`GET ${target} HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n`, 'latin1'));
    s.on('data', (b: Buffer) => {
      head += b.toString('latin1');
      const m = /^HTTP\/1\.1 (\d{3})/.exec(head);
      if (m) {
        s.destroy();
        resolve({ status: Number(m[1]), ms: performance.now() - t0 });
      }
    });
    s.on('error', reject);
    s.setTimeout(3000, () => reject(new Error(`no answer to GET ${JSON.stringify(target)}`)));
  });
}

