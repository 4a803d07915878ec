import { describe, expect, it } from 'vitest';
import { lostMedia, sumSrtLoss } from './srt-loss-log.ts';

// Lines as the node's text log writes them (server/log formatText; server/srt/srt-publisher.ts).
const STATS_1 = '2026-11-24T01:00:00.000Z INFO  srt_publish_stats stream=live/bench-1 video_frames=250 audio_frames=430 dropped_pes=0 continuity_errors=0 lost_packets=69 dropped_packets=0 retransmitted=69';
const STATS_2 = '2026-11-24T01:00:01.000Z INFO  srt_publish_stats stream=live/bench-2 video_frames=250 audio_frames=430 dropped_pes=1 continuity_errors=2 lost_packets=10 dropped_packets=3 retransmitted=7';
const UNPUBLISH = '2026-11-24T01:00:00.000Z INFO  unpublish client=abc ip=127.0.0.1 proto=srt stream=live/bench-1 reason=client_closed';
const WARN = '2026-11-24T01:00:00.000Z WARN  publish_timeout client=abc why="no media"';

describe('sumSrtLoss', () => {
  it('sums every stats line and ignores the others', () => {
    expect(sumSrtLoss([UNPUBLISH, STATS_1, WARN, STATS_2])).toEqual({ streams: 2, lostPackets: 79, droppedPackets: 3, continuityErrors: 2, droppedPes: 1 });
  });

  it('is all zero without stats lines (the node logs none for a clean publish)', () => {
    expect(sumSrtLoss([UNPUBLISH, WARN])).toEqual({ streams: 0, lostPackets: 0, droppedPackets: 0, continuityErrors: 0, droppedPes: 0 });
  });

  it('does not read a key inside another key (lost_packets vs xlost_packets)', () => {
    expect(sumSrtLoss(['2026-11-24T01:00:00.000Z INFO  srt_publish_stats xlost_packets=5 lost_packets=1']).lostPackets).toBe(1);
  });
});

describe('lostMedia', () => {
  it('counts drops and TS holes, not losses that retransmission recovered', () => {
    expect(lostMedia(sumSrtLoss([STATS_1]))).toBe(false);
    expect(lostMedia(sumSrtLoss([STATS_2]))).toBe(true);
    expect(lostMedia({ streams: 1, lostPackets: 0, droppedPackets: 0, continuityErrors: 1, droppedPes: 0 })).toBe(true);
  });
});
