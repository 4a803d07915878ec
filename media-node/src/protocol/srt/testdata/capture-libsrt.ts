/**
 * Dev tool, not part of the product (nothing imports it): records what libsrt
 * really sends, for the golden tests. Each scenario runs an
 * `srt-live-transmit` caller (stdin -> SRT) against an `srt-live-transmit`
 * listener (SRT -> stdout) through the UDP relay in `udp-relay.ts`, then keeps
 * a small, representative subset of the datagrams in `libsrt-<name>.json`:
 * every handshake, the first few packets of each control type and size, and a
 * few data packets (original and retransmitted).
 *
 *   apt-get install srt-tools
 *   node media-node/src/protocol/srt/testdata/capture-libsrt.ts
 *
 * The captures are committed; rerun only to refresh them.
 */
import { spawn } from 'node:child_process';
import { createSocket } from 'node:dgram';
import { writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { startUdpRelay, type RelayedDatagram, type RelayVerdict } from './udp-relay.ts';

interface Scenario {
  readonly name: string;
  readonly callerQuery: string;
  readonly listenerQuery: string;
  /** Relay decision per datagram (`index` counts the caller's data packets). */
  readonly filter?: (d: RelayedDatagram, index: number) => RelayVerdict;
  readonly bytes: number;
  /** Write everything at once instead of pacing. */
  readonly burst?: boolean;
}

const PASSPHRASE = 'runnel-capture-passphrase';

const scenarios: Scenario[] = [
  {
    // Plain publish with an SRS stream id; two single losses and one loss of
    // two consecutive packets, so the listener NAKs (single and range) and the
    // caller retransmits (R flag).
    name: 'publish',
    callerQuery: 'mode=caller&streamid=#!::r=live/x,m=publish',
    listenerQuery: 'mode=listener',
    filter: (_d, i) => (i === 20 || i === 40 || i === 41 || i === 70 ? 'drop' : 'pass'),
    bytes: 188 * 400,
  },
  {
    // AES-128 with a passphrase: KMREQ/KMRSP in the handshake, encrypted data.
    name: 'encrypted',
    callerQuery: `mode=caller&passphrase=${PASSPHRASE}&pbkeylen=16&streamid=enc`,
    listenerQuery: `mode=listener&passphrase=${PASSPHRASE}`,
    bytes: 188 * 40,
  },
  {
    // Written as fast as stdin allows: more than 64 packets per 10 ms ACK
    // period, so the listener also sends light ACKs.
    name: 'burst',
    callerQuery: 'mode=caller',
    listenerQuery: 'mode=listener',
    bytes: 188 * 3000,
    burst: true,
  },
  {
    // Both sides encrypt, with different passphrases: rejected (bad secret).
    name: 'reject-badsecret',
    callerQuery: `mode=caller&passphrase=not-the-${PASSPHRASE}`,
    listenerQuery: `mode=listener&passphrase=${PASSPHRASE}`,
    bytes: 188 * 4,
  },
  {
    // The listener wants a passphrase the caller does not have: rejected.
    name: 'reject-unsecure',
    callerQuery: 'mode=caller&streamid=nopass',
    listenerQuery: `mode=listener&passphrase=${PASSPHRASE}&enforcedencryption=true`,
    bytes: 188 * 4,
  },
];

async function freeUdpPort(): Promise<number> {
  const s = createSocket('udp4');
  await new Promise<void>((resolve) => s.bind(0, '127.0.0.1', resolve));
  const port = s.address().port;
  await new Promise<void>((resolve) => s.close(() => resolve()));
  return port;
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

interface Kept {
  readonly from: string;
  readonly t: number;
  readonly hex: string;
}

/** Handshakes, up to 3 of each (direction, control type, length), 3 data packets and 2 retransmissions. */
function select(all: readonly RelayedDatagram[]): Kept[] {
  const seen = new Map<string, number>();
  const out: Kept[] = [];
  for (const d of all) {
    const b = d.bytes;
    const control = (b[0]! & 0x80) !== 0;
    const type = control ? ((b[0]! & 0x7f) << 8) | b[1]! : -1;
    const rexmit = !control && (b[4]! & 0x04) !== 0;
    const key = control ? `${d.from}:${type}:${b.length}` : `${d.from}:data:${rexmit}`;
    const limit = type === 0 ? 100 : control ? 3 : rexmit ? 2 : 3;
    const n = seen.get(key) ?? 0;
    if (n >= limit) continue;
    seen.set(key, n + 1);
    out.push({ from: d.from, t: Math.round(d.t), hex: Buffer.from(b).toString('hex') });
  }
  return out;
}

async function run(s: Scenario): Promise<void> {
  const listenPort = await freeUdpPort();
  let dataIndex = 0;
  const relay = await startUdpRelay({
    targetPort: listenPort,
    filter: (d) => {
      if (d.from !== 'caller' || (d.bytes[0]! & 0x80) !== 0 || (d.bytes[4]! & 0x04) !== 0) return 'pass';
      return s.filter ? s.filter(d, dataIndex++) : 'pass';
    },
  });
  const listener = spawn('srt-live-transmit', ['-q', `srt://:${listenPort}?${s.listenerQuery}`, 'file://con'], {
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  let received = 0;
  listener.stdout.on('data', (d: Buffer) => (received += d.length));
  await sleep(300);
  const caller = spawn('srt-live-transmit', ['-q', '-a:no', '-c:188', 'file://con', `srt://127.0.0.1:${relay.port}?${s.callerQuery}`], {
    stdio: ['pipe', 'ignore', 'inherit'],
  });
  caller.stdin.on('error', () => {});
  await sleep(300);
  // Paced input: 188 bytes every ms at most, so the stream lasts a moment and ACK timers fire.
  const chunk = Buffer.alloc(188, 0x47);
  if (s.burst) caller.stdin.write(Buffer.alloc(s.bytes, 0x47));
  else for (let sent = 0; sent < s.bytes && caller.exitCode === null; sent += chunk.length * 10) {
    caller.stdin.write(Buffer.concat(Array.from({ length: 10 }, () => chunk)));
    await sleep(5);
  }
  await sleep(1500);
  caller.stdin.end();
  await sleep(500);
  caller.kill('SIGTERM');
  await sleep(300);
  listener.kill('SIGTERM');
  await relay.close();
  const kept = select(relay.datagrams);
  const file = join(dirname(fileURLToPath(import.meta.url)), `libsrt-${s.name}.json`);
  writeFileSync(file, JSON.stringify({ scenario: s.name, libsrt: '1.5.1', received, datagrams: kept }, null, 1) + '\n');
  console.log(`${s.name}: ${relay.datagrams.length} datagrams, kept ${kept.length}, listener wrote ${received} bytes`);
}

for (const s of scenarios) await run(s);
