/**
 * SrtClient against the engine's own listener on loopback UDP
 * (protocol/srt/testdata/dgram-harness.ts): the paths libsrt peers cannot
 * easily provoke (a peer that goes away, a reader that stalls, silence,
 * retries running out) in well under a second each.
 */
import { createSocket } from 'node:dgram';
import { afterEach, describe, expect, it } from 'vitest';
import { startListenerHarness, type ListenerHarness } from '../../protocol/srt/testdata/dgram-harness.ts';
import { createMemoryLogger } from '../log/index.ts';
import { SrtClient } from './srt-client.ts';
import type { SrtClientError } from './srt-client-error.ts';

const harnesses: ListenerHarness[] = [];
const clients: SrtClient[] = [];
afterEach(async () => {
  for (const c of clients.splice(0)) await c.close();
  for (const h of harnesses.splice(0)) await h.close();
});

async function listener(opts: Parameters<typeof startListenerHarness>[0] = {}): Promise<ListenerHarness> {
  const h = await startListenerHarness({ latencyMs: 20, peerLatencyMs: 20, ...opts });
  harnesses.push(h);
  return h;
}

function track(c: SrtClient): SrtClient {
  clients.push(c);
  return c;
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

async function until(cond: () => boolean, ms = 3000): Promise<void> {
  const end = Date.now() + ms;
  while (!cond()) {
    if (Date.now() > end) throw new Error('timed out');
    await sleep(5);
  }
}

/** `n` TS packets whose byte 1 numbers them. */
function ts(n: number): Uint8Array {
  const b = new Uint8Array(n * 188);
  for (let i = 0; i < n; i++) {
    b[i * 188] = 0x47;
    b[i * 188 + 1] = i & 0xff;
  }
  return b;
}

describe('SrtClient (loopback, engine listener)', () => {
  it('publishes whole packets in 1316-byte messages and flushes the rest within a tick; the listener gets the stream id', async () => {
    const h = await listener();
    const pub = track(SrtClient.publish(`srt://127.0.0.1:${h.port}?streamid=%23!::r=live/x,m=publish&latency=20`, { reconnect: false }));
    await pub.connected();
    const bytes = ts(10);
    expect(pub.write(bytes.subarray(0, 1000))).toBe(true);
    expect(pub.write(bytes.subarray(1000))).toBe(true);
    await until(() => h.connections[0]!.received.length === 2);
    const got = h.connections[0]!.received;
    expect(got.map((m) => m.length)).toEqual([1316, 3 * 188]);
    expect(Buffer.concat(got).equals(Buffer.from(bytes))).toBe(true);
    expect(h.connections[0]!.request).toMatchObject({ app: 'live', stream: 'x', mode: 'publish' });
    await pub.close();
    await until(() => h.connections[0]!.closed !== null);
    expect(h.connections[0]!.closed).toBe('peer_shutdown');
  });

  it('drops what is written while not connected, counted; write() on a player throws', async () => {
    const h = await listener();
    const pub = track(new SrtClient(`srt://127.0.0.1:${h.port}`, 'publish', { reconnect: false }));
    expect(pub.write(ts(14))).toBe(true);
    expect(pub.stats.droppedDisconnected).toBe(2);
    expect(() => track(new SrtClient(`srt://127.0.0.1:${h.port}`, 'play')).write(ts(1))).toThrow(/player/);
  });

  it('plays in order through the async iterator; a reader that stalls loses the oldest beyond maxQueuedMessages', async () => {
    const h = await listener();
    const player = track(SrtClient.play(`srt://127.0.0.1:${h.port}?streamid=p`, { reconnect: false, maxQueuedMessages: 4 }));
    await player.connected();
    for (let i = 0; i < 10; i++) h.broadcast(new Uint8Array([0x47, i]));
    await until(() => player.stats.messagesReceived === 10);
    expect(player.stats.droppedSlowReader).toBe(6);
    const got: number[] = [];
    for await (const m of player) {
      got.push(m[1]!);
      if (got.length === 4) break;
    }
    expect(got).toEqual([6, 7, 8, 9]);
  });

  it('a peer shutdown is an error that will be retried; onState follows; retries that run out end in reconnect_exhausted', async () => {
    const h = await listener();
    const errors: SrtClientError[] = [];
    const states: string[] = [];
    const log = createMemoryLogger('debug');
    const player = track(
      SrtClient.play(`srt://127.0.0.1:${h.port}?connect_timeout=150`, {
        reconnect: { initialDelayMs: 20, maxDelayMs: 40, maxAttempts: 2, jitter: 0 },
        logger: log,
        onData: () => {},
        onError: (e) => errors.push(e),
        onState: (s) => states.push(s),
      }),
    );
    await player.connected();
    harnesses.splice(0);
    await h.close();
    await until(() => player.state === 'closed', 3000);
    expect(errors[0]).toMatchObject({ code: 'peer_shutdown', willRetry: true });
    // Nothing listens any more: ICMP port unreachable (socket_error) or silence (connect_timeout), twice, then the end.
    expect(errors).toHaveLength(3);
    expect(['socket_error', 'connect_timeout']).toContain(errors[1]!.code);
    expect(errors[1]!.willRetry).toBe(true);
    expect(errors.at(-1)).toMatchObject({ code: 'reconnect_exhausted', willRetry: false });
    expect(player.error).toBe(errors.at(-1));
    expect(player.stats.attempts).toBe(3);
    expect(states).toEqual(['connecting', 'connected', 'disconnected', 'connecting', 'disconnected', 'connecting', 'closed']);
    expect(log.records.filter((r) => r.event === 'disconnected').map((r) => r.fields.retry_in_ms)).toEqual([20, 40]);
    expect(JSON.stringify(log.records)).not.toContain('connect_timeout=150');
  });

  it('a refusal the listener makes final (SRT_REJX_FORBIDDEN) is not retried even with reconnect on', async () => {
    const h = await listener({ decide: () => 1403 });
    const c = track(SrtClient.publish(`srt://127.0.0.1:${h.port}?streamid=#!::r=live/no,m=publish`, { reconnect: { initialDelayMs: 10 } }));
    await expect(c.connected()).rejects.toMatchObject({ code: 'rejected', willRetry: false, reject: { code: 1403, name: 'SRT_REJX_FORBIDDEN' } });
    expect(c.stats.attempts).toBe(1);
  });

  it('a player that hears nothing for idleTimeoutMs gives up with idle_timeout and tells the listener', async () => {
    const h = await listener();
    const player = track(SrtClient.play(`srt://127.0.0.1:${h.port}`, { reconnect: false, idleTimeoutMs: 150, onData: () => {} }));
    await player.connected();
    await until(() => player.state === 'closed');
    expect(player.error).toMatchObject({ code: 'idle_timeout', willRetry: false });
    await until(() => h.connections[0]!.closed !== null);
    expect(h.connections[0]!.closed).toBe('peer_shutdown');
  });

  it('a callback that throws is logged, not propagated', async () => {
    const h = await listener();
    const log = createMemoryLogger('info');
    const player = track(
      SrtClient.play(`srt://127.0.0.1:${h.port}`, {
        reconnect: false,
        logger: log,
        onData: () => {
          throw new Error('boom');
        },
      }),
    );
    await player.connected();
    h.broadcast(new Uint8Array([0x47]));
    h.broadcast(new Uint8Array([0x47]));
    await until(() => player.stats.messagesReceived === 2);
    expect(log.records.filter((r) => r.event === 'callback_error')).toHaveLength(2);
    expect(player.state).toBe('connected');
  });

  it('close() before any answer ends at once; connected() then rejects', async () => {
    const silent = createSocket('udp4');
    await new Promise<void>((resolve) => silent.bind(0, '127.0.0.1', resolve));
    try {
      const c = SrtClient.publish(`srt://127.0.0.1:${silent.address().port}`);
      const waiting = c.connected();
      await c.close();
      await expect(waiting).rejects.toThrow(/closed/);
      expect(c.state).toBe('closed');
      expect(c.error).toBeNull();
    } finally {
      silent.close();
    }
  });
});
