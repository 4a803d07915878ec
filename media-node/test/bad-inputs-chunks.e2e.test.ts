/**
 * shared/reference/bad-inputs.md rows 1-20 (handshake, chunk stream, protocol
 * control and unknown messages) against a running node, over real sockets,
 * each checked against the clean-error contract (see support/bad-inputs-rig.ts).
 */
import { describe, expect, it } from 'vitest';
import { hex } from '@runnel/shared';
import { encodeMessageChunks } from '../src/protocol/rtmp/chunk-writer.ts';
import { HANDSHAKE_SIZE } from '../src/protocol/rtmp/handshake-digest.ts';
import { MSG } from '../src/protocol/rtmp/message.ts';
import { encodeAggregate } from '../src/protocol/rtmp/messages/aggregate.ts';
import {
  CLOSE_WITHIN_MS,
  HANDSHAKE_TIMEOUT_MS,
  MEMORY_SLACK,
  PUBLISH_TIMEOUT_MS,
  TICK_MS,
  badInputsRig,
  isFrame,
  u32,
  videoBody,
} from './support/bad-inputs-rig.ts';
import type { ArrivedTag } from './support/flv-reader.ts';
import { settledMemory } from './support/process-guard.ts';
import { cat, simpleC0C1 } from './support/raw-rtmp.ts';

const rig = badInputsRig();
const { open, connected, publishing, logOf, expectClosed, expectUsable } = rig;

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

describe('bad inputs rows 1-20: handshake and chunk stream (shared/reference/bad-inputs.md)', () => {
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
    await randomC2.connectApp('live', rig.n.node.ports.rtmp);
    await expectUsable(randomC2, 3);
    const badDigest = await open();
    const c1 = simpleC0C1();
    c1.set([9, 0, 124, 2], 5); // a client version: claims the digest handshake, whose digest is garbage
    await badDigest.handshake(c1);
    await badDigest.connectApp('live', rig.n.node.ports.rtmp);
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

  it('(c) the canary never stalled longer than a GOP, (b) nothing uncaught, (e) no spawn, no file outside the media root', () => rig.expectCleanRun());
});
