/**
 * The SRT endpoint on a real UDP socket against srt-live-transmit (libsrt):
 * admission, routing, limits, and the SRT rows of the bad-inputs contract
 * (handshake floods, forged cookies, oversized stream ids, lying key
 * material, spoofed and garbage datagrams): each is ignored or refused, and
 * a libsrt publisher streaming at the same time loses nothing.
 */
import { readFileSync } from 'node:fs';
import { spawn, type ChildProcess } from 'node:child_process';
import { createSocket, type Socket } from 'node:dgram';
import { afterEach, describe, expect, it } from 'vitest';
import { hex } from '@runnel/shared';
import { decodeHandshake, encodeHandshake, HS_TYPE, SRT_REJ, SRT_REJX, type SrtConnectRequest } from '../../protocol/srt/index.ts';
import { createMemoryLogger } from '../log/memory-logger.ts';
import { ADMIT, SOCKET_BUFFER_BYTES, startSrtEndpoint, type SrtEndpoint, type SrtEndpointOptions } from './srt-endpoint.ts';

const CHUNK = 1316;
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const cleanups: (() => Promise<void> | void)[] = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});

function chunks(count: number, tag: number): Uint8Array[] {
  return Array.from({ length: count }, (_, i) => {
    const c = new Uint8Array(CHUNK).fill((i * 7 + tag) & 0xff);
    new DataView(c.buffer).setUint32(0, i);
    return c;
  });
}
const concat = (parts: readonly Uint8Array[]) => new Uint8Array(Buffer.concat(parts));

interface Received {
  readonly requests: SrtConnectRequest[];
  readonly data: Map<number, Uint8Array[]>;
  readonly closed: Map<number, string>;
}

async function endpoint(over: Partial<SrtEndpointOptions> = {}): Promise<{ ep: SrtEndpoint; got: Received }> {
  const got: Received = { requests: [], data: new Map(), closed: new Map() };
  const ep = await startSrtEndpoint({
    host: '127.0.0.1',
    port: 0,
    now: () => performance.now(),
    log: createMemoryLogger('warn'),
    admit: (r) => {
      got.requests.push(r);
      return Promise.resolve(ADMIT);
    },
    onSession: (s) => {
      got.data.set(s.id, []);
      return { onData: (p) => got.data.get(s.id)!.push(p), onClosed: (reason) => got.closed.set(s.id, reason) };
    },
    ...over,
  });
  cleanups.push(() => ep.close());
  return { ep, got };
}

function publisher(port: number, query: string): ChildProcess {
  const child = spawn('srt-live-transmit', ['-a:no', `-c:${CHUNK}`, 'file://con', `srt://127.0.0.1:${port}?${query}`], { stdio: ['pipe', 'ignore', 'pipe'] });
  child.stdin!.on('error', () => {});
  let err = '';
  child.stderr!.on('data', (d: Buffer) => (err += d.toString()));
  Object.defineProperty(child, 'err', { get: () => err });
  cleanups.push(async () => {
    if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
    await new Promise((r) => (child.exitCode !== null || child.signalCode !== null ? r(null) : child.on('close', r)));
  });
  return child;
}
const stderrOf = (c: ChildProcess) => (c as ChildProcess & { err: string }).err;

async function feed(child: ChildProcess, data: readonly Uint8Array[]): Promise<void> {
  for (let i = 0; i < data.length; i += 4) {
    for (const c of data.slice(i, i + 4)) child.stdin!.write(c);
    await sleep(5);
  }
}

async function until(cond: () => boolean, ms: number): Promise<void> {
  const end = Date.now() + ms;
  while (!cond() && Date.now() < end) await sleep(20);
}

async function rawSocket(): Promise<Socket> {
  const s = createSocket('udp4');
  await new Promise<void>((r) => s.bind(0, '127.0.0.1', r));
  cleanups.push(() => new Promise<void>((r) => s.close(() => r())));
  return s;
}

/** A caller's induction (libsrt layout) from `socketId`. */
function induction(socketId: number): Uint8Array {
  return encodeHandshake({
    timestamp: 0,
    destSocketId: 0,
    version: 4,
    encryptionField: 0,
    extensionField: 2,
    initialSeq: 1,
    mss: 1500,
    flowWindow: 8192,
    type: HS_TYPE.induction,
    socketId,
    synCookie: 0,
    peerIp: new Uint8Array(16),
    extensions: [],
  });
}

describe('SRT endpoint with libsrt', () => {
  it('asks the kernel for large socket buffers (libsrt-sized), capped by net.core.rmem_max, and logs what it got', async () => {
    const log = createMemoryLogger('debug');
    const { ep } = await endpoint({ log });
    expect(ep.port).toBeGreaterThan(0);
    const got = log.events('srt_socket_buffers')[0]?.fields;
    // Linux grants min(ask, rmem_max) and reports it doubled; the default (no ask) is rmem_default, not doubled.
    const rmemMax = Number(readFileSync('/proc/sys/net/core/rmem_max', 'utf8'));
    expect(got?.recv_buffer_bytes).toBe(2 * Math.min(SOCKET_BUFFER_BYTES, rmemMax));
  });

  it('admits a publisher, routes its data to the session handler, ends on its shutdown', async () => {
    const { ep, got } = await endpoint();
    const slt = publisher(ep.port, 'streamid=#!::r=live/cam,m=publish');
    await until(() => ep.sessions === 1, 3000);
    expect(got.requests[0]).toMatchObject({ app: 'live', stream: 'cam', mode: 'publish' });
    const data = chunks(200, 1);
    await feed(slt, data);
    const [id] = [...got.data.keys()];
    await until(() => concat(got.data.get(id!)!).length >= data.length * CHUNK, 3000);
    expect(Buffer.compare(concat(got.data.get(id!)!), concat(data))).toBe(0);
    slt.kill('SIGTERM');
    await until(() => got.closed.size === 1, 3000);
    expect(got.closed.get(id!)).toBe('peer_shutdown');
    expect(ep.sessions).toBe(0);
  });

  it('asks admission once however often the caller repeats its conclusion, and refuses with its code', async () => {
    let calls = 0;
    const { ep } = await endpoint({ admit: () => (calls++, sleep(800).then(() => ({ reject: SRT_REJX.forbidden }))) });
    const slt = publisher(ep.port, 'streamid=#!::r=live/cam,m=publish');
    await until(() => /reject/i.test(stderrOf(slt)), 4000);
    expect(stderrOf(slt)).toMatch(/reject/i);
    expect(calls).toBe(1);
    expect(ep.stats.ignored['admission_pending']).toBeGreaterThanOrEqual(2);
    expect(ep.stats.rejected['admission']).toBe(1);
    expect(ep.sessions + ep.pending).toBe(0);
  });

  it('refuses callers beyond max_connections with SRT_REJX_OVERLOAD', async () => {
    const { ep } = await endpoint({ maxConnections: 1 });
    publisher(ep.port, 'streamid=#!::r=live/a,m=publish');
    await until(() => ep.sessions === 1, 3000);
    const second = publisher(ep.port, 'streamid=#!::r=live/b,m=publish');
    await until(() => /reject/i.test(stderrOf(second)), 3000);
    expect(ep.stats.rejected['max_connections']).toBe(1);
    expect(ep.sessions).toBe(1);
  });
});

describe('SRT endpoint: bad inputs while a libsrt publisher streams (bad-inputs "SRT" row)', () => {
  it('floods, forgeries, lies and garbage are ignored or refused; the live session loses nothing', async () => {
    const { ep, got } = await endpoint();
    const slt = publisher(ep.port, 'streamid=#!::r=live/canary,m=publish');
    await until(() => ep.sessions === 1, 3000);
    const [canary] = [...got.data.keys()];
    const attacker = await rawSocket();
    // Each datagram waits for the previous one to leave, so the counts below are not decided by
    // the kernel dropping a burst (the server's own socket is read in this same event loop).
    const shoot = (b: Uint8Array) => new Promise<void>((r) => attacker.send(b, ep.port, '127.0.0.1', () => setImmediate(r)));
    const data = chunks(400, 2);
    const feeding = feed(slt, data);

    // Induction flood: answered (a cookie each), nothing kept.
    for (let i = 1; i <= 2000; i++) await shoot(induction(i));
    // Conclusions with forged cookies, one with a 516-byte stream id, one with lying key material.
    const conclusion = (cookie: number, ext: string) =>
      new Uint8Array([
        ...encodeHandshake({ ...decodeHandshake(induction(77)), version: 5, extensionField: 5, type: HS_TYPE.conclusion, synCookie: cookie }),
        ...hex(ext),
      ]);
    for (let cookie = 0; cookie < 300; cookie++) await shoot(conclusion(cookie * 7919, '00010003 00010501 000000bf 00780000'));
    await shoot(conclusion(12345, `00050081 ${'41414141'.repeat(129)}`));
    await shoot(conclusion(12345, `0003000e 12202901 00000000 02000200 00000408 ${'00'.repeat(40)}`));
    // Garbage, truncated headers, control packets of unknown type, datagrams over the MSS.
    for (let i = 0; i < 300; i++) await shoot(new Uint8Array(i % 40).fill(i));
    await shoot(hex('80090000 00000000 00000000 00000000'));
    await shoot(new Uint8Array(1600));
    // Spoofed: the live session's socket id from another address (a shutdown, a NAK storm, data).
    const spoofTo = (b: string) => shoot(hex(b.replace('SOCKET', canary!.toString(16).padStart(8, '0'))));
    await spoofTo('80050000 00000000 00000000 SOCKET 00000000');
    await spoofTo('80030000 00000000 00000000 SOCKET 80000000 3fffffff');
    await spoofTo('00000001 c0000001 00000000 SOCKET 4747474747');
    await sleep(100);

    await feeding;
    const want = concat(data);
    await until(() => concat(got.data.get(canary!)!).length >= want.length, 4000);
    expect(Buffer.compare(concat(got.data.get(canary!)!), want)).toBe(0);
    expect(got.closed.size).toBe(0);
    expect(ep.sessions).toBe(1);
    expect(got.requests).toHaveLength(1);
    expect(ep.stats.inductions).toBeGreaterThanOrEqual(1900);
    expect(ep.stats.ignored['bad_cookie']).toBeGreaterThanOrEqual(290);
    expect(ep.stats.ignored['wrong_peer']).toBe(3);
    expect(ep.stats.ignored['srt_truncated']).toBeGreaterThan(100);
    expect(ep.stats.ignored['srt_datagram_too_large']).toBe(1);
    expect(ep.stats.ignored['srt_unknown_control_type']).toBe(1);
  });

  it('a proven caller with an oversized stream id or lying key material is refused with SRT_REJ_ROGUE', async () => {
    const { ep } = await endpoint({ listener: { passphrase: 'endpoint-passphrase' } });
    const s = await rawSocket();
    const answers: Uint8Array[] = [];
    s.on('message', (m) => answers.push(new Uint8Array(m)));
    s.send(induction(42), ep.port, '127.0.0.1');
    await until(() => answers.length === 1, 1000);
    const cookie = new DataView(answers[0]!.buffer).getUint32(16 + 28);
    const base = encodeHandshake({ ...decodeHandshake(induction(42)), version: 5, extensionField: 7, type: HS_TYPE.conclusion, synCookie: cookie });
    s.send(new Uint8Array([...base, ...hex('00010003 00010501 000000bf 00780000'), ...hex(`00050081 ${'41414141'.repeat(129)}`)]), ep.port, '127.0.0.1');
    s.send(new Uint8Array([...base, ...hex('00010003 00010501 000000bf 00780000'), ...hex(`0003000e 12202901 00000000 02000200 00000408 ${'00'.repeat(40)}`)]), ep.port, '127.0.0.1');
    await until(() => answers.length === 3, 1000);
    const types = answers.slice(1).map((a) => new DataView(a.buffer).getInt32(16 + 20));
    expect(types).toEqual([1000 + SRT_REJ.rogue, 1000 + SRT_REJ.rogue]);
    expect(ep.stats.rejected).toEqual({ srt_hs_string_length: 1, srt_km_length: 1 });
  });
});
