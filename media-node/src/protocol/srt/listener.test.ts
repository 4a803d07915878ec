import { describe, expect, it } from 'vitest';
import { test as fcTest, fc } from '@fast-check/vitest';
import { hex } from '@runnel/shared';
import { SrtCaller } from './caller.ts';
import { SrtListener, type SrtListenerResult } from './listener.ts';
import { decodeHandshake, encodeHandshake, HS_EXT_FLAG, HS_MAGIC, HS_TYPE, type Handshake } from './packets/handshake.ts';
import { SRT_FLAG } from './packets/hs-options.ts';
import { decodePacket } from './packets/packet.ts';
import { rejectType, SRT_REJ, SRT_REJX } from './reject.ts';
import { COOKIE_BUCKET_MS, synCookie } from './syn-cookie.ts';
import { CAPTURE_PASSPHRASE, loadCapture } from './testdata/captures.ts';
import { seededRandom } from './testdata/sim-link.ts';

const SECRET = new Uint8Array(32).fill(3);
const PEER = { address: '192.0.2.10', port: 40000 };
const NOW = 5_000_000;

function listener(over: Partial<ConstructorParameters<typeof SrtListener>[0]> = {}): SrtListener {
  return new SrtListener({ now: 0, cookieSecret: SECRET, random: seededRandom(5), ...over });
}

/** A captured libsrt datagram with the SYN cookie (CIF bytes 28-31) replaced by ours. */
function withCookie(datagram: Uint8Array, cookie: number): Uint8Array {
  const b = datagram.slice();
  new DataView(b.buffer).setUint32(16 + 28, cookie);
  return b;
}

const ourCookie = (now = NOW, peer = PEER) => synCookie(SECRET, peer.address, peer.port, now);
const capture = loadCapture('publish');
const [libsrtInduction, libsrtInductionAnswer, libsrtConclusion, libsrtConclusionAnswer] = capture.map((d) => d.bytes);

function hs(b: Uint8Array): Handshake {
  return decodeHandshake(b);
}

function expectReject(r: SrtListenerResult, code: number, reason: string): Handshake {
  expect(r).toMatchObject({ kind: 'reject', code, reason });
  if (r.kind !== 'reject') throw new Error('not a reject');
  const answer = hs(r.bytes);
  expect(answer.type).toBe(rejectType(code));
  expect(answer.extensions).toEqual([]);
  return answer;
}

describe('SrtListener: induction (libsrt 1.5.1 caller bytes)', () => {
  it('answers like libsrt: v5, SRT magic, a cookie, the caller id echoed', () => {
    const r = listener().handle(libsrtInduction!, PEER, NOW);
    if (r.kind !== 'reply') throw new Error(r.kind);
    const ours = hs(r.bytes);
    const theirs = hs(libsrtInductionAnswer!);
    expect({ ...ours, timestamp: 0, synCookie: 0 }).toEqual({ ...theirs, timestamp: 0, synCookie: 0 });
    expect(ours).toMatchObject({ version: 5, extensionField: HS_MAGIC, type: HS_TYPE.induction, synCookie: ourCookie() });
  });

  it('allocates nothing: 5000 inductions from different ports get answers and leave no state behind', () => {
    const l = listener();
    const before = JSON.stringify(l);
    for (let port = 1; port <= 5000; port++) expect(l.handle(libsrtInduction!, { address: '198.51.100.7', port }, NOW).kind).toBe('reply');
    expect(JSON.stringify(l)).toBe(before);
  });
});

describe('SrtListener: conclusion', () => {
  it('turns libsrt conclusion (HSREQ + SRS stream id) into a request', () => {
    const r = listener().handle(withCookie(libsrtConclusion!, ourCookie()), PEER, NOW);
    if (r.kind !== 'request') throw new Error(`${r.kind} ${'reason' in r ? r.reason : ''}`);
    expect(r.request).toMatchObject({
      peer: PEER,
      peerSocketId: hs(libsrtConclusion!).socketId,
      streamId: '#!::r=live/x,m=publish',
      vhost: null,
      app: 'live',
      stream: 'x',
      mode: 'publish',
      param: '',
      srtVersion: 0x010501,
      recvLatencyMs: 120,
      peerLatencyMs: 120,
      arrivedAt: NOW,
    });
  });

  it('accepts with the answer libsrt gives: HSRSP with both latencies, the caller ISN, a new socket id', () => {
    const l = listener();
    const r = l.handle(withCookie(libsrtConclusion!, ourCookie()), PEER, NOW);
    if (r.kind !== 'request') throw new Error(r.kind);
    const { connection, bytes } = l.accept(r.request, NOW, 0x1234);
    const ours = hs(bytes);
    const theirs = hs(libsrtConclusionAnswer!);
    expect(ours).toMatchObject({
      version: theirs.version,
      extensionField: theirs.extensionField,
      initialSeq: theirs.initialSeq,
      mss: theirs.mss,
      flowWindow: theirs.flowWindow,
      type: HS_TYPE.conclusion,
      socketId: 0x1234,
      destSocketId: theirs.destSocketId,
    });
    const hsrsp = ours.extensions.find((e) => e.type === 'hsrsp');
    const libsrtHsrsp = theirs.extensions.find((e) => e.type === 'hsrsp');
    if (hsrsp?.type !== 'hsrsp' || libsrtHsrsp?.type !== 'hsrsp') throw new Error('no HSRSP');
    expect(hsrsp.options).toMatchObject({ recvLatencyMs: libsrtHsrsp.options.recvLatencyMs, sendLatencyMs: libsrtHsrsp.options.sendLatencyMs });
    // The features we implement, the way libsrt answers them (it also claims crypto and filter capabilities).
    const implemented = SRT_FLAG.tsbpdSnd | SRT_FLAG.tsbpdRcv | SRT_FLAG.tlpktDrop | SRT_FLAG.periodicNak | SRT_FLAG.rexmitFlag;
    expect(hsrsp.options.flags).toBe(libsrtHsrsp.options.flags & implemented);
    expect(connection).toMatchObject({ localSocketId: 0x1234, peerSocketId: theirs.destSocketId });
  });

  it('takes the larger latency of both sides', () => {
    const l = listener({ latencyMs: 300, peerLatencyMs: 50 });
    const r = l.handle(withCookie(libsrtConclusion!, ourCookie()), PEER, NOW);
    expect(r).toMatchObject({ kind: 'request', request: { recvLatencyMs: 300, peerLatencyMs: 120 } });
  });

  it('accepts the previous bucket cookie, ignores older and forged ones', () => {
    const l = listener();
    const previous = synCookie(SECRET, PEER.address, PEER.port, NOW - COOKIE_BUCKET_MS);
    expect(l.handle(withCookie(libsrtConclusion!, previous), PEER, NOW).kind).toBe('request');
    const older = synCookie(SECRET, PEER.address, PEER.port, NOW - 2 * COOKIE_BUCKET_MS);
    expect(l.handle(withCookie(libsrtConclusion!, older), PEER, NOW)).toEqual({ kind: 'ignore', reason: 'bad_cookie' });
    const otherPeer = synCookie(SECRET, PEER.address, PEER.port + 1, NOW);
    expect(l.handle(withCookie(libsrtConclusion!, otherPeer), PEER, NOW)).toEqual({ kind: 'ignore', reason: 'bad_cookie' });
    const otherSecret = synCookie(new Uint8Array(32).fill(4), PEER.address, PEER.port, NOW);
    expect(l.handle(withCookie(libsrtConclusion!, otherSecret), PEER, NOW)).toEqual({ kind: 'ignore', reason: 'bad_cookie' });
  });

  fcTest.prop([fc.nat({ max: 0xffffffff })])('a guessed cookie is ignored (no reply, no request)', (cookie) => {
    fc.pre(cookie !== ourCookie() && cookie !== synCookie(SECRET, PEER.address, PEER.port, NOW, 1));
    expect(listener().handle(withCookie(libsrtConclusion!, cookie), PEER, NOW)).toEqual({ kind: 'ignore', reason: 'bad_cookie' });
  });

  it('ignores what is not for a listener: data, other control packets, handshakes to a socket, rendezvous', () => {
    const l = listener();
    const data = capture.find((d) => (d.bytes[0]! & 0x80) === 0)!.bytes;
    expect(l.handle(data, PEER, NOW)).toEqual({ kind: 'ignore', reason: 'not_handshake' });
    const toSocket = hex('80000000 00000000 00000000 00000007' + '00'.repeat(48));
    expect(l.handle(toSocket, PEER, NOW)).toEqual({ kind: 'ignore', reason: 'not_for_listener' });
    const wave = encodeHandshake({ ...hs(libsrtInduction!), type: HS_TYPE.waveahand });
    expect(l.handle(wave, PEER, NOW)).toEqual({ kind: 'ignore', reason: 'rendezvous_unsupported' });
    expect(l.handle(new Uint8Array(7), PEER, NOW)).toEqual({ kind: 'ignore', reason: 'srt_truncated' });
  });
});

describe('SrtListener: refusals (reject codes libsrt reports)', () => {
  const base = hs(libsrtConclusion!);
  const conclusion = (over: Partial<Handshake>) => encodeHandshake({ ...base, synCookie: ourCookie(), ...over });
  const hsreq = base.extensions.find((e) => e.type === 'hsreq')!;
  const handle = (b: Uint8Array) => listener().handle(b, PEER, NOW);

  it('a KMREQ (libsrt with a passphrase) where we have none -> SRT_REJ_UNSECURE, as libsrt with enforced encryption', () => {
    expectReject(handle(withCookie(loadCapture('encrypted')[2]!.bytes, ourCookie())), SRT_REJ.unsecure, 'passphrase_unexpected');
  });

  it('keysAfterAdmission: the request comes without keys; withKeys checks them against the passphrase admission chose', () => {
    const l = listener({ keysAfterAdmission: true });
    const r = l.handle(withCookie(loadCapture('encrypted')[2]!.bytes, ourCookie()), PEER, NOW);
    expect(r.kind).toBe('request');
    if (r.kind !== 'request') return;
    expect(r.request.crypto).toBeNull();
    const good = l.withKeys(r.request, CAPTURE_PASSPHRASE);
    expect(good.ok && good.request.crypto !== null).toBe(true);
    expect(l.withKeys(r.request, 'another-passphrase')).toEqual({ ok: false, code: SRT_REJ.badSecret, reason: 'bad_passphrase' });
    expect(l.withKeys(r.request, undefined)).toEqual({ ok: false, code: SRT_REJ.unsecure, reason: 'passphrase_unexpected' });
    // The listener's own passphrase is the default.
    const withOwn = listener({ keysAfterAdmission: true, passphrase: CAPTURE_PASSPHRASE });
    const r2 = withOwn.handle(withCookie(loadCapture('encrypted')[2]!.bytes, ourCookie()), PEER, NOW);
    expect(r2.kind === 'request' && withOwn.withKeys(r2.request, undefined).ok).toBe(true);
  });

  it('bad stream ids -> SRT_REJX codes', () => {
    expectReject(handle(conclusion({ extensions: [hsreq, { type: 'sid', streamId: '#!::r=live/x,m=bidirectional' }] })), SRT_REJX.badMode, 'stream_id_bad_mode');
    expectReject(handle(conclusion({ extensions: [hsreq, { type: 'sid', streamId: '#!::r=live/../../x,m=publish' }] })), SRT_REJX.badRequest, 'stream_id_bad_stream');
    expectReject(handle(conclusion({ extensions: [hsreq, { type: 'sid', streamId: '#!::m=publish' }] })), SRT_REJX.badRequest, 'stream_id_no_resource');
  });

  it('an oversized stream id (libsrt allows 512 bytes) -> SRT_REJ_ROGUE', () => {
    const cif = encodeHandshake({ ...base, synCookie: ourCookie(), extensions: [hsreq] });
    const sid = new Uint8Array(4 + 516).fill(0x41);
    new DataView(sid.buffer).setUint32(0, (5 << 16) | 129);
    expectReject(handle(new Uint8Array([...cif, ...sid])), SRT_REJ.rogue, 'srt_hs_string_length');
  });

  it('key material whose lengths lie -> SRT_REJ_ROGUE', () => {
    const cif = encodeHandshake({ ...base, synCookie: ourCookie(), extensions: [hsreq] });
    const km = hex(`0003000e 12202901 00000000 02000200 00000408 ${'00'.repeat(40)}`);
    expectReject(handle(new Uint8Array([...cif, ...km])), SRT_REJ.rogue, 'srt_km_length');
  });

  it('an extension length running past the datagram -> SRT_REJ_ROGUE (and ignored without a valid cookie)', () => {
    const cif = encodeHandshake({ ...base, synCookie: ourCookie(), extensions: [hsreq] });
    const lying = new Uint8Array([...cif, ...hex('00050040 41414141')]);
    expectReject(handle(lying), SRT_REJ.rogue, 'srt_hs_extension_length');
    expect(handle(withCookie(lying, 1))).toEqual({ kind: 'ignore', reason: 'bad_cookie' });
  });

  it('version 4 conclusion -> SRT_REJ_VERSION; no HSREQ -> SRT_REJ_ROGUE', () => {
    expectReject(handle(conclusion({ version: 4, extensionField: 2, extensions: [] })), SRT_REJ.version, 'hsv4_unsupported');
    expectReject(handle(conclusion({ version: 6 })), SRT_REJ.version, 'hs_version');
    expectReject(handle(conclusion({ extensions: [{ type: 'sid', streamId: 'live/x' }] })), SRT_REJ.rogue, 'no_hsreq');
    expectReject(handle(conclusion({ extensionField: HS_EXT_FLAG.config })), SRT_REJ.rogue, 'no_hsreq');
  });

  it('HSREQ of an SRT version before 1.3.0 -> ROGUE; stream API -> MESSAGEAPI', () => {
    const old = { type: 'hsreq' as const, options: { srtVersion: 0x010200, flags: 0xbf, recvLatencyMs: 120, sendLatencyMs: 0 } };
    expectReject(handle(conclusion({ extensions: [old] })), SRT_REJ.rogue, 'srt_version');
    const fileMode = { type: 'hsreq' as const, options: { srtVersion: 0x010501, flags: 0xbf | SRT_FLAG.stream, recvLatencyMs: 120, sendLatencyMs: 0 } };
    expectReject(handle(conclusion({ extensions: [fileMode] })), SRT_REJ.messageApi, 'stream_api');
  });

  it('congestion control other than live, packet filters, groups -> their SRT_REJ codes', () => {
    expectReject(handle(conclusion({ extensions: [hsreq, { type: 'congestion', name: 'file' }] })), SRT_REJ.congestion, 'congestion_not_live');
    expect(handle(conclusion({ extensions: [hsreq, { type: 'congestion', name: 'live' }] })).kind).toBe('request');
    expectReject(handle(conclusion({ extensions: [hsreq, { type: 'filter', config: 'fec,cols:10' }] })), SRT_REJ.filter, 'packet_filter_unsupported');
    expectReject(handle(conclusion({ extensions: [hsreq, { type: 'other', code: 8, content: new Uint8Array(8) }] })), SRT_REJ.group, 'groups_unsupported');
  });

  it('MSS below 32 or a flow window below 2 -> ROGUE (libsrt CHandShake::valid)', () => {
    expectReject(handle(conclusion({ mss: 16 })), SRT_REJ.rogue, 'hs_fields');
    expectReject(handle(conclusion({ flowWindow: 1 })), SRT_REJ.rogue, 'hs_fields');
  });

  it('reject() answers a request with the server decision (e.g. the hook said no)', () => {
    const l = listener();
    const r = l.handle(withCookie(libsrtConclusion!, ourCookie()), PEER, NOW);
    if (r.kind !== 'request') throw new Error(r.kind);
    expect(hs(l.reject(r.request, SRT_REJX.forbidden, NOW))).toMatchObject({ type: 1000 + 1403, destSocketId: r.request.peerSocketId });
  });

  fcTest.prop([fc.uint8Array({ maxLength: 400 })])('garbage after a valid conclusion CIF is rejected or accepted, never thrown', (tail) => {
    const cif = encodeHandshake({ ...base, synCookie: ourCookie(), extensions: [] });
    const r = handle(new Uint8Array([...cif, ...tail]));
    expect(['reject', 'request']).toContain(r.kind);
  });
});

describe('SrtCaller', () => {
  const run = (c: SrtCaller, b: Uint8Array, now: number) => c.receive(b, now);

  it('sends a v4 induction like libsrt, then a v5 conclusion with the listener cookie and HSREQ + SID', () => {
    const c = new SrtCaller({ now: 0, streamId: '#!::r=live/x,m=publish', random: seededRandom(3) });
    const induction = c.start(0)[0]!;
    if (induction.kind !== 'send') throw new Error('no induction');
    const ours = hs(induction.bytes);
    const libsrt = hs(libsrtInduction!);
    expect({ ...ours, socketId: 0, initialSeq: 0, timestamp: 0, peerIp: null }).toEqual({ ...libsrt, socketId: 0, initialSeq: 0, timestamp: 0, peerIp: null });

    const answer = encodeHandshake({ ...libsrt, destSocketId: c.socketId, socketId: c.socketId, version: 5, extensionField: HS_MAGIC, synCookie: 0xabcd });
    const out = run(c, answer, 10);
    if (out[0]?.kind !== 'send') throw new Error('no conclusion');
    const conclusion = hs(out[0].bytes);
    expect(conclusion).toMatchObject({ version: 5, type: HS_TYPE.conclusion, synCookie: 0xabcd, extensionField: HS_EXT_FLAG.hsreq | HS_EXT_FLAG.config });
    expect(conclusion.extensions).toEqual([
      { type: 'hsreq', options: { srtVersion: 0x010501, flags: 0x3b, recvLatencyMs: 120, sendLatencyMs: 0 } },
      { type: 'sid', streamId: '#!::r=live/x,m=publish' },
    ]);
  });

  it('is accepted by our listener and by the libsrt answer shape: connected with the negotiated latency', () => {
    const c = new SrtCaller({ now: 0, streamId: 'live/x', random: seededRandom(3) });
    const l = listener({ latencyMs: 200 });
    const peer = { address: '203.0.113.5', port: 9999 };
    const send = (o: ReturnType<SrtCaller['start']>[number]) => (o.kind === 'send' ? o.bytes : null);
    const reply = l.handle(send(c.start(0)[0]!)!, peer, NOW);
    if (reply.kind !== 'reply') throw new Error(reply.kind);
    const req = l.handle(send(run(c, reply.bytes, NOW)[0]!)!, peer, NOW);
    if (req.kind !== 'request') throw new Error(req.kind);
    expect(req.request).toMatchObject({ mode: 'request', app: 'live', stream: 'x', recvLatencyMs: 200, peerLatencyMs: 120 });
    const { bytes } = l.accept(req.request, NOW);
    const done = run(c, bytes, NOW + 1);
    expect(done[0]?.kind).toBe('connected');
  });

  it('resends every 250 ms and gives up after 3 s', () => {
    const c = new SrtCaller({ now: 0, random: seededRandom(3) });
    c.start(0);
    expect(c.tick(200)).toEqual([]);
    expect(c.tick(250)[0]?.kind).toBe('send');
    expect(c.tick(2999).length).toBeLessThanOrEqual(1);
    expect(c.tick(3000)).toEqual([{ kind: 'failed', reason: 'timeout' }]);
    expect(c.tick(3500)).toEqual([]);
  });

  it('reports the reject code of a refusal (libsrt BADSECRET capture)', () => {
    const c = new SrtCaller({ now: 0, random: seededRandom(3) });
    c.start(0);
    const refusal = decodePacket(loadCapture('reject-badsecret')[3]!.bytes);
    if (refusal.kind !== 'handshake') throw new Error('not a handshake');
    const out = run(c, encodeHandshake({ ...refusal, destSocketId: c.socketId }), 1);
    expect(out).toEqual([{ kind: 'failed', reason: 'rejected', rejectCode: SRT_REJ.badSecret }]);
  });

  it('refuses a listener that does not speak v5', () => {
    const c = new SrtCaller({ now: 0, random: seededRandom(3) });
    c.start(0);
    const v4 = encodeHandshake({ ...hs(libsrtInduction!), destSocketId: c.socketId, socketId: c.socketId, synCookie: 1 });
    expect(run(c, v4, 1)).toEqual([{ kind: 'failed', reason: 'unsupported_listener' }]);
  });
});
