import { describe, expect, it } from 'vitest';
import type { SrtPlayerWindow } from './srt-load-player.ts';
import { mbps, MIN_PLAYER_RATE_FRACTION, playerKeepsUp, summarizeSrtPlayers } from './srt-play-summary.ts';

const WALL_MS = 10_000;
const EXPECTED_MBPS = 0.684;
/** Bytes a player gets in the window at `share` of the stream's rate. */
const bytesAt = (share: number): number => Math.round((share * EXPECTED_MBPS * 1e6 * WALL_MS) / 8000);
const w = (over: Partial<SrtPlayerWindow>): SrtPlayerWindow => ({ bytes: bytesAt(1), lost: 0, dropped: 0, open: true, ...over });

describe('mbps', () => {
  it('turns bytes over a window into Mbit/s', () => {
    expect(mbps(1_250_000, 10_000)).toBeCloseTo(1, 9);
    expect(mbps(100, 0)).toBe(0);
  });
});

describe('playerKeepsUp', () => {
  it.each([
    { name: 'at the rate', w: w({}), want: true },
    { name: 'just above the threshold', w: w({ bytes: bytesAt(MIN_PLAYER_RATE_FRACTION + 0.001) }), want: true },
    { name: 'just under the threshold', w: w({ bytes: bytesAt(MIN_PLAYER_RATE_FRACTION - 0.001) }), want: false },
    { name: 'losses recovered', w: w({ lost: 40 }), want: true },
    { name: 'a packet dropped', w: w({ dropped: 1 }), want: false },
    { name: 'closed', w: w({ open: false }), want: false },
  ])('$name: $want', (c) => {
    expect(playerKeepsUp(c.w, WALL_MS, EXPECTED_MBPS)).toBe(c.want);
  });
});

describe('summarizeSrtPlayers', () => {
  it('counts, averages and sums over all players', () => {
    const s = summarizeSrtPlayers([w({}), w({ bytes: bytesAt(0.5), lost: 3 }), w({ open: false, dropped: 2, bytes: 0 })], WALL_MS, EXPECTED_MBPS);
    expect(s).toMatchObject({ players: 3, open: 2, keepingUp: 1, minMbps: 0, lostPackets: 3, droppedPackets: 2 });
    expect(s.meanMbps).toBeCloseTo((EXPECTED_MBPS * 1.5) / 3, 5);
  });

  it('is empty without players', () => {
    expect(summarizeSrtPlayers([], WALL_MS, EXPECTED_MBPS)).toEqual({ players: 0, open: 0, keepingUp: 0, meanMbps: 0, minMbps: 0, lostPackets: 0, droppedPackets: 0 });
  });
});
