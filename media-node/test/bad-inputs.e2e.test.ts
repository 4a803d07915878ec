/**
 * shared/reference/bad-inputs.md rows 1-31 and 35 against a running node, over
 * real sockets, each checked against the clean-error contract stated there:
 * (a) the offending connection gets the protocol-level error and is closed
 *     within 1 s of the bad bytes (or, where the row says "ignore", stays usable);
 * (b) no uncaughtException/unhandledRejection, and the node logs a `close` line
 *     for that client with its reason code;
 * (c) a canary (ffmpeg publisher -> HTTP-FLV reader) on the same node runs
 *     through the whole file and never sees a gap longer than a GOP;
 * (d) memory is back near its baseline after the heavy rows (8, 9, 21-23);
 * (e) nothing is written outside the media root and the node never spawns.
 * The engine-level twin of this file is src/protocol/rtmp/bad-inputs.test.ts.
 * Rows 32-34 (hooks and auth) live in hooks.e2e.test.ts.
 */
import { readdirSync } from 'node:fs';
import { connect } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { hex } from '@runnel/shared';
import { amf0EcmaArray, encodeAmf0 } from '../src/format/amf0.ts';
import type { Amf0Value } from '../src/format/amf0.ts';
import { encodeMessageChunks } from '../src/protocol/rtmp/chunk-writer.ts';
import { HANDSHAKE_SIZE } from '../src/protocol/rtmp/handshake-digest.ts';
import { MSG } from '../src/protocol/rtmp/message.ts';
import { encodeAggregate } from '../src/protocol/rtmp/messages/aggregate.ts';
import { encodeCommand } from '../src/protocol/rtmp/messages/command.ts';
import type { LogRecord } from '../src/server/log/logger.ts';
import { publishRtmp, sleep } from './support/ffmpeg.ts';
import type { Peer } from './support/ffmpeg.ts';
import { largestGap, readHttpFlv } from './support/flv-reader.ts';
import type { ArrivedTag, FlvReader } from './support/flv-reader.ts';
import { startNodeUnderTest } from './support/node-under-test.ts';
import type { NodeUnderTest } from './support/node-under-test.ts';
import { guardProcess, settledMemory } from './support/process-guard.ts';
import { RawRtmpPeer, cat, simpleC0C1 } from './support/raw-rtmp.ts';

/** The node's deadlines, shortened so the timeout rows take about a second. */
const HANDSHAKE_TIMEOUT_MS = 1000;
const PUBLISH_TIMEOUT_MS = 1000;
/** Largest message this node reassembles: gortmplib's 10 MiB, below the 24-bit field's 0xFFFFFF (row 8). */
const MAX_MESSAGE_BYTES = 10 * 1024 * 1024;
/** How often the node checks deadlines (server/rtmp/rtmp-listener.ts TICK_MS). */
const TICK_MS = 500;
/** Contract (a). */
const CLOSE_WITHIN_MS = 1000;
/** Contract (c): one GOP is 1 s (-g 25 at 25 fps); mw_latency merges 350 ms of writes, so allow half a GOP more. */
const CANARY_MAX_GAP_MS = 1500;
/** Contract (d): within 10 % of the baseline. */
const MEMORY_SLACK = 1.1;
/** Part of every name an attack uses, so (e) can look for anything it created. */
const MARK = 'runnelpwn';

const guard = guardProcess('test/support/ffmpeg.ts');
let n: NodeUnderTest;
let canaryPublisher: Peer;
let canary: FlvReader;
let canaryFrom = 0;
let markedBefore: string[] = [];
const peers: RawRtmpPeer[] = [];
const readers: FlvReader[] = [];
const ids = new WeakMap<RawRtmpPeer, string>();

const isFrame = (t: ArrivedTag) => t.type === 9 && t.body[1] === 1;
const u32 = (v: number) => hex((v >>> 0).toString(16).padStart(8, '0'));

/** An AVC video tag body (E.2 VIDEODATA: frame type + codec 7, NALU packet, cts 0) of `size` bytes. */
function videoBody(key: boolean, size: number, seed = 0): Uint8Array {
  const b = new Uint8Array(size);
  b[0] = key ? 0x17 : 0x27;
  b[1] = 1;
  for (let i = 5; i < size; i++) b[i] = (i * 7 + seed) & 0xff;
  return b;
}

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

// ---------------------------------------------------------------------------
// helpers

async function until<T>(probe: () => T | undefined, what: string, timeoutMs = 3000): Promise<T> {
  const deadline = performance.now() + timeoutMs;
  for (;;) {
    const v = probe();
    if (v !== undefined) return v;
    if (performance.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await sleep(10);
  }
}

/** A raw TCP connection, with the node's client id for it (to find its log lines). */
async function open(): Promise<RawRtmpPeer> {
  const before = new Set(n.node.clients.list().map((c) => c.id));
  const peer = await RawRtmpPeer.open(n.node.ports.rtmp);
  peers.push(peer);
  const id = await until(() => n.node.clients.list().find((c) => !before.has(c.id) && c.type !== 'flv-play')?.id, 'the client record');
  ids.set(peer, id);
  return peer;
}

async function connected(): Promise<RawRtmpPeer> {
  const peer = await open();
  await peer.handshake();
  await peer.connectApp('live', n.node.ports.rtmp);
  return peer;
}

/** A publisher of live/`name` that has sent a keyframe, and an HTTP-FLV reader that received it. */
async function publishing(name: string): Promise<{ peer: RawRtmpPeer; reader: FlvReader }> {
  const reader = readHttpFlv(n.http(`/live/${name}.flv`));
  readers.push(reader);
  const peer = await connected();
  expect(await peer.publish(name)).toBe('NetStream.Publish.Start');
  peer.media(MSG.video, 0, videoBody(true, 64));
  await reader.waitForTags(isFrame, 1, 3000);
  return { peer, reader };
}

function logOf(peer: RawRtmpPeer): LogRecord[] {
  const id = ids.get(peer);
  return n.log.records.filter((r) => r.fields.client === id);
}

/** Contract (a) + (b) for a row that must close: closed within 1 s of the last write, a `close` line with `code`. */
async function expectClosed(peer: RawRtmpPeer, code: string, withinMs = CLOSE_WITHIN_MS): Promise<void> {
  const ms = await peer.closedAfterLastWrite(withinMs + 2000);
  expect(ms, 'ms from the bad bytes to the close').toBeLessThan(withinMs);
  const id = ids.get(peer)!;
  const close = await until(() => logOf(peer).find((r) => r.event === 'close'), `the close line of ${id}`);
  expect(close.fields).toMatchObject({ client: id, proto: 'rtmp', code });
  expect(close.fields.reason).toEqual(expect.any(String));
  expect(n.node.clients.get(id)).toBeUndefined();
}

/** Contract (a) for an "ignore" row: still open, answers a ping, nothing logged as closed. */
async function expectUsable(peer: RawRtmpPeer, token: number): Promise<void> {
  await peer.ping(token);
  expect(peer.isOpen).toBe(true);
  expect(logOf(peer).filter((r) => r.event === 'close')).toEqual([]);
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

/** A raw HTTP/1.1 GET with the target exactly as given (no client-side normalization); resolves with the status. */
function rawGet(target: string): Promise<{ status: number; ms: number }> {
  return new Promise((resolve, reject) => {
    const t0 = performance.now();
    const s = connect({ host: '127.0.0.1', port: n.node.ports.http });
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

/**
 * Row 9's bytes: `count` chunk streams from cid 64 up (2-byte basic headers to
 * 319, 3-byte after), each a fmt 0 header announcing `length` (hex u24) and one
 * 128-byte chunk. Built here so nothing of it stays referenced by the test.
 */
function manyChunkStreams(count: number, length: string): Uint8Array {
  const header = hex(`000000 ${length} 09 01000000`);
  const parts: Uint8Array[] = [];
  for (let i = 0; i < count; i++) {
    const csid = 64 + i;
    const basic = csid < 320 ? [0x00, csid - 64] : [0x01, (csid - 64) & 0xff, (csid - 64) >> 8];
    parts.push(new Uint8Array(basic), header, new Uint8Array(128));
  }
  return cat(...parts);
}

// ---------------------------------------------------------------------------

describe('bad inputs over real sockets (shared/reference/bad-inputs.md)', () => {
  it.each([
    ['RTMPE 0x06', 0x06],
    ["HTTP 'G' 0x47", 0x47],
    ["HTTP 'H' 0x48", 0x48],
    ['TLS 0x16', 0x16],
  ])('row 1: C0 = %s is closed at once, nothing sent', async (_n, c0) => {
    const peer = await open();
    peer.write(new Uint8Array([c0, 0x45, 0x54, 0x20, 0x2f]));
    await expectClosed(peer, 'rtmp_version');
    expect(peer.received).toBe(0);
  });

  it('row 2: a slow handshake, C0C1 then silence, and a handshake without connect close at the deadline', async () => {
    const trickle = await open();
    trickle.write(new Uint8Array([3]));
    const drip = setInterval(() => trickle.write(new Uint8Array([0])), 300);
    const silent = await open();
    silent.write(simpleC0C1());
    const noConnect = await open();
    await noConnect.handshake();
    try {
      await Promise.all([trickle, silent, noConnect].map((p) => p.closed(HANDSHAKE_TIMEOUT_MS + TICK_MS + 2000)));
    } finally {
      clearInterval(drip);
    }
    for (const p of [trickle, silent, noConnect]) {
      const lived = p.endedAt! - p.openedAt;
      expect(lived).toBeGreaterThanOrEqual(HANDSHAKE_TIMEOUT_MS - 50);
      // the deadline is checked every TICK_MS; contract (a) allows 1 s after it
      expect(lived).toBeLessThan(HANDSHAKE_TIMEOUT_MS + TICK_MS + CLOSE_WITHIN_MS);
      expect(logOf(p).find((r) => r.event === 'close')?.fields).toMatchObject({ code: 'handshake_timeout', reason: 'timeout' });
    }
    expect(silent.received).toBe(1 + 2 * HANDSHAKE_SIZE);
  });

  it('row 3: a C2 of random bytes and a wrong complex digest are accepted as a simple handshake', async () => {
    const randomC2 = await open();
    await randomC2.handshake(simpleC0C1(), new Uint8Array(HANDSHAKE_SIZE).map((_, i) => (i * 131 + 7) & 0xff));
    await randomC2.connectApp('live', n.node.ports.rtmp);
    await expectUsable(randomC2, 3);
    const badDigest = await open();
    const c1 = simpleC0C1();
    c1.set([9, 0, 124, 2], 5); // a client version: claims the digest handshake, whose digest is garbage
    await badDigest.handshake(c1);
    await badDigest.connectApp('live', n.node.ports.rtmp);
    await expectUsable(badDigest, 33);
  });

  it.each([
    ['row 4: 0', 0],
    ['row 5: 1', 1],
    ['row 5: 127', 127],
    ['row 6: 0x7FFFFFFF', 0x7fffffff],
    ['row 6: 0x80000001', 0x80000001],
  ])('%s as Set Chunk Size closes (chunk size out of range)', async (_n, size) => {
    const peer = await connected();
    peer.control(MSG.setChunkSize, u32(size));
    await expectClosed(peer, 'chunk_size_out_of_range');
  });

  it('row 7: Set Chunk Size between two chunks of a large message applies to the rest', async () => {
    const { peer, reader } = await publishing('row7');
    const payload = videoBody(true, 1000, 3);
    const wire = encodeMessageChunks({ csid: 6, timestamp: 40, typeId: MSG.video, streamId: 1, payload }, 128);
    peer.write(wire.subarray(0, 12 + 128));
    peer.setChunkSize(4096);
    peer.write(new Uint8Array([0xc6]));
    peer.write(payload.subarray(128));
    const [, got] = await reader.waitForTags(isFrame, 2, 3000);
    expect(Buffer.from(got!.body).equals(Buffer.from(payload))).toBe(true);
    await expectUsable(peer, 7);
  });

  it('row 8: a message length above the configured max closes before allocating (d: memory stays at baseline)', async () => {
    const baseline = await settledMemory();
    const peer = await connected();
    peer.write(hex('06 000000 ffffff 09 01000000'));
    peer.write(new Uint8Array(128));
    await expectClosed(peer, 'message_too_large');
    expect(await settledMemory()).toBeLessThan(baseline * MEMORY_SLACK);
  });

  it.each([
    ['a connection that never publishes', false, 'identify_timeout', HANDSHAKE_TIMEOUT_MS],
    ['a publisher', true, 'publish_timeout', PUBLISH_TIMEOUT_MS],
  ])('row 8: %s announcing 8 MiB, sending 64 KiB and stalling is closed at its deadline, memory back', async (_n, publish, code, deadlineMs) => {
    const baseline = await settledMemory();
    const peer = publish ? (await publishing('row8')).peer : await connected();
    peer.write(hex('07 000000 800000 09 01000000'));
    for (let i = 0; i < 512; i++) peer.write(i === 0 ? new Uint8Array(128) : cat(new Uint8Array([0xc7]), new Uint8Array(128)));
    await peer.closed(deadlineMs + TICK_MS + CLOSE_WITHIN_MS + 1000);
    expect(peer.endedAt! - peer.lastWriteAt).toBeLessThan(deadlineMs + TICK_MS + CLOSE_WITHIN_MS);
    expect(logOf(peer).find((r) => r.event === 'close')?.fields).toMatchObject({ code });
    expect(await settledMemory()).toBeLessThan(baseline * MEMORY_SLACK);
  });

  it.each([
    ['1 MiB', '100000', 'too_many_chunk_streams'],
    ['1 KiB', '000400', 'too_many_chunk_streams'],
  ])('row 9: 10 000 cids (2- and 3-byte headers) each opening a partial %s message close at a cap, memory back', async (_n, length, code) => {
    const baseline = await settledMemory();
    const peer = await connected();
    peer.write(manyChunkStreams(10_000, length));
    await expectClosed(peer, code);
    expect(await settledMemory()).toBeLessThan(baseline * MEMORY_SLACK);
  });

  it.each([
    ['cid 65599 (b1=0xFF, b2=0xFF)', 65599],
    ['cid 320 (b1=0, b2=1)', 320],
  ])('row 10: a 3-byte basic header, %s, carries a command', async (_n, csid) => {
    const peer = await connected();
    peer.command('createStream', 2, null, [], 0, csid);
    const r = await peer.waitForCommand((c) => c.transactionId === 2);
    expect([r.name, r.args[0]]).toEqual(['_result', 1]);
    await expectUsable(peer, csid);
  });

  it.each([
    ['fmt 1', '44 000000 000001 09 aa'],
    ['fmt 2', '84 000000 aa'],
    ['fmt 3', 'c4 aa'],
  ])('row 11: the first chunk on a new cid with %s closes', async (_n, bytes) => {
    const peer = await connected();
    peer.write(hex(bytes));
    await expectClosed(peer, 'chunk_start_not_fmt0');
  });

  it('row 11: fmt 1 opening cid 2 (librtmp ping) is tolerated', async () => {
    const peer = await connected();
    peer.write(hex('42 000000 000006 04 0006 00000d0f'));
    await peer.waitFor(() => (peer.messages.some((m) => m.typeId === MSG.userControl && m.payload[1] === 7) ? true : undefined), 'ping response');
    await expectUsable(peer, 11);
  });

  it('row 12: fmt 0 on a cid whose message is half received closes', async () => {
    const { peer } = await publishing('row12');
    const first = encodeMessageChunks({ csid: 6, timestamp: 40, typeId: MSG.video, streamId: 1, payload: videoBody(false, 300) }, 128);
    peer.write(first.subarray(0, 12 + 128));
    peer.write(hex('06 000050 000005 09 01000000 2701000000'));
    await expectClosed(peer, 'chunk_fmt0_mid_message');
  });

  it('row 13: a fmt 1 continuation changing the length mid-message closes', async () => {
    const { peer } = await publishing('row13');
    const first = encodeMessageChunks({ csid: 6, timestamp: 40, typeId: MSG.video, streamId: 1, payload: videoBody(false, 300) }, 128);
    peer.write(first.subarray(0, 12 + 128));
    peer.write(cat(hex('46 000000 000200 09'), new Uint8Array(128)));
    await expectClosed(peer, 'chunk_length_changed');
  });

  it('row 14: extended timestamps repeated in fmt 3 continuations, or not, give identical tags', async () => {
    const bodies = [videoBody(true, 300, 1), videoBody(false, 300, 2)];
    const got: ArrivedTag[][] = [];
    for (const repeated of [true, false]) {
      const { peer, reader } = await publishing(repeated ? 'row14a' : 'row14b');
      bodies.forEach((payload, i) => {
        const ts = 0x01000000 + 40 * i;
        const wire = encodeMessageChunks({ csid: 6, timestamp: ts, typeId: MSG.video, streamId: 1, payload }, 128);
        if (repeated) return peer.write(wire); // ffmpeg, librtmp, Flash: 0xc6 + the 4-byte timestamp again
        peer.write(wire.subarray(0, 16 + 128)); // OBS #10097: bare 0xc6 continuations
        peer.write(cat(new Uint8Array([0xc6]), payload.subarray(128, 256), new Uint8Array([0xc6]), payload.subarray(256)));
      });
      got.push((await reader.waitForTags(isFrame, 3, 3000)).slice(1));
      await expectUsable(peer, 14);
    }
    const [a, b] = got;
    expect(a!.map((t) => Buffer.from(t.body).toString('hex'))).toEqual(bodies.map((x) => Buffer.from(x).toString('hex')));
    expect(b!.map((t) => [t.timestamp, Buffer.from(t.body).toString('hex')])).toEqual(a!.map((t) => [t.timestamp, Buffer.from(t.body).toString('hex')]));
    expect(a![1]!.timestamp - a![0]!.timestamp).toBe(40);
  });

  it('row 15: huge deltas, backwards timestamps, a wrap at 2^32 and a +2^31 jump come out as non-negative 31-bit, in order', async () => {
    const { peer, reader } = await publishing('row15');
    peer.write(
      hex(
        '06 ffffff 000005 09 01000000 fffffff0 2701000000' + // 0xfffffff0
          '86 000020 2701000000' + // +0x20 wraps to 0x10
          '46 ffffff 000005 09 80000000 2701000000' + // fmt 1 extended delta 2^31
          '06 000005 000005 09 01000000 2701000000', // backwards to 5
      ),
    );
    const tags = (await reader.waitForTags(isFrame, 5, 3000)).slice(1);
    const ts = tags.map((t) => t.timestamp);
    for (const t of ts) expect(Number.isInteger(t) && t >= 0 && t < 2 ** 31, `timestamp ${t}`).toBe(true);
    for (let i = 1; i < ts.length; i++) expect(ts[i]).toBeGreaterThanOrEqual(ts[i - 1]!);
    await expectUsable(peer, 15);
  });

  it.each([
    ['0', 0],
    ['0xFFFFFFFF', 0xffffffff],
  ])('row 16: Window Ack Size %s is ignored: no acknowledgement, the connection works', async (_n, size) => {
    const peer = await connected();
    peer.control(MSG.windowAckSize, u32(size));
    peer.command('noop', 0, null, ['x'.repeat(20_000)]);
    await expectUsable(peer, 16);
    expect(peer.messages.filter((m) => m.typeId === MSG.acknowledgement)).toEqual([]);
  });

  it('row 17: Abort for an unknown cid, Abort mid-message and Acks of garbage are survived', async () => {
    const { peer, reader } = await publishing('row17');
    const half = encodeMessageChunks({ csid: 6, timestamp: 40, typeId: MSG.video, streamId: 1, payload: videoBody(false, 300) }, 128);
    peer.control(MSG.abort, u32(4242));
    peer.write(half.subarray(0, 12 + 128));
    peer.control(MSG.abort, u32(6));
    peer.control(MSG.acknowledgement, hex('ff'));
    peer.control(MSG.acknowledgement, hex('deadbeef'));
    const whole = videoBody(false, 200, 17);
    peer.media(MSG.video, 80, whole);
    const [, next] = await reader.waitForTags(isFrame, 2, 3000);
    expect(Buffer.from(next!.body).equals(Buffer.from(whole))).toBe(true);
    await expectUsable(peer, 17);
  });

  it('row 18: an unknown User Control event 0xFFFF is ignored, a 1-byte User Control closes', async () => {
    const unknown = await connected();
    unknown.control(MSG.userControl, hex('ffff 00000000'));
    await expectUsable(unknown, 18);
    const short = await connected();
    short.control(MSG.userControl, hex('00'));
    await expectClosed(short, 'user_control_short');
  });

  it('row 19: message types 0, 78 and 0xFF are ignored, then too many unknowns close', async () => {
    const peer = await connected();
    for (const typeId of [0, 78, 0xff]) peer.control(typeId, hex('00'));
    await expectUsable(peer, 19);
    for (let i = 0; i < 14; i++) peer.control(78, hex('00'));
    await expectClosed(peer, 'too_many_unknown_messages');
  });

  it('row 20: an aggregate whose sub-tag sizes exceed its body is dropped; the next one plays', async () => {
    const { peer, reader } = await publishing('row20');
    const good = videoBody(false, 40, 20);
    peer.media(MSG.aggregate, 100, hex('09 00ffff 000000 00 000000 2701'));
    peer.media(MSG.aggregate, 200, encodeAggregate([{ typeId: MSG.video, timestamp: 200, payload: good }]));
    const tags = await reader.waitForTags(isFrame, 2, 3000);
    expect(Buffer.from(tags[1]!.body).equals(Buffer.from(good))).toBe(true);
    await expectUsable(peer, 20);
    expect(reader.tags.filter(isFrame).length).toBe(2);
  });

  describe('rows 21-25: AMF0 bombs close the connection (d: memory back after the heavy ones)', () => {
    /** `connect` and its transaction id: the AMF0 bytes every case appends its bomb to. */
    const prefix = () => encodeCommand('connect', 1, null).subarray(0, 19);
    const cases: [string, () => Uint8Array, string][] = [
      ['row 21: an object nested 100 000 deep', () => cat(prefix(), new Uint8Array(100_000).fill(3)), 'amf0_too_deep'],
      ['row 22: a string of 0xFFFF bytes with 3 left', () => cat(prefix(), hex('02 ffff 616263')), 'amf0_length_exceeds_input'],
      ['row 22: a long string claiming 4 GiB', () => cat(prefix(), hex('0c ffffffff 61')), 'amf0_length_exceeds_input'],
      ['row 23: a strict array of 0xFFFFFFFF items with 10 bytes', () => cat(prefix(), hex('0a ffffffff' + '05'.repeat(10))), 'amf0_count_exceeds_input'],
      ['row 24: an object without the 00 00 09 end marker', () => cat(prefix(), hex('03 0003 617070 02 0001 61')), 'amf0_missing_object_end'],
      ['row 25: the unknown marker 0x0D', () => cat(prefix(), hex('0d')), 'amf0_unsupported_marker'],
      ['row 25: the AMF3 switch 0x11', () => cat(prefix(), hex('11 0a 0b 01')), 'amf0_unsupported_marker'],
      ['row 25: marker 108', () => cat(prefix(), hex('6c')), 'amf0_unsupported_marker'],
    ];

    it.each(cases)('%s as the connect command', async (_n, bomb, code) => {
      const baseline = await settledMemory();
      const peer = await open();
      await peer.handshake();
      peer.message({ csid: 3, timestamp: 0, typeId: MSG.commandAmf0, streamId: 0, payload: bomb() });
      await expectClosed(peer, code);
      expect(await settledMemory()).toBeLessThan(baseline * MEMORY_SLACK);
    });

    it('row 23: an ECMA array whose count lies (0x7FFFFFFF for 2 entries) is read to its end marker, never looped on', async () => {
      const baseline = await settledMemory();
      const commandObject = encodeAmf0(amf0EcmaArray({ app: 'live', tcUrl: 'rtmp://127.0.0.1/live' }));
      commandObject.set(hex('7fffffff'), 1); // AMF0 2.10: the count is advisory
      const peer = await open();
      await peer.handshake();
      peer.message({ csid: 3, timestamp: 0, typeId: MSG.commandAmf0, streamId: 0, payload: cat(prefix(), commandObject) });
      expect((await peer.waitForCommand((c) => c.transactionId === 1)).name).toBe('_result');
      await expectUsable(peer, 23);
      expect(await settledMemory()).toBeLessThan(baseline * MEMORY_SLACK);
    });

    it('row 21: 10 000 nested strict arrays in a play command after connect', async () => {
      const baseline = await settledMemory();
      const peer = await connected();
      peer.message({ csid: 3, timestamp: 0, typeId: MSG.commandAmf0, streamId: 0, payload: cat(encodeCommand('play', 0, null), hex('0a00000001'.repeat(10_000))) });
      await expectClosed(peer, 'amf0_too_deep');
      expect(await settledMemory()).toBeLessThan(baseline * MEMORY_SLACK);
    });

    it('row 25: an AMF3 command (type 17) of garbage', async () => {
      const peer = await connected();
      peer.message({ csid: 3, timestamp: 0, typeId: MSG.commandAmf3, streamId: 0, payload: hex('11 0a 0b 01 ff') });
      await expectClosed(peer, 'amf3_command_unsupported');
    });
  });

  it.each([
    ['without app', { tcUrl: 'rtmp://127.0.0.1/live' }, 'connect_invalid_app'],
    ['with app = 123', { app: 123, tcUrl: 'rtmp://127.0.0.1/live' }, 'connect_invalid_app'],
    ['with app = null', { app: null, tcUrl: 'rtmp://127.0.0.1/live' }, 'connect_invalid_app'],
    [`with app = ../../etc/${MARK}`, { app: `../../etc/${MARK}`, tcUrl: 'rtmp://127.0.0.1/live' }, 'connect_invalid_app'],
    ['without tcUrl', { app: 'live' }, 'connect_missing_tcurl'],
    ['with tcUrl = 5', { app: 'live', tcUrl: 5 }, 'connect_missing_tcurl'],
    ['with a tcUrl that is not a URL', { app: 'live', tcUrl: 'live' }, 'connect_invalid_tcurl'],
    ['with a null command object', null, 'connect_invalid'],
  ] as [string, Amf0Value, string][])('row 26: connect %s -> _error NetConnection.Connect.Rejected, close', async (_n, obj, code) => {
    const peer = await open();
    await peer.handshake();
    peer.command('connect', 1, obj);
    const answer = await peer.waitForCommand((c) => c.transactionId === 1);
    expect(answer.name).toBe('_error');
    expect(peer.statusCodes()).toEqual(['NetConnection.Connect.Rejected']);
    await expectClosed(peer, code);
  });

  it.each(['publish', 'play', 'createStream', 'releaseStream'])('row 27: %s before connect -> _error, close', async (name) => {
    const peer = await open();
    await peer.handshake();
    peer.command(name, 2, null, ['cam']);
    expect((await peer.waitForCommand((c) => c.transactionId === 2)).name).toBe('_error');
    await expectClosed(peer, 'command_before_connect');
  });

  it('row 27: connect twice -> _error, close', async () => {
    const peer = await connected();
    peer.command('connect', 3, { app: 'live', tcUrl: 'rtmp://127.0.0.1/live' });
    expect((await peer.waitForCommand((c) => c.transactionId === 3)).name).toBe('_error');
    await expectClosed(peer, 'connect_twice');
  });

  it('row 28: createStream x 100 fails after the cap of 3, then closes', async () => {
    const peer = await connected();
    peer.write(cat(...Array.from({ length: 100 }, (_, i) => encodeMessageChunks({ csid: 3, timestamp: 0, typeId: MSG.commandAmf0, streamId: 0, payload: encodeCommand('createStream', 2 + i, null) }, 128))));
    await expectClosed(peer, 'too_many_streams');
    expect(peer.commands().filter((c) => c.transactionId >= 2).map((c) => c.name)).toEqual(['_result', '_result', '_result', '_error']);
  });

  const badNames: [string, Amf0Value][] = [
    ['row 29: false', false],
    ['row 29: null', null],
    ['row 29: 123', 123],
    ['row 29: an empty string', ''],
    ['row 30: ../../etc/x', `../../etc/${MARK}`],
    ['row 30: a/../../b', `a/../../${MARK}`],
    ['row 30: %2e%2e%2f', `%2e%2e%2f${MARK}`],
    ['row 30: /abs', `/${MARK}`],
    ['row 30: a\\b', `a\\${MARK}`],
    ['row 30: a\\u0000b', `a\u0000${MARK}`],
    ['row 30: a 4 KiB name', MARK + 'a'.repeat(4096)],
    ['row 30: # inside the name', `a#${MARK}`],
    ['row 30: # inside the query', `a?k=1#${MARK}`],
    ['row 31: \\r\\n#EXT-X-ENDLIST', `${MARK}\r\n#EXT-X-ENDLIST`],
    ['row 31: \\n../x.ts', `\n../${MARK}.ts`],
  ];

  it.each(badNames)('%s as the publish name -> NetStream.Publish.BadName, close, no source', async (_n, name) => {
    const sources = n.node.streams.size;
    const peer = await connected();
    expect(await peer.publish(name)).toBe('NetStream.Publish.BadName');
    await expectClosed(peer, 'bad_stream_name');
    expect(n.node.streams.size).toBe(sources);
  });

  it.each([
    `/live/..%2f..%2fetc%2f${MARK}.flv`,
    `/live/../../etc/${MARK}.flv`,
    `/../../${MARK}.flv`,
    `/live/%2e%2e%2f${MARK}.flv`,
    `//${MARK}.flv`,
    `/live/a\\${MARK}.flv`,
    `/live/a%5c${MARK}.flv`,
    `/live/a%00${MARK}.flv`,
    `/live/${MARK}${'a'.repeat(4096)}.flv`,
    `/live/a%23${MARK}.flv`,
    `/live/a%3f${MARK}.flv`,
    `/live/${MARK}%0d%0a%23EXT-X-ENDLIST.flv`,
    `/live/%0a..%2f${MARK}.ts.flv`,
    `/${MARK}/../live/x.flv`,
  ])('rows 30-31: GET %s is a 4xx at once, no source', async (target) => {
    const sources = n.node.streams.size;
    const { status, ms } = await rawGet(target);
    expect(status).toBeGreaterThanOrEqual(400);
    expect(status).toBeLessThan(500);
    expect(ms).toBeLessThan(CLOSE_WITHIN_MS);
    expect(n.node.streams.size).toBe(sources);
  });

  it('row 35: a second publisher is refused while the first is live and while it is half-open; after its timeout a new one is accepted', async () => {
    const { peer: first, reader } = await publishing('row35');
    let ts = 0;
    const feed = setInterval(() => first.media(MSG.video, (ts += 40), videoBody(false, 200, ts)), 40);
    const publishersOfRow35 = () => n.node.clients.list().filter((c) => c.publish && c.name === 'row35').map((c) => c.id);
    const source = n.node.streams.list().find((x) => x.stream === 'row35')!;
    try {
      await sleep(300);
      const second = await connected();
      expect(await second.publish('row35')).toBe('NetStream.Publish.BadName');
      await expectClosed(second, 'publish_rejected');
      expect(logOf(second).find((r) => r.event === 'reject')?.fields).toMatchObject({ reason: 'stream_busy' });
      expect(publishersOfRow35()).toEqual([ids.get(first)]);
      expect(source.publisher?.clientId).toBe(ids.get(first));
      const flowing = reader.tags.filter(isFrame).length;
      await sleep(300);
      expect(reader.tags.filter(isFrame).length).toBeGreaterThan(flowing);
    } finally {
      clearInterval(feed);
    }

    // half-open: the first publisher stops sending but keeps its socket
    const stalledAt = performance.now();
    const third = await connected();
    expect(await third.publish('row35')).toBe('NetStream.Publish.BadName');
    await expectClosed(third, 'publish_rejected');
    expect(publishersOfRow35()).toEqual([ids.get(first)]);
    await first.closed(PUBLISH_TIMEOUT_MS + TICK_MS + CLOSE_WITHIN_MS + 1000);
    expect(first.endedAt! - stalledAt).toBeLessThan(PUBLISH_TIMEOUT_MS + TICK_MS + CLOSE_WITHIN_MS);
    expect(logOf(first).find((r) => r.event === 'close')?.fields).toMatchObject({ code: 'publish_timeout' });
    expect(publishersOfRow35()).toEqual([]);
    expect(source.publishing).toBe(false);

    const fourth = await connected();
    expect(await fourth.publish('row35')).toBe('NetStream.Publish.Start');
    expect(publishersOfRow35()).toEqual([ids.get(fourth)]);
    expect(n.node.streams.list().filter((x) => x.stream === 'row35' && x.publishing).map((x) => x.publisher?.clientId)).toEqual([ids.get(fourth)]);
    const before = reader.tags.filter(isFrame).length;
    fourth.media(MSG.video, 0, videoBody(true, 64, 35));
    await reader.waitForTags(isFrame, before + 1, 3000);
  });

  it('(c) the canary never stalled longer than a GOP, (b) nothing uncaught, (e) no spawn, no file outside the media root', () => {
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
  });
});
