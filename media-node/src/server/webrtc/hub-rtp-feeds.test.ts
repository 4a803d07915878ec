import { describe, expect, it } from 'vitest';
import { hex } from '@runnel/shared';
import { AVC_SAMPLES } from '../../codec/testdata/h264-samples.ts';
import { opusFrameBody, opusSequenceHeaderBody } from '../../format/flv/audio-data.ts';
import { avcFrameBody, avcSequenceHeaderBody } from '../../format/flv/video-data.ts';
import { encodeOpusHead, makeOpusHead } from '../../codec/opus/opus-head.ts';
import { FakeClock } from '../../hub/clock.ts';
import { Source } from '../../hub/source.ts';
import { decodeRtpPacket } from '../../protocol/rtp/index.ts';
import { OpusFeeds } from './audio-bridge/opus-feeds.ts';
import { HubRtpFeeds } from './hub-rtp-feeds.ts';
import type { RelayListener } from './rtp-relay.ts';

const AVCC_CONFIG = hex(AVC_SAMPLES[1]!.avcC);
/** AVCC access units: 4-byte length + one NAL unit. */
const au = (nal: number, n: number): Uint8Array => {
  const out = new Uint8Array(4 + n);
  new DataView(out.buffer).setUint32(0, n);
  out[4] = nal;
  for (let i = 5; i < out.length; i++) out[i] = i & 0xff;
  return out;
};
const tick = () => new Promise((r) => setImmediate(r));

function published() {
  const source = new Source({ id: 'vid-1', vhost: '__defaultVhost__', app: 'live', stream: 's' }, new FakeClock(1_000), { gopCache: true });
  const r = source.publish({ clientId: 'p', protocol: 'rtmp' });
  if (!r.ok) throw new Error(r.code);
  r.publisher.push('video', 0, avcSequenceHeaderBody(AVCC_CONFIG));
  r.publisher.push('audio', 0, opusSequenceHeaderBody(encodeOpusHead(makeOpusHead(2))));
  return { source, push: r.publisher.push.bind(r.publisher) };
}

function recorder(): RelayListener & { got: { kind: string; key: boolean; bytes: Uint8Array }[] } {
  const r = {
    got: [] as { kind: string; key: boolean; bytes: Uint8Array }[],
    packet(kind: 'audio' | 'video', bytes: Uint8Array, key: boolean) {
      r.got.push({ kind, key, bytes });
    },
    closed() {},
  };
  return r;
}

describe('HubRtpFeeds (WHEP players of a hub stream share one packetizing feed)', () => {
  it('packetizes each frame once: every player gets the same bytes, key frame starts marked, SPS/PPS first', async () => {
    const { source, push } = published();
    const stopped: [string, number][] = [];
    const feeds = new HubRtpFeeds({}, new OpusFeeds({}), { stopped: (k, s) => stopped.push([k, s.videoFrames]) });
    const a = feeds.subscribe(source, false);
    const b = feeds.subscribe(source, false);
    expect(feeds.size).toBe(1);
    expect(b.relay).toBe(a.relay);
    const ra = recorder();
    const rb = recorder();
    a.relay.subscribe(ra);
    b.relay.subscribe(rb);
    push('video', 40, avcFrameBody(au(0x65, 3000), true));
    push('video', 80, avcFrameBody(au(0x41, 500), false));
    push('audio', 80, opusFrameBody(Uint8Array.of(0xf8, 1, 2, 3)));
    await tick();
    expect(ra.got.length).toBeGreaterThan(3);
    expect(rb.got.map((g) => g.bytes)).toEqual(ra.got.map((g) => g.bytes));
    ra.got.forEach((g, i) => expect(rb.got[i]!.bytes).toBe(g.bytes)); // the same buffers, not copies
    expect(ra.got[0]).toMatchObject({ kind: 'video', key: true });
    expect(decodeRtpPacket(ra.got[0]!.bytes).payload[0]! & 0x1f).toBe(24); // STAP-A with SPS/PPS before the IDR
    expect(ra.got.filter((g) => g.key)).toHaveLength(1);
    expect(ra.got.some((g) => g.kind === 'audio')).toBe(true);
    a.release();
    expect(stopped).toEqual([]);
    b.release();
    b.release();
    expect(feeds.size).toBe(0);
    expect(stopped).toEqual([[source.key, 2]]); // the packetizer's counts, told once when the last player left
  });

  it('a player joining later finds the packets since the last key frame in the relay; the first feed starts at the hub GOP cache', async () => {
    const { source, push } = published();
    push('video', 40, avcFrameBody(au(0x65, 1000), true));
    push('video', 80, avcFrameBody(au(0x41, 300), false));
    const feeds = new HubRtpFeeds({}, new OpusFeeds({}));
    const a = feeds.subscribe(source, false);
    await tick();
    const gop = a.relay.currentGop();
    expect(gop.length).toBeGreaterThanOrEqual(2);
    push('video', 120, avcFrameBody(au(0x65, 1000), true));
    await tick();
    const late = feeds.subscribe(source, false);
    expect(late.relay.currentGop().length).toBeGreaterThanOrEqual(1);
    expect(late.relay.currentGop()[0]).not.toBe(gop[0]); // restarted at the newer key frame
    a.release();
    late.release();
  });

  it('starts the AAC -> Opus bridge only while a player wants audio, and lets the hub consumer go with the last player', () => {
    const { source } = published();
    const opus = new OpusFeeds({});
    const feeds = new HubRtpFeeds({}, opus);
    const videoOnly = feeds.subscribe(source, false);
    expect(opus.size).toBe(0);
    const withAudio = feeds.subscribe(source, true);
    expect(opus.size).toBe(1);
    withAudio.release();
    expect(opus.size).toBe(0);
    const relay = videoOnly.relay;
    let closed = 0;
    relay.subscribe({ packet() {}, closed: () => closed++ });
    videoOnly.release();
    expect(feeds.size).toBe(0);
    expect(closed).toBe(1);
  });
});
