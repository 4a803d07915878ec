import { describe, expect, it } from 'vitest';
import { test as fcTest, fc } from '@fast-check/vitest';
import { ProtocolError, toHex } from '@runnel/shared';
import { validateOffer } from './offer.ts';
import { h264ProfileLevel, h264SpropParameterSets, parseFmtp, sectionCodecs } from './rtp-parameters.ts';
import { parseSdp } from './session-description.ts';
import { CHROMIUM_WHEP_OFFER, CHROMIUM_WHIP_OFFER } from './testdata/chromium-offers.ts';
import { CHROME_WHIP_OFFER, OBS_WHIP_OFFER, WHEP_PLAY_OFFER } from './testdata/offers.ts';

/** Replaces one line of an offer (or removes it with `to` = null), so each case states what it breaks. */
function edit(sdp: string, from: string | RegExp, to: string | null): string {
  const lines = sdp.split('\r\n');
  const out = lines.flatMap((l) => ((typeof from === 'string' ? l === from : from.test(l)) ? (to === null ? [] : [to]) : [l]));
  if (out.join() === lines.join()) throw new Error(`test edit matched nothing: ${String(from)}`);
  return out.join('\r\n');
}

describe('SDP parsing (RFC 8866)', () => {
  it('reads the session and m-sections of a Chrome offer', () => {
    const sdp = parseSdp(CHROME_WHIP_OFFER);
    expect(sdp.origin).toBe('- 4611731400430051336 2 IN IP4 127.0.0.1');
    expect(sdp.media.map((m) => [m.kind, m.port, m.protocol, m.formats.length])).toEqual([
      ['audio', 9, 'UDP/TLS/RTP/SAVPF', 8],
      ['video', 9, 'UDP/TLS/RTP/SAVPF', 14],
    ]);
    expect(sdp.attributes).toContainEqual({ name: 'group', value: 'BUNDLE 0 1' });
    expect(sdp.attributes).toContainEqual({ name: 'extmap-allow-mixed' });
    expect(sdp.media[1]!.connection).toBe('IN IP4 0.0.0.0');
  });

  it('accepts LF line endings and a trailing blank line', () => {
    expect(parseSdp(OBS_WHIP_OFFER.replaceAll('\r\n', '\n') + '\n').media).toHaveLength(2);
  });

  it('matches rtpmap, fmtp and rtcp-fb (including *) by payload type, in m-line order', () => {
    const video = parseSdp(WHEP_PLAY_OFFER).media[0]!;
    expect(sectionCodecs(video)).toEqual([
      {
        payloadType: 102, name: 'H264', clockRate: 90000, parameters: { 'packetization-mode': '1', 'profile-level-id': '42e01f' },
        fmtp: 'packetization-mode=1;profile-level-id=42e01f', feedback: [{ type: 'nack' }, { type: 'nack', parameter: 'pli' }],
      },
      {
        payloadType: 108, name: 'H264', clockRate: 90000, parameters: { 'packetization-mode': '1', 'profile-level-id': '64001f' },
        fmtp: 'packetization-mode=1;profile-level-id=64001f', feedback: [{ type: 'nack' }, { type: 'nack', parameter: 'pli' }],
      },
      { payloadType: 109, name: 'rtx', clockRate: 90000, parameters: { apt: '108' }, fmtp: 'apt=108', feedback: [{ type: 'nack' }] },
    ]);
    expect(h264ProfileLevel({ 'profile-level-id': '640C1F' })).toEqual({ profileIdc: 100, profileIop: 12, levelIdc: 31 });
    expect(h264ProfileLevel({})).toEqual({ profileIdc: 66, profileIop: 0, levelIdc: 16 });
    expect(parseFmtp(' Minptime=10 ; useinbandfec=1;')).toEqual({ minptime: '10', useinbandfec: '1' });
    expect(parseFmtp('111/111')).toEqual({}); // RED (RFC 2198): not a parameter list
    // The SPS/PPS of codec/testdata's 320x240 x264 sample, as an out-of-band sender announces them.
    const sprop = h264SpropParameterSets(parseFmtp(`packetization-mode=1; sprop-parameter-sets=Z2QADazZQUH7ARAAAAMAEAAAAwMg8UKZYA==,aOvjyyLA; profile-level-id=64000D`));
    expect(sprop.map(toHex)).toEqual(['6764000dacd94141fb011000000300100000030320f1429960', '68ebe3cb22c0']);
    expect(() => h264SpropParameterSets({ 'sprop-parameter-sets': 'Z2QA*,aOvj' })).toThrow(expect.objectContaining({ code: 'sdp_bad_fmtp' }));
    expect(h264SpropParameterSets({})).toEqual([]);
    expect(() => parseFmtp('a=1;'.repeat(33))).toThrow(expect.objectContaining({ code: 'sdp_bad_fmtp' }));
  });

  it.each([
    ['an oversized offer', CHROME_WHIP_OFFER + `a=x:${'y'.repeat(1000)}\r\n`.repeat(70), 'sdp_too_large'],
    ['too many lines', 'v=0\r\no=- 1 1 IN IP4 0.0.0.0\r\n' + 'a=x\r\n'.repeat(2000), 'sdp_too_many_lines'],
    ['a long line', `v=0\r\no=- 1 1 IN IP4 0.0.0.0\r\na=x:${'y'.repeat(3000)}\r\n`, 'sdp_line_too_long'],
    ['no v=0 first', 'o=- 1 1 IN IP4 0.0.0.0\r\nv=0\r\n', 'sdp_bad_version'],
    ['an empty body', '', 'sdp_bad_version'],
    ['no o= line', 'v=0\r\ns=-\r\n', 'sdp_bad_line'],
    ['a line that is not type=value', 'v=0\r\no=- 1 1 IN IP4 0.0.0.0\r\nhello\r\n', 'sdp_bad_line'],
    ['a NUL byte', 'v=0\r\no=- 1 1 IN IP4 0.0.0.0\r\ns=a\u0000b\r\n', 'sdp_bad_line'],
    ['nine m-sections', 'v=0\r\no=- 1 1 IN IP4 0.0.0.0\r\n' + 'm=audio 9 UDP/TLS/RTP/SAVPF 111\r\n'.repeat(9), 'sdp_too_many_media'],
    ['a port over 65535', 'v=0\r\no=- 1 1 IN IP4 0.0.0.0\r\nm=audio 70000 UDP/TLS/RTP/SAVPF 111\r\n', 'sdp_bad_media_line'],
    ['an attribute name with a space', 'v=0\r\no=- 1 1 IN IP4 0.0.0.0\r\na=bad name:1\r\n', 'sdp_bad_attribute'],
  ])('rejects %s', (_n, text, code) => {
    expect(() => parseSdp(text)).toThrow(expect.objectContaining({ code }));
  });

  fcTest.prop([fc.string({ maxLength: 400 })])('garbage text never crashes', (s) => {
    try {
      parseSdp(s);
    } catch (e) {
      expect(e).toBeInstanceOf(ProtocolError);
    }
  });

  fcTest.prop([fc.array(fc.tuple(fc.constantFrom('v', 'o', 's', 'm', 'a', 'c', 't'), fc.string({ maxLength: 60 })), { maxLength: 40 })])(
    'degenerate line sequences never crash the offer checks',
    (ls) => {
      try {
        validateOffer(['v=0', ...ls.map(([t, v]) => `${t}=${v}`)].join('\r\n'), { role: 'publish' });
      } catch (e) {
        expect(e).toBeInstanceOf(ProtocolError);
      }
    },
  );
});

describe('WHIP/WHEP offer checks and codec choice', () => {
  it('takes a Chrome WHIP offer: H.264 mode 1 over VP8/AV1/VP9, opus, feedback, RTX, candidates sorted', () => {
    const o = validateOffer(CHROME_WHIP_OFFER, { role: 'publish' });
    expect(o.video).toMatchObject({
      index: 1, mid: '1', direction: 'sendonly', rtxPayloadType: 103, ssrcs: [2231627014, 632943048],
      codec: { payloadType: 102, name: 'H264', parameters: { 'packetization-mode': '1', 'profile-level-id': '42001f' } },
      feedback: { nack: true, pli: true, fir: true, remb: true, transportCc: true },
    });
    expect(o.audio).toMatchObject({ index: 0, mid: '0', codec: { payloadType: 111, name: 'opus', channels: 2, parameters: { useinbandfec: '1' } } });
    expect(o.audio!.extmaps.map((e) => e.id)).toEqual([1, 2, 3, 4]);
    expect(o).toMatchObject({ iceUfrag: 'Xk3P', icePwd: 'u7+Dr6Fq9aPz2L1nW8bVc0yH', setup: 'actpass', iceLite: false, rejected: [] });
    expect(o.fingerprint).toMatch(/^3B:7F:/);
    expect(o.candidates.map((c) => c.address)).toEqual(['93.184.216.34', '93.184.216.34', '81.2.69.160', '2a0b6c8e-74b3-4e09-bd3f-3b6de7c0f5a1.local']);
    expect(o.refusedCandidates.map((r) => [r.candidate.address, r.reason])).toEqual([['169.254.169.254', 'metadata'], ['10.0.0.12', 'private']]);
  });

  it('takes a real Chromium 156 WHIP offer (captured): H.264 mode 1 PT 102 + RTX 103, opus 111', () => {
    const o = validateOffer(CHROMIUM_WHIP_OFFER, { role: 'publish' });
    expect([o.audio?.mid, o.audio?.codec.payloadType, o.video?.mid, o.video?.codec.payloadType, o.video?.rtxPayloadType]).toEqual(['0', 111, '1', 102, 103]);
    expect(o.video?.feedback).toEqual({ nack: true, pli: true, fir: true, remb: true, transportCc: true });
    expect(o.video?.ssrcs).toHaveLength(2); // media + RTX (ssrc-group FID)
    expect(o.video?.extmaps.find((e) => e.uri === 'urn:ietf:params:rtp-hdrext:sdes:mid')?.id).toBe(4);
    // The capture machine's addresses: TEST-NET-1 and a unique-local IPv6, both refused by default.
    expect(o.candidates).toEqual([]);
    expect(o.refusedCandidates.map((r) => r.reason)).toEqual(['reserved', 'private', 'reserved', 'private']);
    const lan = validateOffer(CHROMIUM_WHIP_OFFER, { role: 'publish', allowedAddressClasses: new Set(['private']) });
    expect(lan.candidates.map((c) => [c.address, c.transport])).toEqual([['fd00::2', 'udp'], ['fd00::2', 'tcp']]);
    // Pass-through: the first allowed name wins, whatever the offer's order.
    expect(validateOffer(CHROMIUM_WHIP_OFFER, { role: 'publish', videoCodecs: ['AV1', 'H264'] }).video?.codec).toMatchObject({ name: 'AV1', payloadType: 45 });
  });

  it('takes a real Chromium 156 WHEP offer (captured) for play and refuses it for publish', () => {
    const o = validateOffer(CHROMIUM_WHEP_OFFER, { role: 'play', h264ProfileIdc: 77 });
    expect([o.video?.direction, o.audio?.direction, o.video?.codec.name]).toEqual(['recvonly', 'recvonly', 'H264']);
    expect(o.video?.codec.parameters['profile-level-id']?.slice(0, 2)).toBe('4d'); // Main wins when the stream is Main
    expect(o.video?.codec.parameters['packetization-mode']).toBe('1');
    expect(() => validateOffer(CHROMIUM_WHEP_OFFER, { role: 'publish' })).toThrow(expect.objectContaining({ code: 'sdp_bad_direction' }));
  });

  it('takes an OBS WHIP offer with session-level transport attributes', () => {
    const o = validateOffer(OBS_WHIP_OFFER, { role: 'publish', allowedAddressClasses: new Set(['public', 'private']) });
    expect([o.video?.codec.payloadType, o.audio?.codec.payloadType, o.video?.rtxPayloadType]).toEqual([96, 111, undefined]);
    expect(o.video?.feedback).toEqual({ nack: true, pli: true, fir: false, remb: true, transportCc: false });
    expect(o.candidates.map((c) => c.address)).toEqual(['192.168.1.20', '81.2.69.161']);
  });

  it('prefers the H.264 profile of the stream when playing', () => {
    expect(validateOffer(WHEP_PLAY_OFFER, { role: 'play' }).video?.codec.payloadType).toBe(102);
    const o = validateOffer(WHEP_PLAY_OFFER, { role: 'play', h264ProfileIdc: 100 });
    expect([o.video?.codec.payloadType, o.video?.rtxPayloadType, o.video?.mid, o.audio?.mid]).toEqual([108, 109, 'v', 'a']);
  });

  it('takes a VP8 publisher when the policy allows pass-through codecs, H.264 first', () => {
    const noH264 = CHROME_WHIP_OFFER.replace('96 97 102 103 104 105 106 107 108 109 45 46 39 40', '96 97 45 46 39 40');
    expect(validateOffer(noH264, { role: 'publish', videoCodecs: ['H264', 'VP8'] }).video?.codec.name).toBe('VP8');
    expect(validateOffer(CHROME_WHIP_OFFER, { role: 'publish', videoCodecs: ['H264', 'VP8'] }).video?.codec.name).toBe('H264');
  });

  it('rejects a video section without H.264 but keeps the audio', () => {
    const noH264 = CHROME_WHIP_OFFER.replace('96 97 102 103 104 105 106 107 108 109 45 46 39 40', '96 97 45 46 39 40');
    const o = validateOffer(noH264, { role: 'publish' });
    expect(o.video).toBeUndefined();
    expect(o.audio?.codec.name).toBe('opus');
    expect(o.rejected).toEqual([{ index: 1, mid: '1', reason: 'codec' }]);
  });

  it('skips packetization-mode 2 and takes mode 0 when that is all there is', () => {
    let sdp = edit(OBS_WHIP_OFFER, 'a=fmtp:96 profile-level-id=42e01f;packetization-mode=1;level-asymmetry-allowed=1', 'a=fmtp:96 packetization-mode=2');
    expect(validateOffer(sdp, { role: 'publish' }).rejected).toEqual([{ index: 1, mid: '1', reason: 'codec' }]);
    sdp = edit(OBS_WHIP_OFFER, 'a=fmtp:96 profile-level-id=42e01f;packetization-mode=1;level-asymmetry-allowed=1', null);
    expect(validateOffer(sdp, { role: 'publish' }).video?.codec.parameters).toEqual({});
  });

  const A = OBS_WHIP_OFFER;
  it.each([
    ['no audio or video', 'v=0\r\no=- 1 1 IN IP4 0.0.0.0\r\ns=-\r\nm=application 9 UDP/DTLS/SCTP webrtc-datachannel\r\na=mid:0\r\n', 'sdp_no_video_or_audio'],
    ['only unsupported codecs', edit(edit(A, 'a=rtpmap:111 opus/48000/2', 'a=rtpmap:111 ISAC/16000'), 'a=rtpmap:96 H264/90000', 'a=rtpmap:96 VP8/90000'), 'sdp_unsupported_codec'],
    ['opus as mono', edit(edit(A, 'a=rtpmap:111 opus/48000/2', 'a=rtpmap:111 opus/48000'), 'a=rtpmap:96 H264/90000', 'a=rtpmap:96 H263/90000'), 'sdp_unsupported_codec'],
    ['a publish offer that only receives', A.replaceAll('a=sendonly', 'a=recvonly'), 'sdp_bad_direction'],
    ['plain RTP/AVP', A.replaceAll('UDP/TLS/RTP/SAVPF', 'RTP/AVP'), 'sdp_unsupported_transport'],
    ['no ice-ufrag', edit(A, 'a=ice-ufrag:QFbq', null), 'sdp_missing_ice_credentials'],
    ['a 3-character ice-ufrag', edit(A, 'a=ice-ufrag:QFbq', 'a=ice-ufrag:QFb'), 'sdp_bad_ice_credentials'],
    ['a short ice-pwd', edit(A, 'a=ice-pwd:X3XlTrcDk6dMgm5V3fyW/L', 'a=ice-pwd:short'), 'sdp_bad_ice_credentials'],
    ['no fingerprint', edit(A, /^a=fingerprint/, null), 'sdp_missing_fingerprint'],
    ['only a sha-1 fingerprint', edit(A, /^a=fingerprint/, 'a=fingerprint:sha-1 00:11:22:33:44:55:66:77:88:99:AA:BB:CC:DD:EE:FF:00:11:22:33'), 'sdp_unsupported_fingerprint'],
    ['a short sha-256 fingerprint', edit(A, /^a=fingerprint/, 'a=fingerprint:sha-256 00:11'), 'sdp_bad_fingerprint'],
    ['no setup', edit(A, 'a=setup:actpass', null), 'sdp_missing_setup'],
    ['setup holdconn', edit(A, 'a=setup:actpass', 'a=setup:holdconn'), 'sdp_bad_setup'],
    ['no mid', edit(A, 'a=mid:1', null), 'sdp_missing_mid'],
    ['a duplicate mid', edit(A, 'a=mid:1', 'a=mid:0'), 'sdp_duplicate_mid'],
    ['a long mid', edit(A, 'a=mid:1', `a=mid:${'m'.repeat(17)}`), 'sdp_bad_mid'],
    ['no rtcp-mux', A.replaceAll('a=rtcp-mux\r\n', ''), 'sdp_no_rtcp_mux'],
    ['no BUNDLE', edit(A, 'a=group:BUNDLE 0 1', null), 'sdp_not_bundled'],
    ['bundled sections with different ICE credentials', edit(A, 'a=mid:1', 'a=mid:1\r\na=ice-ufrag:Zzzz'), 'sdp_transport_mismatch'],
    ['an extmap id used for two URIs in the bundle', edit(edit(A, 'a=mid:0', 'a=mid:0\r\na=extmap:1 urn:a'), 'a=mid:1', 'a=mid:1\r\na=extmap:1 urn:b'), 'sdp_bad_extmap'],
    ['extmap id 15', edit(A, 'a=mid:1', 'a=mid:1\r\na=extmap:15 urn:a'), 'sdp_bad_extmap'],
    ['a malformed rtpmap', edit(A, 'a=rtpmap:96 H264/90000', 'a=rtpmap:96 H264'), 'sdp_bad_rtpmap'],
    ['two fmtp for one payload type', edit(A, 'a=rtpmap:96 H264/90000', 'a=rtpmap:96 H264/90000\r\na=fmtp:96 a=1\r\na=fmtp:96 b=2'), 'sdp_bad_fmtp'],
    ['a malformed rtcp-fb', edit(A, 'a=rtcp-fb:96 nack', 'a=rtcp-fb:96'), 'sdp_bad_rtcp_fb'],
    ['a malformed ssrc', edit(A, 'a=ssrc:3245185839 cname:obs-cname', 'a=ssrc:99999999999 cname:x'), 'sdp_bad_ssrc'],
    ['a malformed candidate', edit(A, 'a=candidate:1 1 UDP 2122317823 192.168.1.20 53481 typ host', 'a=candidate:1 1 UDP x 192.168.1.20 53481 typ host'), 'sdp_bad_candidate'],
    ['65 candidates', edit(A, 'a=end-of-candidates', 'a=candidate:1 1 UDP 1 81.2.69.161 9 typ host\r\n'.repeat(64).trim()), 'sdp_too_many_candidates'],
  ])('rejects %s', (_n, sdp, code) => {
    expect(() => validateOffer(sdp, { role: 'publish' })).toThrow(expect.objectContaining({ code }));
  });

  it('a WHEP offer is refused for publish and a WHIP offer for play', () => {
    expect(() => validateOffer(WHEP_PLAY_OFFER, { role: 'publish' })).toThrow(expect.objectContaining({ code: 'sdp_bad_direction' }));
    expect(() => validateOffer(OBS_WHIP_OFFER, { role: 'play' })).toThrow(expect.objectContaining({ code: 'sdp_bad_direction' }));
  });

  fcTest.prop([fc.integer({ min: 0, max: OBS_WHIP_OFFER.length - 1 }), fc.string({ minLength: 1, maxLength: 8 })])(
    'a corrupted real offer passes or fails with a ProtocolError',
    (at, junk) => {
      try {
        validateOffer(OBS_WHIP_OFFER.slice(0, at) + junk + OBS_WHIP_OFFER.slice(at + junk.length), { role: 'publish' });
      } catch (e) {
        expect(e).toBeInstanceOf(ProtocolError);
      }
    },
  );
});
