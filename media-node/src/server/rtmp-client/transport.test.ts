import { createServer } from 'node:net';
import type { Server, Socket } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { tcpDialer } from './transport.ts';

let server: Server | null = null;
const accepted: Socket[] = [];

afterEach(async () => {
  for (const s of accepted.splice(0)) s.destroy();
  await new Promise<void>((r) => (server ? server.close(() => r()) : r()));
  server = null;
});

/** A loopback server running `onSocket` per connection; resolves with its port. */
async function listen(onSocket: (s: Socket) => void, allowHalfOpen = false): Promise<number> {
  server = createServer({ allowHalfOpen }, (s) => {
    accepted.push(s);
    onSocket(s);
  });
  await new Promise<void>((r) => server!.listen(0, '127.0.0.1', r));
  const addr = server.address();
  return typeof addr === 'object' && addr ? addr.port : 0;
}

describe('tcpDialer', () => {
  it('opens, writes the parts in order, reads, and reports a clean close', async () => {
    const port = await listen((s) => s.on('data', (b) => s.end(Buffer.concat([Buffer.from('echo:'), b]))));
    const events: string[] = [];
    let got = '';
    const t = tcpDialer('127.0.0.1', port, {
      onOpen: () => {
        events.push('open');
        t.write([Uint8Array.from([0x61]), Uint8Array.from([0x62, 0x63])]);
      },
      onData: (b) => (got += Buffer.from(b).toString()),
      onClose: (e) => events.push(`close:${e === null ? 'clean' : e.message}`),
    });
    await t.closed;
    expect(got).toBe('echo:abc');
    expect(events).toEqual(['open', 'close:clean']);
    expect(t.bufferedBytes).toBe(0);
  });

  it('reports a refused connection through onClose, never a throw', async () => {
    const port = await listen(() => {});
    await new Promise<void>((r) => server!.close(() => r()));
    server = null;
    let error: Error | null = null;
    const t = tcpDialer('127.0.0.1', port, { onOpen: () => {}, onData: () => {}, onClose: (e) => (error = e) });
    await t.closed;
    expect((error as (Error & { code?: string }) | null)?.code).toBe('ECONNREFUSED');
  });

  it('end() cuts a peer that never closes its side after the grace time', async () => {
    const port = await listen((s) => s.on('end', () => {}), true); // reads EOF, keeps its half open
    let endedAt = 0;
    const t = tcpDialer('127.0.0.1', port, {
      onOpen: () => {
        endedAt = performance.now();
        t.end(200);
      },
      onData: () => {},
      onClose: () => {},
    });
    await t.closed;
    const took = performance.now() - endedAt;
    expect(took).toBeGreaterThanOrEqual(190);
    expect(took).toBeLessThan(1000);
  });
});
