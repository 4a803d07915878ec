import { describe, expect, it } from 'vitest';
import { hex } from '@runnel/shared';
import { ChunkReader } from '../protocol/rtmp/chunk-reader.ts';
import { chunkMessageParts, encodeMessageChunks } from '../protocol/rtmp/chunk-writer.ts';
import { MSG, type RtmpMessage } from '../protocol/rtmp/message.ts';
import { decodeAcknowledgement } from '../protocol/rtmp/messages/acknowledgement.ts';
import { encodeAggregate } from '../protocol/rtmp/messages/aggregate.ts';
import { decodeUserControl, encodeUserControl } from '../protocol/rtmp/messages/user-control.ts';
import { RtmpServerSession, type RtmpServerEvent } from '../protocol/rtmp/server-session.ts';
import { RtmpPlayClient } from './rtmp-play-client.ts';

/** Deterministic "random" bytes for both handshakes. */
function seeded(seed: number): (n: number) => Uint8Array {
  let x = seed >>> 0 || 1;
  return (n) => {
    const out = new Uint8Array(n);
    for (let i = 0; i < n; i++) {
      x ^= x << 13;
      x ^= x >>> 17;
      x ^= x << 5;
      out[i] = x & 0xff;
    }
    return out;
  };
}

function cat(parts: readonly Uint8Array[]): Uint8Array {
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let off = 0;
  for (const p of parts) {
    out.set(p, off);
    off += p.length;
  }
  return out;
}

const AVC_SEQUENCE_HEADER = hex('17 00 00 00 00 01 64 00 1f ff e1 00 04 67 64 00 1f');
const AVC_KEYFRAME = hex('17 01 00 00 00 00 00 00 05 65 88 84 00 10');
const AVC_INTER = hex('27 01 00 00 00 00 00 00 03 41 9a 02');
const AAC_SEQUENCE_HEADER = hex('af 00 12 10');
const AAC_FRAME = hex('af 01 21 1b 94 05');

/**
 * The client against the repo's own RTMP server session, in memory: bytes go
 * back and forth until both sides are quiet, the server admitting every play
 * (or refusing it, when asked).
 */
function session(url: string, opts: { refuse?: boolean; windowAckSize?: number } = {}) {
  const client = new RtmpPlayClient(url, 0, seeded(1));
  const server = new RtmpServerSession({ now: 0, random: seeded(2), ...(opts.windowAckSize ? { windowAckSize: opts.windowAckSize } : {}) });
  const events: RtmpServerEvent[] = [];
  const frames: number[] = [];
  let playStreamId = -1;
  let toServer: Uint8Array[] = client.start(0);
  for (let round = 0; round < 20 && toServer.length > 0; round++) {
    const toClient: Uint8Array[] = [];
    const outs = server.receive(cat(toServer), round);
    for (let i = 0; i < outs.length; i++) {
      const o = outs[i]!;
      if (o.kind === 'send') {
        toClient.push(o.bytes);
        continue;
      }
      events.push(o);
      if (o.kind === 'play') {
        playStreamId = o.streamId;
        outs.push(...(opts.refuse ? server.rejectPlay(o.streamId, 'no such stream') : server.acceptPlay(o.streamId)));
      }
    }
    toServer = toClient.length > 0 ? client.receive(cat(toClient), round, (ts) => frames.push(ts)) : [];
  }
  /** Media from the server to the client, chunked at the server's chunk size; returns what the client answers. */
  const media = (msgs: readonly Omit<RtmpMessage, 'csid' | 'streamId'>[]): Uint8Array[] => {
    const bytes = cat(msgs.flatMap((m) => chunkMessageParts({ ...m, csid: m.typeId === MSG.audio ? 7 : 6, streamId: playStreamId }, server.outChunkSize)));
    return client.receive(bytes, 100, (ts) => frames.push(ts));
  };
  return { client, server, events, frames, media };
}

/** Messages in what the client sent (after the handshake). */
function readClient(bytes: readonly Uint8Array[]): RtmpMessage[] {
  return new ChunkReader().push(cat(bytes));
}

describe('RtmpPlayClient (RtmpClientSession in play mode) against RtmpServerSession', () => {
  it('connects to the app and plays the stream, query included', () => {
    const s = session('rtmp://127.0.0.1:19350/live/bench?token=abc');
    const connect = s.events.find((e) => e.kind === 'connect') as Extract<RtmpServerEvent, { kind: 'connect' }>;
    expect(connect.app).toBe('live');
    expect(connect.tcUrl).toBe('rtmp://127.0.0.1:19350/live');
    const play = s.events.find((e) => e.kind === 'play') as Extract<RtmpServerEvent, { kind: 'play' }>;
    expect(play.streamName).toBe('bench');
    expect(play.param).toContain('token=abc');
    expect(s.client.state).toBe('playing');
    expect(s.events.some((e) => e.kind === 'close')).toBe(false);
  });

  it('reports the timestamps of frames, not of sequence headers or data', () => {
    const s = session('rtmp://127.0.0.1:1935/live/bench');
    s.media([
      { typeId: MSG.dataAmf0, timestamp: 0, payload: hex('02 00 0a 6f 6e 4d 65 74 61 44 61 74 61 05') },
      { typeId: MSG.video, timestamp: 0, payload: AVC_SEQUENCE_HEADER },
      { typeId: MSG.audio, timestamp: 0, payload: AAC_SEQUENCE_HEADER },
      { typeId: MSG.video, timestamp: 1000, payload: AVC_KEYFRAME },
      { typeId: MSG.audio, timestamp: 1023, payload: AAC_FRAME },
      { typeId: MSG.video, timestamp: 1040, payload: AVC_INTER },
    ]);
    expect(s.frames).toEqual([1000, 1023, 1040]);
  });

  it('reads frames inside aggregate messages', () => {
    const s = session('rtmp://127.0.0.1:1935/live/bench');
    const payload = encodeAggregate([
      { typeId: MSG.video, timestamp: 0, payload: AVC_KEYFRAME },
      { typeId: MSG.audio, timestamp: 20, payload: AAC_FRAME },
    ]);
    s.media([{ typeId: MSG.aggregate, timestamp: 5000, payload }]);
    expect(s.frames).toEqual([5000, 5020]);
  });

  it('reads a frame larger than the chunk size (fmt 3 continuations)', () => {
    const s = session('rtmp://127.0.0.1:1935/live/bench');
    const big = new Uint8Array(200_000);
    big.set(AVC_KEYFRAME);
    s.media([{ typeId: MSG.video, timestamp: 7, payload: big }]);
    expect(s.frames).toEqual([7]);
  });

  it('acknowledges every window of bytes the server asked for', () => {
    const s = session('rtmp://127.0.0.1:1935/live/bench', { windowAckSize: 4096 });
    const frame = new Uint8Array(3000);
    frame.set(AVC_INTER);
    const acks: number[] = [];
    for (let i = 0; i < 4; i++) {
      for (const m of readClient(s.media([{ typeId: MSG.video, timestamp: i * 40, payload: frame }]))) {
        if (m.typeId === MSG.acknowledgement) acks.push(decodeAcknowledgement(m.payload));
      }
    }
    expect(acks.length).toBeGreaterThanOrEqual(2);
    expect(acks[1]! - acks[0]!).toBeGreaterThanOrEqual(4096);
  });

  it('answers a ping request', () => {
    const s = session('rtmp://127.0.0.1:1935/live/bench');
    const ping = encodeMessageChunks({ csid: 2, timestamp: 0, typeId: MSG.userControl, streamId: 0, payload: encodeUserControl({ type: 'pingRequest', timestamp: 4242 }) }, 60_000);
    const out = readClient(s.client.receive(ping, 0, () => {}));
    expect(out.map((m) => decodeUserControl(m.payload))).toEqual([{ type: 'pingResponse', timestamp: 4242 }]);
  });

  it('throws when the play is refused', () => {
    expect(() => session('rtmp://127.0.0.1:1935/live/none', { refuse: true })).toThrow(/RTMP error_status: NetStream\.Play\.StreamNotFound/);
  });

  it('refuses a URL that is not RTMP', () => {
    expect(() => new RtmpPlayClient('http://127.0.0.1/live/x.flv', 0)).toThrow(/not an RTMP URL/);
  });
});
