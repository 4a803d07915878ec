import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { test as fcTest, fc } from '@fast-check/vitest';
import { toHex } from '@runnel/shared';
import { RtmpServerSession, type RtmpServerEvent, type RtmpServerOutput } from './server-session.ts';
import { MSG } from './message.ts';
import { encodeSetDataFrame } from './messages/data.ts';
import { amf0EcmaArray, isAmf0EcmaArray } from '../../format/amf0.ts';
import { FakeClient, FakeReader, c2, cat, codes, dataValues, simpleC0C1, type Seen } from './testdata/fake-peer.ts';

const capture = (name: string) => new Uint8Array(readFileSync(new URL(`./testdata/${name}`, import.meta.url)));

/** What ffmpeg 5.1 sent publishing 1 s of testsrc (160x120, 10 fps, x264 -g 10) + sine (AAC) to rtmp://127.0.0.1/live/x. */
const FFMPEG_PUBLISH = capture('ffmpeg-publish.bin');
/** What ffmpeg 5.1 sent playing rtmp://127.0.0.1/live/x (`ffmpeg -i ... -f null -`). */
const FFMPEG_PLAY = capture('ffmpeg-play.bin');

const events = (outs: RtmpServerOutput[]) => outs.filter((o): o is RtmpServerEvent => o.kind !== 'send');
const kinds = (outs: RtmpServerOutput[]) => events(outs).map((e) => e.kind);

/** Feeds `bytes` in small pieces, answering publish/play as an admitting server would. */
function replay(session: RtmpServerSession, bytes: Uint8Array, piece = 64): RtmpServerOutput[] {
  const outs: RtmpServerOutput[] = [];
  for (let i = 0; i < bytes.length; i += piece) {
    for (const o of session.receive(bytes.subarray(i, i + piece), 1000 + i)) {
      outs.push(o);
      if (o.kind === 'publish') outs.push(...session.acceptPublish(o.streamId));
      if (o.kind === 'play') outs.push(...session.acceptPlay(o.streamId));
    }
  }
  return outs;
}

/** A session after a simple handshake and a valid connect. */
function connected(client = new FakeClient(), opts: Partial<ConstructorParameters<typeof RtmpServerSession>[0]> = {}) {
  const session = new RtmpServerSession({ now: 0, ...opts });
  const reader = new FakeReader();
  const outs = session.receive(cat(simpleC0C1(), c2(), client.connect()), 10);
  expect(kinds(outs)).toEqual(['handshake', 'connect']);
  // the peer skips S0S1S2 (3073 bytes) before chunks
  const chunks = outs.filter((o) => o.kind === 'send').map((o) => (o as { bytes: Uint8Array }).bytes);
  const all = cat(...chunks).subarray(3073);
  reader.read([{ kind: 'send', bytes: all }]);
  return { session, client, reader };
}

function publishing(name = 'stream') {
  const c = connected();
  c.session.receive(c.client.command('createStream', 2, null), 20);
  const outs = c.session.receive(c.client.command('publish', 0, null, [name, 'live'], 1, 5), 30);
  expect(kinds(outs)).toEqual(['publish']);
  c.reader.read(c.session.acceptPublish(1));
  return c;
}

describe('RtmpServerSession with ffmpeg as publisher (golden capture)', () => {
  const session = new RtmpServerSession({ now: 1000 });
  const outs = replay(session, FFMPEG_PUBLISH);
  const closeOuts = session.close('socket_closed');
  const evs = events(outs);
  const media = evs.filter((e) => e.kind === 'media').map((e) => (e as Extract<RtmpServerEvent, { kind: 'media' }>).message);

  it('sees the handshake as complex, then connect and publish', () => {
    expect(evs[0]).toEqual({ kind: 'handshake', mode: 'complex' });
    const connect = evs.find((e) => e.kind === 'connect') as Extract<RtmpServerEvent, { kind: 'connect' }>;
    expect(connect.app).toBe('live');
    expect(connect.tcUrl).toMatch(/^rtmp:\/\/127\.0\.0\.1:\d+\/live$/);
    expect(connect.vhost).toBe('__defaultVhost__');
    expect(connect.flashVer).toMatch(/^FMLE\/3\.0/);
    expect(evs.find((e) => e.kind === 'publish')).toEqual({
      kind: 'publish',
      streamId: 1,
      streamName: 'x',
      param: '',
      publishType: 'live',
      app: 'live',
      vhost: '__defaultVhost__',
    });
  });

  it('delivers every frame: 1 + 10 + 1 video, 1 + 45 audio (ffprobe of the same encode), onMetaData', () => {
    // sequence header + 10 frames + the AVC end-of-sequence tag ffmpeg's FLV muxer writes at the end
    expect(media.filter((m) => m.typeId === MSG.video).length).toBe(12);
    expect(media.filter((m) => m.typeId === MSG.audio).length).toBe(46);
    const data = media.filter((m) => m.typeId === MSG.dataAmf0);
    expect(data.length).toBe(1);
    const [name, meta] = dataValues(data[0]!);
    expect(name).toBe('onMetaData');
    expect(isAmf0EcmaArray(meta!)).toBe(true);
    expect((meta as Record<string, unknown>).width).toBe(160);
    const video = media.filter((m) => m.typeId === MSG.video);
    expect(toHex(video[0]!.payload.subarray(0, 2))).toBe('1700'); // AVC sequence header first
    expect(video[1]!.payload[0]).toBe(0x17); // then a keyframe
    expect(toHex(video.at(-1)!.payload)).toBe('1702000000'); // AVC end of sequence
    const ts = video.map((m) => m.timestamp);
    expect(ts).toEqual([...ts].sort((a, b) => a - b));
    expect(ts.at(-2)).toBe(900); // 10 frames at 10 fps
  });

  it('answers the FMLE sequence the way ffmpeg needs', () => {
    const reader = new FakeReader();
    const sends = outs.filter((o) => o.kind === 'send').map((o) => (o as { bytes: Uint8Array }).bytes);
    const seen = reader.read([{ kind: 'send', bytes: cat(...sends).subarray(3073) }]);
    // Set Chunk Size 60000 comes third; the reader applies it rather than returning it
    expect(seen.messages.slice(0, 2).map((m) => [m.typeId, toHex(m.payload)])).toEqual([
      [MSG.windowAckSize, '002625a0'],
      [MSG.setPeerBandwidth, '002625a002'],
    ]);
    expect(reader.chunkSize).toBe(60000);
    expect(toHex(cat(...sends).subarray(3073 + 16 + 17, 3073 + 16 + 17 + 16))).toBe('02000000000004010000000000' + '00ea60');
    expect(seen.commands.map((c) => [c.name, c.transactionId])).toEqual([
      ['_result', 1],
      ['onBWDone', 0],
      ['_result', 2], // releaseStream
      ['_result', 3], // FCPublish
      ['_result', 4], // createStream
      ['_result', 5], // _checkbw, ffmpeg's answer to onBWDone
      ['onFCPublish', 0], // publish is transaction 6, answered by statuses
      ['onStatus', 0],
      ['onFCUnpublish', 0],
      ['_result', 7], // FCUnpublish
      ['onStatus', 0],
    ]);
    expect(seen.commands[4]!.args).toEqual([1]);
    expect(codes(seen)).toEqual([
      'NetConnection.Connect.Success',
      'NetStream.Publish.Start',
      'NetStream.Publish.Start',
      'NetStream.Unpublish.Success',
      'NetStream.Unpublish.Success',
    ]);
    expect(seen.commands[0]!.commandObject).toEqual({ fmsVer: 'FMS/3,5,3,888', capabilities: 127, mode: 1 });
  });

  it('unpublishes once on FCUnpublish and closes cleanly', () => {
    expect(evs.filter((e) => e.kind === 'unpublish')).toEqual([{ kind: 'unpublish', streamId: 1, streamName: 'x' }]);
    expect(kinds(closeOuts)).toEqual(['close']);
    expect(session.stats.droppedMessages).toBe(0);
  });
});

describe('RtmpServerSession with ffmpeg as player (golden capture)', () => {
  const session = new RtmpServerSession({ now: 1000 });
  const outs = replay(session, FFMPEG_PLAY, 1);
  const reader = new FakeReader();
  const sends = outs.filter((o) => o.kind === 'send').map((o) => (o as { bytes: Uint8Array }).bytes);
  const seen: Seen = reader.read([{ kind: 'send', bytes: cat(...sends).subarray(3073) }]);

  it('emits play with ffmpeg arguments and stops on deleteStream', () => {
    const play = events(outs).find((e) => e.kind === 'play');
    expect(play).toEqual({
      kind: 'play',
      streamId: 1,
      streamName: 'x',
      param: '',
      start: -2000,
      duration: -1,
      reset: true,
      app: 'live',
      vhost: '__defaultVhost__',
    });
    expect(kinds(outs).slice(-1)).toEqual(['play-stop']);
  });

  it('answers getStreamLength with a number (ffmpeg read_number_result) and starts play like SRS', () => {
    const byName = (n: string) => seen.commands.filter((c) => c.name === n);
    const results = byName('_result').map((c) => [c.transactionId, c.commandObject, ...c.args]);
    expect(results).toContainEqual([2, null, 1]); // createStream
    expect(results).toContainEqual([4, null, 0]); // getStreamLength
    expect(results).toContainEqual([3, null, undefined]); // _checkbw
    expect(seen.userControl).toContainEqual({ type: 'streamBegin', streamId: 1 });
    const statuses = byName('onStatus').filter((c) => c.streamId === 1);
    expect(statuses.map((c) => (c.args[0] as { code: string }).code)).toEqual(['NetStream.Play.Reset', 'NetStream.Play.Start']);
    const data = seen.messages.filter((m) => m.typeId === MSG.dataAmf0).map(dataValues);
    expect(data).toEqual([['|RtmpSampleAccess', true, true], ['onStatus', { code: 'NetStream.Data.Start' }]]);
  });
});

describe('RtmpServerSession admission and stream lifecycle', () => {
  it('drops media until the publish is accepted, then emits it', () => {
    const { session, client } = connected();
    session.receive(client.command('createStream', 2, null), 20);
    session.receive(client.command('publish', 0, null, ['cam', 'live'], 1, 5), 30);
    const frame = { csid: 6, timestamp: 40, typeId: MSG.video, streamId: 1, payload: new Uint8Array([0x17, 1, 0, 0, 0, 9]) };
    expect(kinds(session.receive(client.message(frame), 40))).toEqual([]);
    expect(session.stats.droppedMessages).toBe(1);
    session.acceptPublish(1);
    const outs = session.receive(client.message(frame), 50);
    expect(events(outs)).toEqual([{ kind: 'media', streamId: 1, message: { ...frame, payload: frame.payload } }]);
  });

  it('strips @setDataFrame from onMetaData without copying', () => {
    const { session, client } = publishing();
    const payload = encodeSetDataFrame('onMetaData', amf0EcmaArray({ width: 1920 }));
    const [ev] = events(session.receive(client.message({ csid: 4, timestamp: 0, typeId: MSG.dataAmf0, streamId: 1, payload }), 60));
    const message = (ev as Extract<RtmpServerEvent, { kind: 'media' }>).message;
    expect(dataValues(message)).toEqual(['onMetaData', amf0EcmaArray({ width: 1920 })]);
  });

  it('rejects a publish with a status and closes (busy stream)', () => {
    const { session, client, reader } = connected();
    session.receive(client.command('createStream', 2, null), 20);
    reader.read(session.receive(client.command('publish', 0, null, ['cam'], 1, 5), 30));
    const outs = session.rejectPublish(1, 'stream cam is busy');
    const seen = reader.read(outs);
    expect(codes(seen)).toEqual(['NetStream.Publish.BadName']);
    expect((seen.commands[0]!.args[0] as { level: string }).level).toBe('error');
    expect(events(outs)).toEqual([
      { kind: 'unpublish', streamId: 1, streamName: 'cam' },
      { kind: 'close', reason: 'publish_rejected', message: 'stream cam is busy' },
    ]);
    expect(session.acceptPublish(1)).toEqual([]);
  });

  it('rejects a play with StreamNotFound', () => {
    const { session, client, reader } = connected();
    session.receive(client.command('createStream', 2, null), 20);
    session.receive(client.command('play', 0, null, ['nope'], 1, 5), 30);
    const outs = session.rejectPlay(1, 'no such stream');
    expect(codes(reader.read(outs))).toEqual(['NetStream.Play.StreamNotFound']);
    expect(kinds(outs)).toEqual(['play-stop', 'close']);
  });

  it('keeps the name query as param and takes the vhost from it', () => {
    const { session, client } = connected(new FakeClient());
    session.receive(client.command('createStream', 2, null), 20);
    const [ev] = events(session.receive(client.command('publish', 0, null, ['cam?vhost=Tenant.example&token=abc'], 1, 5), 30));
    expect(ev).toMatchObject({ kind: 'publish', streamName: 'cam', param: 'vhost=Tenant.example&token=abc', vhost: 'tenant.example' });
  });

  it('reads the query OBS puts in the app', () => {
    const session = new RtmpServerSession({ now: 0 });
    const outs = session.receive(cat(simpleC0C1(), c2(), new FakeClient().connect('live?key=k1', 'rtmp://media.example.com/live?key=k1')), 0);
    expect(events(outs)[1]).toMatchObject({ kind: 'connect', app: 'live', param: 'key=k1&key=k1', vhost: 'media.example.com', host: 'media.example.com' });
  });

  it('notifies waiting players of unpublish and republish', () => {
    const { session, client, reader } = connected();
    session.receive(client.command('createStream', 2, null), 20);
    session.receive(client.command('play', 0, null, ['cam'], 1, 5), 30);
    reader.read(session.acceptPlay(1));
    const gone = reader.read(session.sendUnpublishNotify(1));
    expect(gone.userControl).toEqual([{ type: 'streamEof', streamId: 1 }]);
    expect(codes(gone)).toEqual(['NetStream.Play.UnpublishNotify']);
    const back = reader.read(session.sendPublishNotify(1));
    expect(back.userControl).toEqual([{ type: 'streamBegin', streamId: 1 }]);
    expect(codes(back)).toEqual(['NetStream.Play.PublishNotify']);
  });

  it('pauses and resumes a player', () => {
    const { session, client, reader } = connected();
    session.receive(client.command('createStream', 2, null), 20);
    session.receive(client.command('play', 0, null, ['cam'], 1, 5), 30);
    reader.read(session.acceptPlay(1));
    const outs = session.receive(client.command('pause', 0, null, [true, 1234], 1, 5), 40);
    expect(events(outs)).toEqual([{ kind: 'pause', streamId: 1, paused: true, position: 1234 }]);
    expect(codes(reader.read(outs))).toEqual(['NetStream.Pause.Notify']);
    const resumed = reader.read(session.receive(client.command('pause', 0, null, [false, 1234], 1, 5), 50));
    expect(codes(resumed)).toEqual(['NetStream.Unpause.Notify']);
    expect(resumed.userControl).toEqual([{ type: 'streamBegin', streamId: 1 }]);
  });

  it('stops streams on deleteStream and closeStream, and on close()', () => {
    const { session, client } = publishing('a');
    expect(events(session.receive(client.command('closeStream', 0, null, [], 1, 5), 40))).toEqual([
      { kind: 'unpublish', streamId: 1, streamName: 'a' },
    ]);
    session.receive(client.command('publish', 0, null, ['b'], 1, 5), 50);
    session.acceptPublish(1);
    expect(events(session.receive(client.command('deleteStream', 0, null, [1]), 60))).toEqual([
      { kind: 'unpublish', streamId: 1, streamName: 'b' },
    ]);
    const second = publishing('c');
    expect(events(second.session.close('kicked', 'by api'))).toEqual([
      { kind: 'unpublish', streamId: 1, streamName: 'c' },
      { kind: 'close', reason: 'kicked', message: 'by api' },
    ]);
    expect(second.session.close()).toEqual([]);
    expect(second.session.receive(new Uint8Array([1, 2, 3]), 70)).toEqual([]);
  });

  it('reuses the lowest free stream id', () => {
    const { session, client, reader } = connected();
    session.receive(client.command('createStream', 2, null), 20);
    session.receive(client.command('createStream', 3, null), 20);
    session.receive(client.command('deleteStream', 0, null, [1]), 20);
    const seen = reader.read(session.receive(client.command('createStream', 4, null), 20));
    expect(seen.commands.map((c) => c.args[0])).toEqual([1]);
  });

  it('closes an idle publisher and keeps a fed one', () => {
    const { session, client } = publishing();
    expect(session.tick(10_000)).toEqual([]);
    session.receive(client.message({ csid: 6, timestamp: 0, typeId: MSG.video, streamId: 1, payload: new Uint8Array([0x27, 1]) }), 15_000);
    expect(session.tick(34_999)).toEqual([]);
    expect(events(session.tick(35_000))).toEqual([
      { kind: 'unpublish', streamId: 1, streamName: 'stream' },
      { kind: 'close', reason: 'publish_timeout', message: 'no media on stream for 20000 ms' },
    ]);
  });

  it('answers pings and acknowledges past the peer window', () => {
    const { session, client, reader } = connected();
    const ping = reader.read(session.receive(client.control(MSG.userControl, new Uint8Array([0, 6, 0, 0, 1, 2])), 20));
    expect(ping.userControl).toEqual([{ type: 'pingResponse', timestamp: 0x0102 }]);
    reader.read(session.receive(client.control(MSG.windowAckSize, new Uint8Array([0, 0, 0x10, 0])), 20));
    const before = session.stats.bytesReceived;
    const pad = client.command('noop', 0, null, ['x'.repeat(5000)]);
    const seen = reader.read(session.receive(pad, 30));
    const acks = seen.messages.filter((m) => m.typeId === MSG.acknowledgement);
    expect(acks.length).toBe(1);
    expect(new DataView(acks[0]!.payload.buffer, acks[0]!.payload.byteOffset).getUint32(0)).toBe(before + pad.length);
  });

  it('needs a connect for media chunk size and reports it', () => {
    const { session } = connected(new FakeClient(), { chunkSize: 4096 });
    expect(session.outChunkSize).toBe(4096);
    expect(() => new RtmpServerSession({ now: 0, chunkSize: 64 })).toThrow(RangeError);
  });
});

describe('RtmpServerSession fuzz', () => {
  fcTest.prop([fc.uint8Array({ maxLength: 3000 })])('garbage from the first byte ends in close, never a throw', (bytes) => {
    const session = new RtmpServerSession({ now: 0 });
    const outs = session.receive(bytes, 1);
    for (const e of events(outs)) expect(['handshake', 'close']).toContain(e.kind);
  });

  fcTest.prop([fc.array(fc.uint8Array({ maxLength: 600 }), { maxLength: 8 })])('garbage after connect never throws', (pieces) => {
    const { session } = connected();
    for (const p of pieces) session.receive(p, 20);
    expect(['connected', 'closed']).toContain(session.state);
  });

  fcTest.prop([
    fc.array(fc.tuple(fc.nat(), fc.integer({ min: 0, max: 255 })), { minLength: 1, maxLength: 10 }),
    fc.integer({ min: 1, max: 400 }),
  ])('a corrupted ffmpeg session never throws', (flips, piece) => {
    const bytes = FFMPEG_PUBLISH.slice();
    for (const [at, b] of flips) bytes[3073 + (at % (bytes.length - 3073))] = b;
    const session = new RtmpServerSession({ now: 0 });
    replay(session, bytes, piece);
    session.close();
    expect(session.state).toBe('closed');
  });
});
