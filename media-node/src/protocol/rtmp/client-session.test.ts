import { describe, expect, it } from 'vitest';
import { test as fcTest, fc } from '@fast-check/vitest';
import { toHex } from '@runnel/shared';
import { RtmpClientSession, type RtmpClientEvent, type RtmpClientOutput } from './client-session.ts';
import { RtmpServerSession, type RtmpServerEvent, type RtmpServerOutput } from './server-session.ts';
import { chunkMessageParts } from './chunk-writer.ts';
import { MSG, csidForType } from './message.ts';
import { encodeAggregate } from './messages/aggregate.ts';
import { encodeSetDataFrame } from './messages/data.ts';
import { amf0EcmaArray, decodeAmf0All } from '../../format/amf0.ts';
import { cat } from './testdata/fake-peer.ts';

type Admit = (server: RtmpServerSession, e: RtmpServerEvent) => RtmpServerOutput[];
const accept: Admit = (server, e) =>
  e.kind === 'publish' ? server.acceptPublish(e.streamId) : e.kind === 'play' ? server.acceptPlay(e.streamId) : [];

/** Wires a client and a server session back to back in memory until neither has anything to say. */
class Link {
  readonly clientEvents: RtmpClientEvent[] = [];
  readonly serverEvents: RtmpServerEvent[] = [];
  private toServer: Uint8Array[] = [];
  private toClient: Uint8Array[] = [];
  readonly client: RtmpClientSession;
  readonly server: RtmpServerSession;
  private readonly admit: Admit;

  constructor(client: RtmpClientSession, server: RtmpServerSession, admit: Admit = accept) {
    this.client = client;
    this.server = server;
    this.admit = admit;
  }

  fromClient(outs: RtmpClientOutput[]): void {
    for (const o of outs) {
      if (o.kind === 'send') this.toServer.push(o.bytes);
      else this.clientEvents.push(o);
    }
  }

  fromServer(outs: RtmpServerOutput[]): void {
    for (const o of outs) {
      if (o.kind === 'send') {
        this.toClient.push(o.bytes);
      } else {
        this.serverEvents.push(o);
        this.fromServer(this.admit(this.server, o));
      }
    }
  }

  /** Raw bytes from the server side (e.g. media written with chunkMessageParts). */
  serverWrites(parts: Uint8Array[]): void {
    this.toClient.push(...parts);
  }

  run(now = 0): this {
    for (let i = 0; i < 100 && (this.toServer.length || this.toClient.length); i++) {
      const a = this.toServer.splice(0);
      for (const b of a) this.fromServer(this.server.receive(b, now));
      const c = this.toClient.splice(0);
      // one byte at a time now and then: the client must not care how TCP splits
      for (const b of c) {
        if (i % 2 === 0) this.fromClient(this.client.receive(b, now));
        else for (let k = 0; k < b.length; k += 7) this.fromClient(this.client.receive(b.subarray(k, k + 7), now));
      }
    }
    return this;
  }
}

function link(mode: 'publish' | 'play', url = 'rtmp://127.0.0.1/live/cam?token=t1', admit?: Admit): Link {
  const l = new Link(new RtmpClientSession({ url, mode, now: 0 }), new RtmpServerSession({ now: 0 }), admit);
  l.fromClient(l.client.start(0));
  return l.run();
}

const kinds = (evs: { kind: string }[]) => evs.map((e) => e.kind);

describe('RtmpClientSession against RtmpServerSession', () => {
  it('publishes: complex handshake, connect, FMLE calls, publish', () => {
    const l = link('publish');
    expect(kinds(l.clientEvents)).toEqual(['connected', 'publishing']);
    expect(l.client.state).toBe('publishing');
    expect(l.client.streamId).toBe(1);
    expect(l.serverEvents[0]).toEqual({ kind: 'handshake', mode: 'complex' });
    expect(l.serverEvents[1]).toMatchObject({ kind: 'connect', app: 'live', tcUrl: 'rtmp://127.0.0.1/live', flashVer: 'FMLE/3.0 (compatible; Runnel)' });
    expect(l.serverEvents[2]).toEqual({
      kind: 'publish',
      streamId: 1,
      streamName: 'cam',
      param: 'token=t1',
      publishType: 'live',
      app: 'live',
      vhost: '__defaultVhost__',
    });
  });

  it('sends frames of any size the server reassembles unchanged', () => {
    const l = link('publish');
    const big = new Uint8Array(150_000).map((_, i) => (i * 13) & 0xff);
    const meta = encodeSetDataFrame('onMetaData', amf0EcmaArray({ width: 640 }));
    l.serverEvents.length = 0;
    l.fromClient([{ kind: 'send', bytes: cat(...l.client.mediaParts({ typeId: MSG.dataAmf0, timestamp: 0, payload: meta })) }]);
    const parts = l.client.mediaParts({ typeId: MSG.video, timestamp: 0x01000001, payload: big });
    expect(parts.filter((p) => p.buffer === big.buffer).length).toBe(3); // 60000-byte slices, no copy
    l.fromClient([{ kind: 'send', bytes: cat(...parts) }]);
    l.run();
    const media = l.serverEvents.filter((e) => e.kind === 'media').map((e) => (e as Extract<RtmpServerEvent, { kind: 'media' }>).message);
    expect(decodeAmf0All(media[0]!.payload)).toEqual(['onMetaData', amf0EcmaArray({ width: 640 })]);
    expect(media[1]!.timestamp).toBe(0x01000001);
    expect(toHex(media[1]!.payload)).toBe(toHex(big));
  });

  it('plays: gets playing, then media written with chunkMessageParts, aggregates split', () => {
    const l = link('play');
    // |RtmpSampleAccess and the Data.Start notice are not surfaced as media
    expect(kinds(l.clientEvents)).toEqual(['connected', 'status', 'playing']);
    expect(l.clientEvents[1]).toMatchObject({ kind: 'status', code: 'NetStream.Play.Reset' });
    const play = l.serverEvents.find((e) => e.kind === 'play');
    expect(play).toMatchObject({ streamName: 'cam', param: 'token=t1', start: -2000 });
    const frame = new Uint8Array(70_000).fill(0x17);
    l.serverWrites(chunkMessageParts({ csid: csidForType(MSG.video), timestamp: 40, typeId: MSG.video, streamId: 1, payload: frame }, l.server.outChunkSize));
    const agg = encodeAggregate([
      { typeId: MSG.audio, timestamp: 10, payload: new Uint8Array([0xaf, 1]) },
      { typeId: MSG.audio, timestamp: 33, payload: new Uint8Array([0xaf, 1]) },
    ]);
    l.serverWrites(chunkMessageParts({ csid: 4, timestamp: 100, typeId: MSG.aggregate, streamId: 1, payload: agg }, l.server.outChunkSize));
    l.clientEvents.length = 0;
    l.run();
    const got = l.clientEvents.filter((e) => e.kind === 'media').map((e) => (e as Extract<RtmpClientEvent, { kind: 'media' }>).message);
    expect(got.map((m) => [m.typeId, m.timestamp, m.payload.length])).toEqual([
      [MSG.video, 40, 70_000],
      [MSG.audio, 100, 2],
      [MSG.audio, 123, 2],
    ]);
  });

  it('surfaces UnpublishNotify as a status and keeps playing', () => {
    const l = link('play');
    l.clientEvents.length = 0;
    l.fromServer(l.server.sendUnpublishNotify(1));
    l.run();
    expect(l.clientEvents).toEqual([
      { kind: 'status', streamId: 1, level: 'status', code: 'NetStream.Play.UnpublishNotify', description: 'Stream is now unpublished' },
    ]);
    expect(l.client.state).toBe('playing');
  });

  it('closes on a rejected publish with the server status', () => {
    const l = link('publish', 'rtmp://127.0.0.1/live/busy', (s, e) => (e.kind === 'publish' ? s.rejectPublish(e.streamId, 'stream busy') : []));
    expect(l.clientEvents.slice(-2)).toEqual([
      { kind: 'status', streamId: 1, level: 'error', code: 'NetStream.Publish.BadName', description: 'stream busy' },
      { kind: 'close', reason: 'error_status', message: 'NetStream.Publish.BadName: stream busy' },
    ]);
  });

  it('closes on a rejected connect', () => {
    const l = link('publish', 'rtmp://127.0.0.1/bad$app/x');
    expect(l.clientEvents.slice(-1)).toEqual([
      { kind: 'close', reason: 'connect_rejected', message: 'NetConnection.Connect.Rejected: invalid app name' },
    ]);
  });

  it('unpublishes politely on close', () => {
    const l = link('publish');
    l.serverEvents.length = 0;
    l.fromClient(l.client.close());
    l.run();
    expect(kinds(l.clientEvents).slice(-1)).toEqual(['close']);
    expect(l.serverEvents).toEqual([{ kind: 'unpublish', streamId: 1, streamName: 'cam' }]);
    expect(() => l.client.mediaParts({ typeId: 9, timestamp: 0, payload: new Uint8Array(1) })).toThrow(Error);
  });

  it('times out when the server never answers', () => {
    const c = new RtmpClientSession({ url: 'rtmp://h/live/x', mode: 'play', now: 1000 });
    c.start(1000);
    expect(c.tick(10_999)).toEqual([]);
    expect(c.tick(11_000)).toEqual([{ kind: 'close', reason: 'connect_timeout', message: 'not playing after 10000 ms' }]);
  });

  it('refuses URLs without app and stream', () => {
    expect(() => new RtmpClientSession({ url: 'rtmp://h/live', mode: 'play', now: 0 })).toThrow(RangeError);
    expect(() => new RtmpClientSession({ url: 'http://h', mode: 'play', now: 0 })).toThrow(RangeError);
  });

  fcTest.prop([fc.array(fc.uint8Array({ maxLength: 4000 }), { maxLength: 6 })])('garbage from a server never throws', (pieces) => {
    const c = new RtmpClientSession({ url: 'rtmp://h/live/x', mode: 'play', now: 0 });
    c.start(0);
    for (const p of pieces) c.receive(p, 0);
    expect(c.state).not.toBe('playing');
  });
});
