/**
 * Real-peer tests: libsrt 1.5 (srt-live-transmit from Debian's srt-tools)
 * against our sans-IO listener, connection and caller on real UDP sockets
 * (testdata/dgram-harness.ts). Payload bytes must arrive intact and in order,
 * also through a lossy relay (retransmission), and refusals must reach
 * libsrt as SRT reject codes.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { createSocket } from 'node:dgram';
import { afterEach, describe, expect, it } from 'vitest';
import { SRT_REJ, SRT_REJX } from './reject.ts';
import { startCallerHarness, startListenerHarness, type ListenerHarness } from './testdata/dgram-harness.ts';
import { startUdpRelay, type UdpRelay } from './testdata/udp-relay.ts';

const CHUNK = 1316;
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** `count` chunks of 1316 bytes, each starting with its index, the rest pseudo-random. */
function chunks(count: number): Uint8Array[] {
  let x = 0x12345678;
  return Array.from({ length: count }, (_, i) => {
    const c = new Uint8Array(CHUNK);
    new DataView(c.buffer).setUint32(0, i);
    for (let j = 4; j < CHUNK; j++) {
      x = (x * 1103515245 + 12345) >>> 0;
      c[j] = x >>> 24;
    }
    return c;
  });
}

const concat = (parts: readonly Uint8Array[]) => new Uint8Array(Buffer.concat(parts));

interface Slt {
  readonly child: ChildProcess;
  readonly stdout: Buffer[];
  stderr(): string;
  readonly exited: Promise<number | null>;
}

const running: Slt[] = [];
const cleanups: (() => Promise<void>)[] = [];

function srtLiveTransmit(input: string, output: string): Slt {
  const child = spawn('srt-live-transmit', ['-a:no', `-c:${CHUNK}`, input, output], { stdio: ['pipe', 'pipe', 'pipe'] });
  const stdout: Buffer[] = [];
  let err = '';
  child.stdout!.on('data', (d: Buffer) => stdout.push(d));
  child.stderr!.on('data', (d: Buffer) => (err += d.toString()));
  child.stdin!.on('error', () => {});
  const exited = new Promise<number | null>((resolve) => child.on('close', (code) => resolve(code)));
  const s = { child, stdout, stderr: () => err, exited };
  running.push(s);
  return s;
}

afterEach(async () => {
  for (const s of running.splice(0)) {
    if (s.child.exitCode === null && s.child.signalCode === null) s.child.kill('SIGKILL');
    await s.exited;
  }
  for (const c of cleanups.splice(0)) await c();
});

async function listen(opts: Parameters<typeof startListenerHarness>[0] = {}): Promise<ListenerHarness> {
  const h = await startListenerHarness(opts);
  cleanups.push(() => h.close());
  return h;
}

/**
 * A relay that drops every `dropEvery`-th original data packet (not
 * retransmissions, so every loss is recoverable within the latency: libsrt
 * repeats a NAK only every 300 ms) among the first `upTo` (a lost last packet
 * is only noticed when a later one arrives).
 */
async function relay(targetPort: number, dropEvery: number, upTo: number): Promise<UdpRelay> {
  let n = 0;
  const r = await startUdpRelay({
    targetPort,
    log: false,
    filter: (d) => {
      const original = (d.bytes[0]! & 0x80) === 0 && (d.bytes[4]! & 0x04) === 0;
      return original && ++n % dropEvery === 0 && n < upTo ? 'drop' : 'pass';
    },
  });
  cleanups.push(() => r.close());
  return r;
}

async function freeUdpPort(): Promise<number> {
  const s = createSocket('udp4');
  await new Promise<void>((resolve) => s.bind(0, '127.0.0.1', resolve));
  const port = s.address().port;
  await new Promise<void>((resolve) => s.close(() => resolve()));
  return port;
}

/** Writes chunks to a child's stdin, `perTick` every 5 ms. */
async function feed(s: Slt, data: readonly Uint8Array[], perTick = 4): Promise<void> {
  for (let i = 0; i < data.length; i += perTick) {
    for (const c of data.slice(i, i + perTick)) s.child.stdin!.write(c);
    await sleep(5);
  }
}

async function until(cond: () => boolean, ms: number): Promise<void> {
  const end = Date.now() + ms;
  while (!cond() && Date.now() < end) await sleep(20);
}

/**
 * srt-live-transmit writes stdout in blocks, so the last bytes of a test stay
 * in its buffer: keep sending filler until `want` is out, then compare that much.
 */
async function expectStdout(slt: Slt, want: Uint8Array, sendFiller: () => void): Promise<void> {
  const end = Date.now() + 5000;
  while (Buffer.concat(slt.stdout).length < want.length && Date.now() < end) {
    sendFiller();
    await sleep(5);
  }
  const got = Buffer.concat(slt.stdout);
  expect(got.length).toBeGreaterThanOrEqual(want.length);
  expect(Buffer.compare(got.subarray(0, want.length), want)).toBe(0);
}

const FILLER = new Uint8Array(CHUNK);

const received = (h: ListenerHarness) => concat(h.connections[0]?.received ?? []);

describe('libsrt caller -> our listener (publish)', () => {
  it('handshake completes with the SRS stream id and every byte arrives in order', async () => {
    const h = await listen();
    const data = chunks(300);
    const slt = srtLiveTransmit('file://con', `srt://127.0.0.1:${h.port}?streamid=#!::r=live/cam1,m=publish,token=abc`);
    await until(() => h.connections.length > 0, 3000);
    expect(h.connections[0]?.request).toMatchObject({ app: 'live', stream: 'cam1', mode: 'publish', param: 'token=abc', vhost: null });
    await feed(slt, data);
    const want = concat(data);
    await until(() => received(h).length >= want.length, 3000);
    expect(Buffer.compare(received(h), want)).toBe(0);
    // srt-live-transmit keeps its connection open at end of input; SIGTERM makes it close (shutdown packet).
    slt.child.kill('SIGTERM');
    await until(() => h.connections[0]!.closed !== null, 3000);
    expect(h.connections[0]!.closed).toBe('peer_shutdown');
    const stats = h.connections[0]!.connection.stats;
    expect(stats.receiver.packets).toBe(300);
    expect(stats.rttUs).toBeLessThan(50_000);
  });

  it('through a relay that drops every 20th data packet, retransmissions fill every gap', async () => {
    const h = await listen();
    const r = await relay(h.port, 20, 380);
    const data = chunks(400);
    const slt = srtLiveTransmit('file://con', `srt://127.0.0.1:${r.port}?streamid=#!::r=live/lossy,m=publish`);
    await until(() => h.connections.length > 0, 3000);
    await feed(slt, data);
    const want = concat(data);
    await until(() => received(h).length >= want.length, 4000);
    expect(Buffer.compare(received(h), want)).toBe(0);
    const stats = h.connections[0]!.connection.stats.receiver;
    expect(stats.lost).toBeGreaterThan(10);
    expect(stats.retransmitted).toBeGreaterThanOrEqual(stats.lost);
    expect(stats.dropped).toBe(0);
  });
});

describe('our listener -> libsrt caller (play, m=request)', () => {
  it('sends to a libsrt player; every byte arrives in order, also through a lossy relay', async () => {
    const h = await listen();
    const r = await relay(h.port, 25, 280);
    const slt = srtLiveTransmit(`srt://127.0.0.1:${r.port}?streamid=#!::r=live/cam1,m=request`, 'file://con');
    await until(() => h.connections.length > 0, 3000);
    expect(h.connections[0]?.request.mode).toBe('request');
    const data = chunks(300);
    for (let i = 0; i < data.length; i += 4) {
      for (const c of data.slice(i, i + 4)) h.broadcast(c);
      await sleep(5);
    }
    await expectStdout(slt, concat(data), () => h.broadcast(FILLER));
    expect(h.connections[0]!.connection.stats.sender.retransmitted).toBeGreaterThan(5);
  });
});

describe('our caller -> libsrt listener', () => {
  it('connects, publishes, and libsrt writes out every byte in order', async () => {
    const port = await freeUdpPort();
    const slt = srtLiveTransmit(`srt://:${port}?mode=listener`, 'file://con');
    await sleep(300);
    const c = await startCallerHarness(port, { streamId: '#!::r=live/x,m=publish' });
    cleanups.push(() => c.close());
    await c.connected;
    const data = chunks(300);
    for (let i = 0; i < data.length; i += 4) {
      for (const d of data.slice(i, i + 4)) c.send(d);
      await sleep(5);
    }
    await expectStdout(slt, concat(data), () => c.send(FILLER));
  });

  it('receives from a libsrt listener that sends (the listener reads stdin)', async () => {
    const port = await freeUdpPort();
    const slt = srtLiveTransmit('file://con', `srt://:${port}?mode=listener`);
    await sleep(300);
    const c = await startCallerHarness(port);
    cleanups.push(() => c.close());
    await c.connected;
    const data = chunks(200);
    await feed(slt, data);
    const want = concat(data);
    await until(() => concat(c.received).length >= want.length, 4000);
    expect(Buffer.compare(concat(c.received), want)).toBe(0);
  });
});

describe('refusals reach libsrt as reject codes', () => {
  const cases = [
    { name: 'unknown mode', query: 'streamid=#!::r=live/x,m=bidirectional', code: SRT_REJX.badMode, reason: 'stream_id_bad_mode' },
    { name: 'path traversal in the stream id', query: 'streamid=#!::r=live/../../etc,m=publish', code: SRT_REJX.badRequest, reason: 'stream_id_bad_stream' },
    { name: 'a passphrase where the listener has none', query: 'passphrase=0123456789abcdef&streamid=#!::r=live/x,m=publish', code: SRT_REJ.unsecure, reason: 'passphrase_unexpected' },
  ];
  it.each(cases)('$name -> $code', async ({ query, code, reason }) => {
    const h = await listen();
    const slt = srtLiveTransmit('file://con', `srt://127.0.0.1:${h.port}?${query}`);
    await until(() => h.refusals.some((r) => r.kind === 'reject'), 3000);
    expect(h.refusals.find((r) => r.kind === 'reject')).toEqual({ kind: 'reject', reason, code });
    await until(() => /reject/i.test(slt.stderr()), 3000);
    expect(slt.stderr()).toMatch(/reject/i);
    expect(h.connections).toHaveLength(0);
  });

  it('a hook refusal (forbidden) is seen by libsrt', async () => {
    const h = await listen({ decide: () => SRT_REJX.forbidden });
    const slt = srtLiveTransmit('file://con', `srt://127.0.0.1:${h.port}?streamid=#!::r=live/x,m=publish`);
    await until(() => /reject/i.test(slt.stderr()), 3000);
    expect(slt.stderr()).toMatch(/reject/i);
    expect(h.connections).toHaveLength(0);
  });
});

describe('encryption with libsrt (AES-CTR, passphrase-derived keys)', () => {
  const PASS = 'runnel-interop-passphrase';

  it.each([16, 32])('libsrt publishes with pbkeylen=%i to our listener: we decrypt every byte', async (keyLength) => {
    const h = await listen({ passphrase: PASS });
    const data = chunks(200);
    const slt = srtLiveTransmit('file://con', `srt://127.0.0.1:${h.port}?passphrase=${PASS}&pbkeylen=${keyLength}&streamid=#!::r=live/enc,m=publish`);
    await until(() => h.connections.length > 0, 3000);
    expect(h.connections[0]!.connection.encrypted).toBe(true);
    await feed(slt, data);
    const want = concat(data);
    await until(() => received(h).length >= want.length, 3000);
    expect(Buffer.compare(received(h), want)).toBe(0);
    expect(h.connections[0]!.connection.stats.receiver.undecryptable).toBe(0);
  });

  it('a libsrt player decrypts what we encrypt, through a lossy relay (retransmissions reuse the ciphertext)', async () => {
    const h = await listen({ passphrase: PASS });
    const r = await relay(h.port, 25, 180);
    const slt = srtLiveTransmit(`srt://127.0.0.1:${r.port}?passphrase=${PASS}&streamid=#!::r=live/enc,m=request`, 'file://con');
    await until(() => h.connections.length > 0, 3000);
    const data = chunks(200);
    for (let i = 0; i < data.length; i += 4) {
      for (const c of data.slice(i, i + 4)) h.broadcast(c);
      await sleep(5);
    }
    await expectStdout(slt, concat(data), () => h.broadcast(FILLER));
    expect(h.connections[0]!.connection.stats.sender.retransmitted).toBeGreaterThan(3);
  });

  it('a wrong passphrase is refused with SRT_REJ_BADSECRET, which libsrt reports', async () => {
    const h = await listen({ passphrase: PASS });
    const slt = srtLiveTransmit('file://con', `srt://127.0.0.1:${h.port}?passphrase=not-${PASS}&streamid=#!::r=live/enc,m=publish`);
    await until(() => h.refusals.length > 0, 3000);
    expect(h.refusals[0]).toEqual({ kind: 'reject', reason: 'bad_passphrase', code: SRT_REJ.badSecret });
    await until(() => /reject/i.test(slt.stderr()), 3000);
    expect(slt.stderr()).toMatch(/reject/i);
    expect(h.connections).toHaveLength(0);
  });

  it('our caller encrypts to a libsrt listener with AES-256; libsrt writes the clear bytes', async () => {
    const port = await freeUdpPort();
    const slt = srtLiveTransmit(`srt://:${port}?mode=listener&passphrase=${PASS}`, 'file://con');
    await sleep(300);
    const c = await startCallerHarness(port, { passphrase: PASS, keyLength: 32 });
    cleanups.push(() => c.close());
    const conn = await c.connected;
    expect(conn.encrypted).toBe(true);
    const data = chunks(200);
    for (let i = 0; i < data.length; i += 4) {
      for (const d of data.slice(i, i + 4)) c.send(d);
      await sleep(5);
    }
    await expectStdout(slt, concat(data), () => c.send(FILLER));
  });

  it('libsrt switches keys every 100 packets (kmrefreshrate); we follow its KMREQs and decrypt every byte', async () => {
    const h = await listen({ passphrase: PASS });
    const data = chunks(400);
    // A 1 s latency: the point is key switching, and a loaded CI machine must not turn scheduling delays into too-late drops.
    const slt = srtLiveTransmit('file://con', `srt://127.0.0.1:${h.port}?passphrase=${PASS}&kmrefreshrate=100&kmpreannounce=20&latency=1000&streamid=#!::r=live/enc,m=publish`);
    await until(() => h.connections.length > 0, 3000);
    await feed(slt, data);
    const want = concat(data);
    await until(() => received(h).length >= want.length, 8000);
    expect(Buffer.compare(received(h), want)).toBe(0);
    expect(h.connections[0]!.connection.stats.receiver.undecryptable).toBe(0);
  });

  it('we switch keys every 100 packets; libsrt follows our KMREQs and writes every byte', async () => {
    const port = await freeUdpPort();
    const slt = srtLiveTransmit(`srt://:${port}?mode=listener&passphrase=${PASS}`, 'file://con');
    await sleep(300);
    const c = await startCallerHarness(port, { passphrase: PASS, keyRefresh: { rate: 100, preAnnounce: 20 } });
    cleanups.push(() => c.close());
    const conn = await c.connected;
    const data = chunks(400);
    for (let i = 0; i < data.length; i += 4) {
      for (const d of data.slice(i, i + 4)) c.send(d);
      await sleep(5);
    }
    await expectStdout(slt, concat(data), () => c.send(FILLER));
    expect(conn.stats.keyAnnouncementsRefused).toBe(0);
  });

  it('our caller with the wrong passphrase learns SRT_REJ_BADSECRET from libsrt', async () => {
    const port = await freeUdpPort();
    srtLiveTransmit(`srt://:${port}?mode=listener&passphrase=${PASS}`, 'file://con');
    await sleep(300);
    const c = await startCallerHarness(port, { passphrase: `not-${PASS}` });
    cleanups.push(() => c.close());
    await expect(c.connected).rejects.toThrow(`rejected ${SRT_REJ.badSecret}`);
  });
});
