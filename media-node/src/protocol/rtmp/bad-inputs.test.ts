/**
 * shared/reference/bad-inputs.md rows 1-29, at the engine level: every row
 * ends in the documented reaction (close with a reason code, an RTMP error
 * status first where the row asks for one, or "ignore and continue"), and
 * nothing ever throws out of the session.
 */
import { describe, expect, it } from 'vitest';
import { hex } from '@runnel/shared';
import { RtmpServerSession, type RtmpServerEvent, type RtmpServerOutput } from './server-session.ts';
import { encodeMessageChunks } from './chunk-writer.ts';
import { MSG, type RtmpMessage } from './message.ts';
import { HANDSHAKE_SIZE } from './handshake-digest.ts';
import { MAX_MESSAGE_BYTES } from './limits.ts';
import { encodeAggregate } from './messages/aggregate.ts';
import { encodeCommand } from './messages/command.ts';
import { FakeClient, FakeReader, c2, cat, codes, simpleC0C1 } from './testdata/fake-peer.ts';

const events = (outs: RtmpServerOutput[]) => outs.filter((o): o is RtmpServerEvent => o.kind !== 'send');
const closeOf = (outs: RtmpServerOutput[]) => events(outs).find((e) => e.kind === 'close') as Extract<RtmpServerEvent, { kind: 'close' }> | undefined;
const sent = (outs: RtmpServerOutput[]) => outs.some((o) => o.kind === 'send');

function fresh() {
  return new RtmpServerSession({ now: 0 });
}

/** Handshake + connect done; `reader` has consumed the connect replies. */
function connected() {
  const session = fresh();
  const client = new FakeClient();
  const reader = new FakeReader();
  const outs = session.receive(cat(simpleC0C1(), c2(), client.connect()), 0);
  const bytes = cat(...outs.filter((o) => o.kind === 'send').map((o) => (o as { bytes: Uint8Array }).bytes));
  reader.read([{ kind: 'send', bytes: bytes.subarray(1 + 2 * HANDSHAKE_SIZE) }]);
  expect(session.state).toBe('connected');
  return { session, client, reader };
}

function publishing() {
  const c = connected();
  c.session.receive(c.client.command('createStream', 2, null), 0);
  c.session.receive(c.client.command('publish', 0, null, ['cam'], 1, 5), 0);
  c.reader.read(c.session.acceptPublish(1));
  return c;
}

const media = (outs: RtmpServerOutput[]) =>
  events(outs).filter((e) => e.kind === 'media').map((e) => (e as Extract<RtmpServerEvent, { kind: 'media' }>).message);

const u32 = (v: number) => hex((v >>> 0).toString(16).padStart(8, '0'));
const video = (timestamp: number, payload = new Uint8Array([0x27, 1, 0, 0, 0])): RtmpMessage => ({ csid: 6, timestamp, typeId: MSG.video, streamId: 1, payload });

describe('bad inputs (shared/reference/bad-inputs.md)', () => {
  it.each([
    ['RTMPE 0x06', 0x06],
    ["HTTP 'H' 0x48", 0x48],
    ['TLS 0x16', 0x16],
  ])('row 1: C0 = %s closes at once without S0/S1', (_n, c0) => {
    const outs = fresh().receive(new Uint8Array([c0, 0x47, 0x45, 0x54]), 0);
    expect(sent(outs)).toBe(false);
    expect(closeOf(outs)?.reason).toBe('rtmp_version');
  });

  it('row 2: one byte every 5 s is closed at the 10 s handshake deadline', () => {
    const s = fresh();
    expect(s.receive(new Uint8Array([3]), 0)).toEqual([]);
    expect(s.receive(new Uint8Array([0]), 5000)).toEqual([]);
    expect(s.tick(9999)).toEqual([]);
    expect(closeOf(s.tick(10_000))?.reason).toBe('handshake_timeout');
  });

  it('row 2: C0C1 then silence, and a handshake without connect, are closed at 10 s', () => {
    const a = fresh();
    expect(sent(a.receive(simpleC0C1(), 0))).toBe(true);
    expect(closeOf(a.tick(10_000))?.reason).toBe('handshake_timeout');
    const b = fresh();
    b.receive(cat(simpleC0C1(), c2()), 0);
    expect(b.state).toBe('connecting');
    expect(closeOf(b.tick(10_000))?.reason).toBe('handshake_timeout');
  });

  it('row 3: a C2 of random bytes and a wrong complex digest still handshake (simple)', () => {
    const s = fresh();
    const c1 = simpleC0C1();
    c1.set([9, 0, 124, 2], 5); // claims the digest handshake, digest is garbage
    const randomC2 = new Uint8Array(HANDSHAKE_SIZE).map((_, i) => (i * 131 + 7) & 0xff);
    const outs = s.receive(cat(c1, randomC2, new FakeClient().connect()), 0);
    expect(events(outs).map((e) => e.kind)).toEqual(['handshake', 'connect']);
    expect(events(outs)[0]).toEqual({ kind: 'handshake', mode: 'simple' });
  });

  it.each([
    ['row 4: 0', 0],
    ['row 5: 1', 1],
    ['row 5: 127', 127],
    ['row 6: 0x7fffffff', 0x7fffffff],
    ['row 6: 0x80000001', 0x80000001],
  ])('%s as Set Chunk Size closes', (_n, size) => {
    const { session, client } = connected();
    const outs = session.receive(client.control(MSG.setChunkSize, u32(size)), 0);
    expect(closeOf(outs)?.reason).toBe('chunk_size_out_of_range');
  });

  it('row 7: Set Chunk Size between two chunks of a large message applies to the rest', () => {
    const { session, client } = publishing();
    const payload = new Uint8Array(1000).map((_, i) => i & 0xff);
    const wire = encodeMessageChunks(video(40, payload), 128);
    const firstChunk = wire.subarray(0, 12 + 128);
    const rest = payload.subarray(128);
    const bytes = cat(firstChunk, client.control(MSG.setChunkSize, u32(4096)), new Uint8Array([0xc6]), rest);
    const got = media(session.receive(bytes, 0));
    expect(got.length).toBe(1);
    expect([...got[0]!.payload]).toEqual([...payload]);
  });

  it('row 8: message length 0xFFFFFF closes before allocating', () => {
    const { session } = connected();
    const outs = session.receive(hex('06 000000 ffffff 09 01000000'), 0);
    expect(closeOf(outs)?.reason).toBe('message_too_large');
    expect(0xffffff).toBeGreaterThan(MAX_MESSAGE_BYTES);
  });

  it('row 8: a stall mid-message without publish or play is closed at the deadline, and the partial message is let go', () => {
    const { session } = connected();
    session.receive(cat(hex('06 000000 800000 09 01000000'), new Uint8Array(128)), 0);
    expect(session.stats.bufferedBytes).toBeGreaterThan(0);
    expect(session.tick(9999)).toEqual([]);
    expect(closeOf(session.tick(10_000))?.reason).toBe('identify_timeout');
    expect(session.stats.bufferedBytes).toBe(0);
  });

  it('row 8: the publish/play deadline spares active streams and restarts when the last one ends', () => {
    const pub = publishing();
    expect(pub.session.tick(15_000)).toEqual([]); // past the 10 s deadline, before the 20 s publish idle timeout
    const s = new RtmpServerSession({ now: 0, publishIdleTimeoutMs: 0, identifyTimeoutMs: 5000 });
    const client = new FakeClient();
    s.receive(cat(simpleC0C1(), c2(), client.connect(), client.command('createStream', 2, null)), 0);
    const play = events(s.receive(client.command('play', 0, null, ['cam'], 1, 5), 4000));
    expect(play.map((e) => e.kind)).toEqual(['play']); // pending (waiting for a hook) counts as active
    expect(s.tick(20_000)).toEqual([]);
    s.acceptPlay(1);
    expect(s.tick(30_000)).toEqual([]);
    s.receive(client.command('closeStream', 0, null, [], 1, 5), 31_000);
    expect(s.tick(35_999)).toEqual([]);
    expect(closeOf(s.tick(36_000))?.reason).toBe('identify_timeout');
  });

  it('row 9: partial messages that keep growing close at the per-connection reassembly cap', () => {
    const { session, client } = connected();
    // Set Chunk Size 64 KiB, then on each new cid nine whole chunks (576 KiB) of a 1 MiB message:
    // every partial buffer doubles up to 1 MiB while the message stays incomplete.
    const chunk = 64 * 1024;
    expect(closeOf(session.receive(client.control(MSG.setChunkSize, u32(chunk)), 0))).toBeUndefined();
    let close: string | undefined;
    let opened = 0;
    for (let i = 0; i < 64 && !close; i++, opened++) {
      const parts = [new Uint8Array([0x00, i]), hex('000000 100000 09 01000000'), new Uint8Array(chunk)];
      for (let k = 1; k < 9; k++) parts.push(new Uint8Array([0xc0, i]), new Uint8Array(chunk));
      close = closeOf(session.receive(cat(...parts), 0))?.reason;
    }
    expect(close).toBe('reassembly_limit');
    expect(opened).toBeLessThan(40);
    expect(session.stats.bufferedBytes).toBe(0);
  });

  it.each([
    ['1 MiB', '100000', 'too_many_chunk_streams'],
    ['1 KiB', '000400', 'too_many_chunk_streams'],
  ])('row 9: 10 000 cids (2- and 3-byte headers) each opening a partial %s message close at a cap', (_n, length, reason) => {
    const { session } = connected();
    let close: string | undefined;
    let opened = 0;
    for (let i = 0; i < 10_000 && !close; i++, opened++) {
      const csid = 64 + i;
      const head = csid < 320 ? [0x00, csid - 64] : [0x01, (csid - 64) & 0xff, (csid - 64) >> 8];
      const chunk = cat(new Uint8Array(head), hex(`000000 ${length} 09 01000000`), new Uint8Array(128));
      close = closeOf(session.receive(chunk, 0))?.reason;
    }
    expect(close).toBe(reason);
    expect(opened).toBeLessThanOrEqual(64);
    expect(session.stats.bufferedBytes).toBe(0); // let go at close, not when the server drops the session
  });

  it.each([
    ['row 10: cid 65599 (b1=0xFF, b2=0xFF)', 65599],
    ['row 10: cid 320 (b1=0, b2=1)', 320],
  ])('%s carries a command', (_n, csid) => {
    const { session, client, reader } = connected();
    const seen = reader.read(session.receive(client.command('createStream', 2, null, [], 0, csid), 0));
    expect(seen.commands.map((c) => [c.name, c.transactionId, c.args[0]])).toEqual([['_result', 2, 1]]);
  });

  it.each([
    ['fmt 1', '44 000000 000001 09 aa'],
    ['fmt 2', '84 000000 aa'],
    ['fmt 3', 'c4 aa'],
  ])('row 11: first chunk on a new cid with %s closes', (_n, h) => {
    const { session } = connected();
    expect(closeOf(session.receive(hex(h), 0))?.reason).toBe('chunk_start_not_fmt0');
  });

  it('row 11: fmt 1 on a fresh cid 2 (librtmp ping) is tolerated', () => {
    const { session, reader } = connected();
    // cid 2 already carried nothing from the client: a fresh fmt 1 ping request
    const seen = reader.read(session.receive(hex('42 000000 000006 04 0006 00000d0f'), 0));
    expect(seen.userControl).toEqual([{ type: 'pingResponse', timestamp: 0x0d0f }]);
  });

  it('row 12: fmt 0 on a half-received message closes', () => {
    const { session } = publishing();
    const first = encodeMessageChunks(video(0, new Uint8Array(300)), 128).subarray(0, 12 + 128);
    const outs = session.receive(cat(first, hex('06 000000 000001 09 01000000 aa')), 0);
    expect(closeOf(outs)?.reason).toBe('chunk_fmt0_mid_message');
  });

  it('row 13: fmt 1 changing the length mid-message closes', () => {
    const { session } = publishing();
    const first = encodeMessageChunks(video(0, new Uint8Array(300)), 128).subarray(0, 12 + 128);
    const outs = session.receive(cat(first, hex('46 000000 000200 09'), new Uint8Array(128)), 0);
    expect(closeOf(outs)?.reason).toBe('chunk_length_changed');
  });

  it('row 14: extended timestamp repeated in fmt 3, or not, gives identical messages', () => {
    const payload = new Uint8Array(300).map((_, i) => (i * 7 + 1) & 0xff);
    const repeated = encodeMessageChunks(video(0x01000000, payload), 128);
    const head = repeated.subarray(0, 16 + 128);
    const notRepeated = cat(head, new Uint8Array([0xc6]), payload.subarray(128, 256), new Uint8Array([0xc6]), payload.subarray(256));
    const a = publishing();
    const b = publishing();
    const ma = media(a.session.receive(repeated, 0));
    const mb = media(b.session.receive(notRepeated, 0));
    expect(ma.length).toBe(1);
    expect(mb).toEqual(ma);
    expect(ma[0]!.timestamp).toBe(0x01000000);
  });

  it('row 15: huge deltas, backwards timestamps, wrap at 2^32 and +2^31 jumps stay integral 32-bit values', () => {
    const { session } = publishing();
    const bytes = hex(
      '06 ffffff 000001 09 01000000 fffffff0 27' + // 0xfffffff0
        '86 000020 27' + // +0x20 wraps to 0x10
        '46 ffffff 000001 09 80000000 27' + // fmt 1 extended delta 2^31
        '06 000005 000001 09 01000000 27', // backwards to 5
    );
    const ts = media(session.receive(bytes, 0)).map((m) => m.timestamp);
    expect(ts).toEqual([0xfffffff0, 0x10, 0x80000010, 5]);
    for (const t of ts) expect(Number.isInteger(t) && t >= 0 && t < 2 ** 32).toBe(true);
  });

  it('row 16: Window Ack Size 0 and 0xFFFFFFFF never trigger an ack nor break the session', () => {
    for (const size of [0, 0xffffffff]) {
      const { session, client, reader } = connected();
      reader.read(session.receive(client.control(MSG.windowAckSize, u32(size)), 0));
      const seen = reader.read(session.receive(client.command('noop', 0, null, ['x'.repeat(20_000)]), 0));
      expect(seen.messages.filter((m) => m.typeId === MSG.acknowledgement)).toEqual([]);
      expect(session.state).toBe('connected');
    }
  });

  it('row 17: Abort for an unknown cid, Abort mid-message and an Ack of garbage are survived', () => {
    const { session, client } = publishing();
    const first = encodeMessageChunks(video(0, new Uint8Array(300)), 128).subarray(0, 12 + 128);
    const outs = session.receive(
      cat(
        client.control(MSG.abort, u32(4242)),
        first,
        client.control(MSG.abort, u32(6)),
        client.control(MSG.acknowledgement, hex('ff')),
        client.control(MSG.acknowledgement, hex('deadbeef')),
        encodeMessageChunks(video(80), 128),
      ),
      0,
    );
    expect(closeOf(outs)).toBeUndefined();
    expect(media(outs).map((m) => m.timestamp)).toEqual([80]);
  });

  it('row 18: User Control with a 1-byte payload closes, unknown event 0xFFFF is ignored', () => {
    const a = connected();
    expect(a.session.receive(a.client.control(MSG.userControl, hex('ffff 00000000')), 0)).toEqual([]);
    expect(a.session.state).toBe('connected');
    const b = connected();
    expect(closeOf(b.session.receive(b.client.control(MSG.userControl, hex('00')), 0))?.reason).toBe('user_control_short');
  });

  it('row 19: message types 0, 78, 0xFF are ignored and counted, then the connection closes', () => {
    const { session, client } = connected();
    for (const typeId of [0, 78, 0xff]) {
      expect(session.receive(client.control(typeId, hex('00')), 0)).toEqual([]);
    }
    expect(session.stats.unknownMessages).toBe(3);
    let close: string | undefined;
    for (let i = 0; i < 20 && !close; i++) close = closeOf(session.receive(client.control(78, hex('00')), 0))?.reason;
    expect(close).toBe('too_many_unknown_messages');
    expect(session.stats.unknownMessages).toBe(17);
  });

  it('row 20: an aggregate whose sub-tag sizes exceed the body is dropped, the connection lives', () => {
    const { session, client } = publishing();
    const bad = hex('09 00ffff 000000 00 000000 2701');
    const good = encodeAggregate([{ typeId: 9, timestamp: 0, payload: hex('2701') }]);
    const outs = session.receive(
      cat(
        client.message({ csid: 6, timestamp: 100, typeId: MSG.aggregate, streamId: 1, payload: bad }),
        client.message({ csid: 6, timestamp: 200, typeId: MSG.aggregate, streamId: 1, payload: good }),
      ),
      0,
    );
    expect(closeOf(outs)).toBeUndefined();
    expect(media(outs).map((m) => [m.typeId, m.timestamp])).toEqual([[9, 200]]);
    expect(session.stats.droppedMessages).toBe(1);
  });

  const amfCases: [string, Uint8Array, string][] = [
    ['row 21: object nested 100 000 deep', cat(encodeCommand('connect', 1, null).subarray(0, 19), new Uint8Array(100_000).fill(3)), 'amf0_too_deep'],
    ['row 22: string length 0xFFFF with 3 bytes left', cat(encodeCommand('connect', 1, null).subarray(0, 19), hex('02 ffff 616263')), 'amf0_length_exceeds_input'],
    ['row 22: long string claiming 4 GiB', cat(encodeCommand('connect', 1, null).subarray(0, 19), hex('0c ffffffff 61')), 'amf0_length_exceeds_input'],
    ['row 23: strict array count 0xFFFFFFFF with 10 bytes', cat(encodeCommand('connect', 1, null).subarray(0, 19), hex('0a ffffffff' + '05'.repeat(10))), 'amf0_count_exceeds_input'],
    ['row 24: object without the end marker', cat(encodeCommand('connect', 1, null).subarray(0, 19), hex('03 0003 617070 02 0001 61')), 'amf0_missing_object_end'],
    ['row 25: unknown marker 0x0D', cat(encodeCommand('connect', 1, null).subarray(0, 19), hex('0d')), 'amf0_unsupported_marker'],
    ['row 25: AMF3 switch 0x11', cat(encodeCommand('connect', 1, null).subarray(0, 19), hex('11 0a 0b 01')), 'amf0_unsupported_marker'],
    ['row 25: marker 108', cat(encodeCommand('connect', 1, null).subarray(0, 19), hex('6c')), 'amf0_unsupported_marker'],
  ];

  it.each(amfCases)('%s closes', (_n, payload, code) => {
    const s = fresh();
    s.receive(cat(simpleC0C1(), c2()), 0);
    const m: RtmpMessage = { csid: 3, timestamp: 0, typeId: MSG.commandAmf0, streamId: 0, payload };
    const outs = s.receive(encodeMessageChunks(m, 128), 0);
    expect(closeOf(outs)?.reason).toBe(code);
  });

  it('row 21: the same bombs after connect close too', () => {
    const { session, client } = connected();
    const payload = cat(encodeCommand('play', 0, null), hex('0a00000001'.repeat(10_000)));
    const outs = session.receive(client.message({ csid: 3, timestamp: 0, typeId: MSG.commandAmf0, streamId: 0, payload }), 0);
    expect(closeOf(outs)?.reason).toBe('amf0_too_deep');
  });

  it('row 25: an AMF3 command (type 17) of garbage closes', () => {
    const { session, client } = connected();
    const outs = session.receive(client.message({ csid: 3, timestamp: 0, typeId: MSG.commandAmf3, streamId: 0, payload: hex('11 0a 0b 01 ff') }), 0);
    expect(closeOf(outs)?.reason).toBe('amf3_command_unsupported');
  });

  it.each([
    ['without app', { tcUrl: 'rtmp://h/live' }, 'connect_invalid_app'],
    ['with app = 123', { app: 123, tcUrl: 'rtmp://h/live' }, 'connect_invalid_app'],
    ['with app = null', { app: null, tcUrl: 'rtmp://h/live' }, 'connect_invalid_app'],
    ['with app = ../x', { app: '../x', tcUrl: 'rtmp://h/live' }, 'connect_invalid_app'],
    ['without tcUrl', { app: 'live' }, 'connect_missing_tcurl'],
    ['with tcUrl = 5', { app: 'live', tcUrl: 5 }, 'connect_missing_tcurl'],
    ['with tcUrl not a URL', { app: 'live', tcUrl: 'live' }, 'connect_invalid_tcurl'],
  ])('row 26: connect %s -> _error NetConnection.Connect.Rejected and close', (_n, obj, reason) => {
    const s = fresh();
    const reader = new FakeReader();
    const outs = s.receive(cat(simpleC0C1(), c2(), new FakeClient().command('connect', 1, obj)), 0);
    const bytes = cat(...outs.filter((o) => o.kind === 'send').map((o) => (o as { bytes: Uint8Array }).bytes));
    const seen = reader.read([{ kind: 'send', bytes: bytes.subarray(1 + 2 * HANDSHAKE_SIZE) }]);
    expect(seen.commands.map((c) => c.name)).toEqual(['_error']);
    expect(codes(seen)).toEqual(['NetConnection.Connect.Rejected']);
    expect(closeOf(outs)?.reason).toBe(reason);
  });

  it.each(['publish', 'play', 'createStream', 'releaseStream'])('row 27: %s before connect -> _error and close', (name) => {
    const s = fresh();
    s.receive(cat(simpleC0C1(), c2()), 0);
    const reader = new FakeReader();
    const outs = s.receive(new FakeClient().command(name, 2, null, ['cam']), 0);
    expect(reader.read(outs).commands.map((c) => [c.name, c.transactionId])).toEqual([['_error', 2]]);
    expect(closeOf(outs)?.reason).toBe('command_before_connect');
  });

  it('row 27: connect twice -> _error and close', () => {
    const { session, client, reader } = connected();
    const outs = session.receive(client.connect(), 0);
    expect(reader.read(outs).commands.map((c) => c.name)).toEqual(['_error']);
    expect(closeOf(outs)?.reason).toBe('connect_twice');
  });

  it('row 28: createStream x 100 fails after the cap of 3', () => {
    const { session, client, reader } = connected();
    const results: string[] = [];
    let close: string | undefined;
    for (let i = 0; i < 100 && !close; i++) {
      const outs = session.receive(client.command('createStream', 2 + i, null), 0);
      results.push(...reader.read(outs).commands.map((c) => c.name));
      close = closeOf(outs)?.reason;
    }
    expect(results).toEqual(['_result', '_result', '_result', '_error']);
    expect(close).toBe('too_many_streams');
  });

  it.each([
    ['false', false],
    ['null', null],
    ['123', 123],
    ['an empty string', ''],
  ])('row 29: publish with name %s -> NetStream.Publish.BadName and close', (_n, name) => {
    const { session, client, reader } = connected();
    session.receive(client.command('createStream', 2, null), 0);
    const outs = session.receive(client.command('publish', 0, null, [name, 'live'], 1, 5), 0);
    expect(codes(reader.read(outs)).slice(-1)).toEqual(['NetStream.Publish.BadName']);
    expect(closeOf(outs)?.reason).toBe('bad_stream_name');
    expect(events(outs).some((e) => e.kind === 'publish')).toBe(false);
  });
});
