/**
 * The SRT load players against the repo's SRT listener on real loopback UDP
 * (protocol/srt/testdata/dgram-harness.ts): they connect with the stream id
 * they were given, acknowledge, count what is delivered, and go away with a
 * shutdown. Each case takes well under a second.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { INITIAL_RTT_MS } from '../protocol/srt/limits.ts';
import { SRT_REJX } from '../protocol/srt/reject.ts';
import { startListenerHarness, type ListenerHarness } from '../protocol/srt/testdata/dgram-harness.ts';
import { SrtLoadGenerator } from './srt-load-generator.ts';

const STREAM_ID = '#!::r=live/bench,m=request';
/** One SRT message of 7 TS packets, as the node sends. */
const PAYLOAD = new Uint8Array(1316).fill(0x47);

let harness: ListenerHarness | undefined;
let gen: SrtLoadGenerator | undefined;
afterEach(async () => {
  gen?.close();
  gen = undefined;
  await harness?.close();
  harness = undefined;
});

async function until(what: string, cond: () => boolean, ms = 3_000): Promise<void> {
  const end = Date.now() + ms;
  while (!cond()) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 10));
  }
}

describe('SrtLoadGenerator', () => {
  it('opens N players that connect with the stream id, count every delivered byte from the mark, and shut down on close', async () => {
    harness = await startListenerHarness({ latencyMs: 20 });
    const h = harness;
    const g = (gen = new SrtLoadGenerator());
    g.open({ type: 'open', host: '127.0.0.1', port: h.port, streamId: STREAM_ID, count: 3, latencyMs: 20, rampPerSecond: 1000 });
    await until('3 connections', () => h.connections.length === 3);
    expect(h.connections.map((c) => c.request.streamId)).toEqual([STREAM_ID, STREAM_ID, STREAM_ID]);
    expect(h.connections.every((c) => c.request.mode === 'request')).toBe(true);

    // Before the mark: counted as playing, not in the window.
    h.broadcast(PAYLOAD);
    await until('playing', () => g.status().playing === 3);
    g.mark();
    for (let i = 0; i < 20; i++) h.broadcast(PAYLOAD);
    await until('20 messages each', () => g.report().players.every((p) => p.bytes === 20 * PAYLOAD.length));
    const report = g.report();
    expect(report.players).toEqual([0, 1, 2].map(() => ({ bytes: 20 * PAYLOAD.length, lost: 0, dropped: 0, open: true })));
    expect(report.errors).toBe(0);
    expect(g.status()).toMatchObject({ created: 3, playing: 3, errors: 0 });
    // The players acknowledge (ACK, and ACKACK for RTT): the listener's side learns the loopback RTT from their ACKs.
    await until('acknowledged', () => h.connections.every((c) => c.connection.stats.rttUs < INITIAL_RTT_MS * 1000));

    g.close();
    gen = undefined;
    await until('shutdowns', () => h.connections.every((c) => c.closed === 'peer_shutdown'));
  });

  it('reports a refused player as an error with its reject code', async () => {
    harness = await startListenerHarness({ decide: () => SRT_REJX.forbidden });
    const g = (gen = new SrtLoadGenerator());
    g.open({ type: 'open', host: '127.0.0.1', port: harness.port, streamId: STREAM_ID, count: 1, latencyMs: 20, rampPerSecond: 1000 });
    await until('the refusal', () => g.status().errors === 1);
    expect(g.status().topError).toBe(`connect rejected (code ${SRT_REJX.forbidden}) (x1)`);
    expect(g.report().players).toEqual([{ bytes: 0, lost: 0, dropped: 0, open: false }]);
  });

  it('refuses a second open', () => {
    const g = (gen = new SrtLoadGenerator());
    g.open({ type: 'open', host: '127.0.0.1', port: 9, streamId: STREAM_ID, count: 1, latencyMs: 20, rampPerSecond: 1000 });
    expect(() => g.open({ type: 'open', host: '127.0.0.1', port: 9, streamId: STREAM_ID, count: 1, latencyMs: 20, rampPerSecond: 1000 })).toThrow('players already opened');
  });
});
