import { describe, expect, it } from 'vitest';
import { MIN_PLAYER_RATE_FRACTION, OPUS_PACKETS_PER_SECOND, rtcPlayerKeepsUp, summarizeRtcPlayers, type RtcPlayerWindow } from './rtc-play-summary.ts';

const WALL_MS = 10_000;
const withAudio = { videoFps: 25, audio: true };
const videoOnly = { videoFps: 25, audio: false };

/** A player that got `fps` frames/s and `pps` Opus packets/s over WALL_MS. */
function w(fps: number, pps: number, open = true): RtcPlayerWindow {
  return { open, videoPackets: fps * 10 * 3, videoBytes: fps * 10 * 2600, videoFrames: fps * 10, audioPackets: pps * 10, audioBytes: pps * 10 * 120, duplicates: 2 };
}

describe('rtcPlayerKeepsUp', () => {
  it.each([
    { name: 'full rate', win: w(25, 50), e: withAudio, want: true },
    { name: 'exactly the bar', win: w(25 * MIN_PLAYER_RATE_FRACTION, OPUS_PACKETS_PER_SECOND * MIN_PLAYER_RATE_FRACTION), e: withAudio, want: true },
    { name: 'video short', win: w(22, 50), e: withAudio, want: false },
    { name: 'audio short', win: w(25, 40), e: withAudio, want: false },
    { name: 'no audio needed', win: w(25, 0), e: videoOnly, want: true },
    { name: 'disconnected', win: w(25, 50, false), e: withAudio, want: false },
  ])('$name -> $want', (c) => {
    expect(rtcPlayerKeepsUp(c.win, WALL_MS, c.e)).toBe(c.want);
  });
});

describe('summarizeRtcPlayers', () => {
  it('counts, averages and finds the slowest', () => {
    const s = summarizeRtcPlayers([w(25, 50), w(20, 50), w(25, 50, false)], WALL_MS, withAudio);
    expect(s).toMatchObject({ players: 3, open: 2, keepingUp: 1, minFps: 20, duplicates: 6 });
    expect(s.meanFps).toBeCloseTo(70 / 3);
    expect(s.meanAudioPps).toBeCloseTo(50);
    expect(s.meanMbps).toBeCloseTo(((70 / 3) * 2600 + 50 * 120) * 8 / 1e6);
  });

  it('is all zeros for no players', () => {
    expect(summarizeRtcPlayers([], WALL_MS, withAudio)).toEqual({ players: 0, open: 0, keepingUp: 0, meanFps: 0, minFps: 0, meanAudioPps: 0, meanMbps: 0, duplicates: 0 });
  });
});
