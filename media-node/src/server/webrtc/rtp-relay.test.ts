import { describe, expect, it } from 'vitest';
import { decodeRtpPacket, encodeRtpPacket } from '../../protocol/rtp/index.ts';
import { passthroughCodecOf, RtpRelay } from './rtp-relay.ts';
import type { RelayListener } from './rtp-relay.ts';
import { relayFeed } from './whep-relay-feed.ts';
import type { FeedOutput } from './whep-feed.ts';

/** A VP8 RTP packet: descriptor S=1 PID=0, payload header P=0 (key) or 1; one-byte header extension id 3. */
function vp8(seq: number, key: boolean, start = true): Uint8Array {
  const payload = Uint8Array.from([start ? 0x10 : 0x00, key ? 0x50 : 0x51, seq & 0xff]);
  return encodeRtpPacket({ payloadType: 96, ssrc: 0x1234, sequenceNumber: seq, timestamp: seq * 3000, marker: true, payload, extensionProfile: 0xbede, extensions: [{ id: 3, data: Uint8Array.from([1, 2, 3]) }] });
}
const opus = (seq: number): Uint8Array => encodeRtpPacket({ payloadType: 111, ssrc: 0x99, sequenceNumber: seq, timestamp: seq * 960, marker: false, payload: Uint8Array.from([0xfc, seq & 0xff]) });

function recorder(): RelayListener & { got: { kind: string; seq: number; key: boolean; ext: number }[]; closes: number } {
  const r = {
    got: [] as { kind: string; seq: number; key: boolean; ext: number }[],
    closes: 0,
    packet(kind: 'audio' | 'video', rtp: Uint8Array, key: boolean) {
      const p = decodeRtpPacket(rtp);
      r.got.push({ kind, seq: p.sequenceNumber, key, ext: p.extensions.length });
    },
    closed() {
      r.closes++;
    },
  };
  return r;
}

describe('passthroughCodecOf', () => {
  it('names VP8, VP9 and AV1 in any case, and nothing for H.264', () => {
    expect([passthroughCodecOf('vp8'), passthroughCodecOf('VP9'), passthroughCodecOf('AV1'), passthroughCodecOf('H264')]).toEqual(['VP8', 'VP9', 'AV1', undefined]);
  });
});

describe('RtpRelay', () => {
  it('hands every packet to every player once, without the publisher\'s header extensions, and marks key frame starts', () => {
    expect(decodeRtpPacket(vp8(1, true)).extensions).toHaveLength(1);
    const relay = new RtpRelay('VP8');
    const a = recorder();
    const b = recorder();
    relay.subscribe(a);
    relay.subscribe(b);
    expect(relay.push('video', vp8(1, true))).toBe(true);
    expect(relay.push('video', vp8(2, false))).toBe(false);
    relay.push('audio', opus(7));
    expect(a.got).toEqual([
      { kind: 'video', seq: 1, key: true, ext: 0 },
      { kind: 'video', seq: 2, key: false, ext: 0 },
      { kind: 'audio', seq: 7, key: false, ext: 0 },
    ]);
    expect(b.got).toEqual(a.got);
    expect(relay.stats).toMatchObject({ videoPackets: 2, audioPackets: 1, keyframes: 1 });
  });

  it('keeps the packets since the last key frame start for players that join, bounded', () => {
    const relay = new RtpRelay('VP8', { maxGopPackets: 4 });
    relay.push('video', vp8(1, false)); // before any key frame: not cached
    expect(relay.currentGop()).toHaveLength(0);
    relay.push('video', vp8(2, true));
    relay.push('video', vp8(3, false, false));
    relay.push('audio', opus(1)); // audio is not cached
    expect(relay.currentGop().map((p) => decodeRtpPacket(p).sequenceNumber)).toEqual([2, 3]);
    relay.push('video', vp8(4, true));
    expect(relay.currentGop().map((p) => decodeRtpPacket(p).sequenceNumber)).toEqual([4]);
    for (let s = 5; s <= 8; s++) relay.push('video', vp8(s, false));
    expect(relay.currentGop()).toHaveLength(0); // 5 packets > 4: dropped, not grown
    expect(relay.stats.gopOverflows).toBe(1);
  });

  it('drops what is not RTP or has a truncated descriptor, and tells players when it closes (also late ones)', async () => {
    const relay = new RtpRelay('VP9');
    const a = recorder();
    relay.subscribe(a);
    relay.push('video', Uint8Array.from([1, 2, 3]));
    relay.push('video', encodeRtpPacket({ payloadType: 98, ssrc: 1, sequenceNumber: 1, timestamp: 0, marker: false, payload: new Uint8Array(0) }));
    expect(relay.stats.droppedPackets).toBe(2);
    expect(a.got).toEqual([]);
    relay.close();
    expect(a.closes).toBe(1);
    const late = recorder();
    relay.subscribe(late);
    await Promise.resolve();
    expect(late.closes).toBe(1);
  });
});

/** A FeedOutput that records and whose send window can be closed. */
function output() {
  const o = {
    sent: [] as { kind: string; seq: number }[],
    full: false,
    keyframeRequests: 0,
    ended: [] as string[],
    send(kind: 'audio' | 'video', rtp: Uint8Array) {
      if (o.full) return false;
      o.sent.push({ kind, seq: decodeRtpPacket(rtp).sequenceNumber });
      return true;
    },
    requestKeyframe() {
      o.keyframeRequests++;
    },
    end(reason: string) {
      o.ended.push(reason);
    },
  };
  return o;
}

describe('relayFeed (a WHEP player of a passthrough stream)', () => {
  it('starts with the cached GOP at DTLS up, then live packets; nothing before', () => {
    const relay = new RtpRelay('VP8');
    relay.push('video', vp8(1, true));
    relay.push('video', vp8(2, false));
    const out = output();
    const feed = relayFeed(relay, out as FeedOutput);
    relay.push('video', vp8(3, false)); // not connected yet: not sent, but cached
    feed.connected();
    relay.push('audio', opus(9));
    relay.push('video', vp8(4, false));
    expect(out.sent).toEqual([{ kind: 'video', seq: 1 }, { kind: 'video', seq: 2 }, { kind: 'video', seq: 3 }, { kind: 'audio', seq: 9 }, { kind: 'video', seq: 4 }]);
    expect(out.keyframeRequests).toBe(0);
    feed.close();
    relay.push('video', vp8(5, false));
    expect(out.sent).toHaveLength(5);
  });

  it('with nothing cached asks for a key frame and sends video from the next key frame start', () => {
    const relay = new RtpRelay('VP8');
    const out = output();
    const feed = relayFeed(relay, out as FeedOutput);
    feed.connected();
    expect(out.keyframeRequests).toBe(1);
    relay.push('video', vp8(1, false));
    relay.push('video', vp8(2, true));
    expect(out.sent).toEqual([{ kind: 'video', seq: 2 }]);
    expect(feed.stats()).toMatchObject({ codec: 'VP8', skipped_packets: 1, video_packets: 1 });
  });

  it('after a full send window waits for the next key frame and asks for it; ends with source_gone when the publisher leaves', () => {
    const relay = new RtpRelay('VP8');
    relay.push('video', vp8(1, true));
    const out = output();
    const feed = relayFeed(relay, out as FeedOutput);
    feed.connected();
    out.full = true;
    relay.push('video', vp8(2, false));
    out.full = false;
    relay.push('video', vp8(3, false));
    relay.push('video', vp8(4, true));
    expect(out.sent.map((s) => s.seq)).toEqual([1, 4]);
    expect(out.keyframeRequests).toBe(1);
    expect(feed.stats()).toMatchObject({ dropped_packets: 1, skipped_packets: 1 });
    relay.close();
    expect(out.ended).toEqual(['source_gone']);
  });
});
