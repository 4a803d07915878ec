import { createSocket } from 'node:dgram';
import { afterEach, describe, expect, it } from 'vitest';
import { Message, RTCPeerConnection, RTCRtpCodecParameters } from 'werift';
import { UdpMux } from './udp-mux.ts';
import { answerOffer, serialized } from './werift-peer.ts';
import type { RtcCodecChoice, RtcPeer } from './werift-peer.ts';

/** A werift client on loopback standing in for a browser: one recvonly H.264 video section. */
async function clientOffer(): Promise<{ pc: RTCPeerConnection; offer: string; video: RtcCodecChoice }> {
  const pc = new RTCPeerConnection({
    codecs: {
      video: [new RTCRtpCodecParameters({ mimeType: 'video/H264', clockRate: 90000, rtcpFeedback: [{ type: 'nack' }, { type: 'nack', parameter: 'pli' }], parameters: 'level-asymmetry-allowed=1;packetization-mode=1;profile-level-id=42e01f' })],
    },
    iceUseIpv4: false,
    iceUseIpv6: false,
    iceAdditionalHostAddresses: ['127.0.0.1'],
    iceInterfaceAddresses: { udp4: '127.0.0.1', udp6: undefined },
  });
  pc.addTransceiver('video', { direction: 'recvonly' });
  await pc.setLocalDescription(await pc.createOffer());
  await new Promise<void>((resolve) => (pc.iceGatheringState === 'complete' ? resolve() : pc.iceGatheringStateChange.subscribe((s) => s === 'complete' && resolve())));
  const offer = pc.localDescription!.sdp;
  const m = /a=rtpmap:(\d+) H264\/90000/.exec(offer)!;
  const fmtp = new RegExp(`a=fmtp:${m[1]} (.*)`).exec(offer)?.[1]?.trim();
  return { pc, offer, video: { mimeType: 'video/H264', clockRate: 90000, payloadType: Number(m[1]), ...(fmtp ? { fmtp } : {}), nack: true, pli: true, fir: false } };
}

async function freeUdpPort(): Promise<number> {
  const s = createSocket('udp4');
  await new Promise<void>((r) => s.bind(0, '127.0.0.1', r));
  const { port } = s.address();
  await new Promise<void>((r) => s.close(() => r()));
  return port;
}

const open: { close(): Promise<unknown> }[] = [];
afterEach(async () => {
  await Promise.all(open.splice(0).map((p) => p.close()));
});

const base = { role: 'play' as const, candidateAddress: '127.0.0.1', bindAddress: '127.0.0.1', allowRemote: () => true };

describe('answerOffer (werift answering a werift client on loopback)', () => {
  it('a gathering timeout while the answer is still being set rejects the answer, not the process (no unhandled rejection)', async () => {
    const client = await clientOffer();
    open.push(client.pc);
    // 0 ms: the timer fires before setLocalDescription (which binds and gathers) returns, as on a saturated node.
    await expect(answerOffer(client.offer, { ...base, video: client.video, onError: () => {}, gatherTimeoutMs: 0 })).rejects.toThrow('ICE gathering timed out');
    // Let any stray rejection surface inside this test: vitest fails the run on an unhandled one.
    await new Promise((r) => setTimeout(r, 50));
  });

  it('connects and delivers the RTP we send with the negotiated payload type', async () => {
    const client = await clientOffer();
    open.push(client.pc);
    const errors: unknown[] = [];
    const peer = await answerOffer(client.offer, { ...base, video: client.video, onError: (e) => errors.push(e) });
    open.push(peer);
    expect(peer.answer).toMatch(new RegExp(`a=candidate:\\S+ 1 udp \\d+ 127\\.0\\.0\\.1 ${peer.port} typ host`));
    const received = new Promise<{ pt: number; payload: string }>((resolve) => {
      client.pc.onTrack.subscribe((track) => track.onReceiveRtp.subscribe((rtp) => resolve({ pt: rtp.header.payloadType, payload: rtp.payload.toString('hex') })));
    });
    const connected = new Promise<void>((resolve) => peer.on({ state: (s) => s === 'connected' && resolve() }));
    await client.pc.setRemoteDescription({ type: 'answer', sdp: peer.answer });
    await connected;
    // An RTP packet with payload type 0 and SSRC 0: werift puts in the negotiated ones.
    const rtp = Uint8Array.from([0x80, 0x80, 0, 1, 0, 0, 0, 90, 0, 0, 0, 0, 0x65, 1, 2, 3]);
    for (let i = 0; i < 5; i++) await peer.send('video', rtp);
    expect(await received).toEqual({ pt: client.video.payloadType, payload: '65010203' });
    expect(peer.stats.guarded).toBe(true);
    expect(peer.stats.srtpKeyObjects).toBe(true);
    expect(errors).toEqual([]);
  });

  it('hands the player\'s PLI to `rtcp` also when werift routes it to the receiver (a player that signalled its own SSRC)', async () => {
    const client = await clientOffer();
    open.push(client.pc);
    const peer = await answerOffer(client.offer, { ...base, video: client.video, onError: () => {} });
    open.push(peer);
    const feedback: number[] = [];
    const connected = new Promise<void>((resolve) => peer.on({ state: (s) => s === 'connected' && resolve(), rtcp: (_k, bytes) => feedback.push(bytes[1]!) }));
    const ssrc = new Promise<number>((resolve) => client.pc.onTrack.subscribe((track) => track.onReceiveRtp.subscribe((rtp) => resolve(rtp.header.ssrc))));
    await client.pc.setRemoteDescription({ type: 'answer', sdp: peer.answer });
    await connected;
    const rtp = Uint8Array.from([0x80, 0x80, 0, 1, 0, 0, 0, 90, 0, 0, 0, 0, 0x65, 1, 2, 3]);
    for (let i = 0; i < 5; i++) await peer.send('video', rtp);
    const media = await ssrc;
    const receiver = client.pc.getTransceivers()[0]!.receiver;
    for (let i = 0; i < 20 && !feedback.includes(206); i++) {
      await receiver.sendRtcpPLI(media);
      await new Promise((r) => setTimeout(r, 50));
    }
    expect(feedback).toContain(206);
  });

  it('with a UDP mux, two sessions answer with the mux port and each client gets its own RTP', async () => {
    const mux = await UdpMux.bind(0, '127.0.0.1');
    open.push(mux);
    const queue = serialized();
    const clients = [await clientOffer(), await clientOffer()];
    open.push(...clients.map((c) => c.pc));
    const peers: RtcPeer[] = [];
    for (const c of clients) peers.push(await queue(() => answerOffer(c.offer, { ...base, video: c.video, mux, onError: () => {} })));
    open.push(...peers);
    expect(peers.map((p) => p.port)).toEqual([mux.port, mux.port]);
    expect(mux.stats.sessions).toBe(2);
    const received = clients.map((c) => new Promise<string>((resolve) => c.pc.onTrack.subscribe((t) => t.onReceiveRtp.subscribe((rtp) => resolve(rtp.payload.toString('hex'))))));
    await Promise.all(clients.map(async (c, i) => {
      const connected = new Promise<void>((resolve) => peers[i]!.on({ state: (s) => s === 'connected' && resolve() }));
      await c.pc.setRemoteDescription({ type: 'answer', sdp: peers[i]!.answer });
      await connected;
    }));
    for (let i = 0; i < 5; i++) {
      await peers[0]!.send('video', Uint8Array.from([0x80, 0x80, 0, 1, 0, 0, 0, 90, 0, 0, 0, 0, 0x65, 0xa0]));
      await peers[1]!.send('video', Uint8Array.from([0x80, 0x80, 0, 1, 0, 0, 0, 90, 0, 0, 0, 0, 0x65, 0xb1]));
    }
    expect(await Promise.all(received)).toEqual(['65a0', '65b1']);
    await peers[0]!.close();
    expect(mux.stats.sessions).toBe(1);
  });

  it('answers only Binding requests that name our ufrag and are signed with our ice-pwd (werift alone answers any)', async () => {
    const client = await clientOffer();
    open.push(client.pc);
    const peer = await answerOffer(client.offer, { ...base, video: client.video, onError: () => {} });
    open.push(peer);
    const ufrag = /^a=ice-ufrag:(\S+)/m.exec(peer.answer)![1]!;
    const pwd = /^a=ice-pwd:(\S+)/m.exec(peer.answer)![1]!;
    const sock = createSocket('udp4');
    open.push({ close: async () => sock.close() });
    await new Promise<void>((r) => sock.bind(0, '127.0.0.1', r));
    const answers: Buffer[] = [];
    sock.on('message', (m) => answers.push(m));
    const request = (user: string, key?: string): Buffer => {
      const m = new Message(1, 0x000);
      m.setAttribute('USERNAME', user);
      m.setAttribute('PRIORITY', 1845501695);
      m.setAttribute('ICE-CONTROLLING', BigInt(7));
      if (key !== undefined) m.addMessageIntegrity(Buffer.from(key, 'utf8'));
      m.addFingerprint();
      return Buffer.from(m.bytes);
    };
    const send = (b: Buffer) => new Promise((r) => sock.send(b, peer.port, '127.0.0.1', r));
    await send(request(`${ufrag}:evil`));
    await send(request(`${ufrag}:evil`, 'not-the-password-at-all'));
    await send(request(`zzzz:evil`, pwd));
    await new Promise((r) => setTimeout(r, 200));
    expect(answers).toHaveLength(0);
    expect(peer.stats.unauthenticatedStun).toBe(3);
    await send(request(`${ufrag}:good`, pwd));
    await new Promise((r) => setTimeout(r, 200));
    // A Binding success response (werift then also sends its own triggered checks to the address).
    expect(answers.map((a) => a.readUInt16BE(0))).toContain(0x0101);
  });

  it('takes ports from the range one session at a time and refuses when it is full', async () => {
    const low = await freeUdpPort();
    const queue = serialized();
    const offers = await Promise.all([clientOffer(), clientOffer(), clientOffer()]);
    open.push(...offers.map((o) => o.pc));
    const results = await Promise.allSettled(
      offers.map((o) => queue(() => answerOffer(o.offer, { ...base, video: o.video, portRange: [low, low + 1], onError: () => {} }))),
    );
    const peers = results.filter((r): r is PromiseFulfilledResult<RtcPeer> => r.status === 'fulfilled').map((r) => r.value);
    open.push(...peers);
    expect(peers.map((p) => p.port).sort()).toEqual([low, low + 1]);
    expect(results[2]!.status).toBe('rejected');
  });
});
