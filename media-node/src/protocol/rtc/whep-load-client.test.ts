import { afterEach, describe, expect, it } from 'vitest';
import { answerOffer, type RtcCodecChoice, type RtcPeer } from './werift-peer.ts';
import { SeenSequences, startWhepLoadClient, type WhepLoadClient } from './whep-load-client.ts';

const open: { close(): Promise<unknown> }[] = [];
afterEach(async () => {
  await Promise.all(open.splice(0).map((p) => p.close()));
});

/** The offer's payload type and fmtp for a codec, as the node's offer check would pick them. */
function choice(offer: string, name: string, clockRate: number, channels?: number): RtcCodecChoice {
  const m = new RegExp(`a=rtpmap:(\\d+) ${name}/${clockRate}`, 'i').exec(offer)!;
  const fmtp = new RegExp(`a=fmtp:${m[1]} (.*)`).exec(offer)?.[1]?.trim();
  return { mimeType: `${name === 'H264' ? 'video' : 'audio'}/${name}`, clockRate, payloadType: Number(m[1]), ...(channels ? { channels } : {}), ...(fmtp ? { fmtp } : {}), nack: false, pli: false, fir: false };
}

/** A WHEP client against answerOffer (the node's peer) on loopback; resolves once the server side is connected. */
async function connect(audio: boolean): Promise<{ client: WhepLoadClient; peer: RtcPeer; offer: string }> {
  let peer: RtcPeer | undefined;
  let offer = '';
  let connected!: Promise<void>;
  const client = await startWhepLoadClient({
    address: '127.0.0.1',
    audio,
    exchange: async (sdp) => {
      offer = sdp;
      peer = await answerOffer(sdp, {
        role: 'play',
        candidateAddress: '127.0.0.1',
        bindAddress: '127.0.0.1',
        allowRemote: () => true,
        onError: () => {},
        video: choice(sdp, 'H264', 90000),
        ...(audio ? { audio: choice(sdp, 'opus', 48000, 2) } : {}),
      });
      const p = peer;
      connected = new Promise<void>((resolve) => p.on({ state: (s) => s === 'connected' && resolve() }));
      return peer.answer;
    },
  });
  open.push(client, peer!);
  await connected;
  return { client, peer: peer!, offer };
}

/** RTP version 2, marker as given, payload type 0 (werift puts in the negotiated one), sequence `seq`. */
function rtp(seq: number, marker: boolean, payload: number[]): Uint8Array {
  return Uint8Array.from([0x80, marker ? 0x80 : 0, seq >> 8, seq & 0xff, 0, 0, 0, 90, 0, 0, 0, 0, ...payload]);
}

async function until(check: () => boolean): Promise<void> {
  for (let i = 0; i < 200 && !check(); i++) await new Promise((r) => setTimeout(r, 10));
}

describe('startWhepLoadClient', () => {
  it('offers recvonly video and audio and counts RTP per track, frames by the marker bit', async () => {
    const { client, peer, offer } = await connect(true);
    expect(offer).toMatch(/m=video[\s\S]*a=recvonly[\s\S]*m=audio[\s\S]*a=recvonly/);
    await until(() => client.state() === 'connected');
    expect(client.state()).toBe('connected');
    for (let i = 0; i < 6; i++) await peer.send('video', rtp(i + 1, i % 2 === 1, [0x65, 1, 2, 3]));
    for (let i = 0; i < 4; i++) await peer.send('audio', rtp(i + 1, false, [0xfc, 9, 9]));
    await until(() => client.counters.video.packets >= 6 && client.counters.audio.packets >= 4);
    expect(client.counters.video).toEqual({ packets: 6, bytes: 24, frames: 3, duplicates: 0 });
    expect(client.counters.audio).toEqual({ packets: 4, bytes: 12, frames: 0, duplicates: 0 });
    await client.close();
    expect(client.state()).toBe('closed');
  });

  it('offers no audio section without audio', async () => {
    const { offer } = await connect(false);
    expect(offer).not.toMatch(/m=audio/);
  });

  it('rejects when the exchange fails', async () => {
    await expect(startWhepLoadClient({ address: '127.0.0.1', audio: false, exchange: () => Promise.reject(new Error('WHEP 503')) })).rejects.toThrow('WHEP 503');
  });
});

describe('SeenSequences', () => {
  it('flags a repeated sequence number and forgets it half a cycle later, across the wrap', () => {
    const seen = new SeenSequences();
    expect(seen.add(65534)).toBe(true);
    expect(seen.add(65534)).toBe(false);
    expect(seen.add(65535)).toBe(true);
    expect(seen.add(0)).toBe(true);
    expect(seen.add(0)).toBe(false);
    // Receiving 65534 + 2^15 forgets 65534 (a new cycle may reuse it).
    expect(seen.add((65534 + 0x8000) & 0xffff)).toBe(true);
    expect(seen.add(65534)).toBe(true);
  });

  it('sees every number of a long in-order run once', () => {
    const seen = new SeenSequences();
    let fresh = 0;
    for (let i = 0; i < 3 * 65536; i++) if (seen.add(i)) fresh++;
    expect(fresh).toBe(3 * 65536);
  });
});
