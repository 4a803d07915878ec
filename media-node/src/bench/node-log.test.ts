import { describe, expect, it } from 'vitest';
import { NODE_LOG_KEEP, summarizeNodeLog } from './node-log.ts';

// Lines as server/log/logger.ts formatText writes them.
const LOG = [
  '2026-11-24T10:00:00.000Z INFO  connect client=a1 ip=127.0.0.1 proto=rtmp tc_url=rtmp://127.0.0.1/live',
  '2026-11-24T10:00:00.100Z INFO  publish client=a1 ip=127.0.0.1 proto=rtmp stream=live/bench-1',
  '2026-11-24T10:00:09.000Z INFO  unpublish client=a1 ip=127.0.0.1 proto=rtmp stream=live/bench-1 reason=timeout',
  '2026-11-24T10:00:09.000Z WARN  close client=a1 ip=127.0.0.1 proto=rtmp reason=timeout duration_ms=9000',
  '2026-11-24T10:00:09.500Z INFO  unpublish client=b2 ip=127.0.0.1 proto=rtmp stream=live/bench-2 reason=timeout',
  '2026-11-24T10:00:09.600Z WARN  close client=b2 ip=127.0.0.1 proto=rtmp reason=timeout duration_ms=9000',
  '2026-11-24T10:00:10.000Z WARN  storage_degraded output=storage bucket=media',
  '2026-11-24T10:00:11.000Z ERROR hls_store_failed stream=live/bench-3',
  '2026-11-24T10:00:12.000Z INFO  unpublish client=c3 ip=127.0.0.1 proto=rtmp stream=live/bench-3 reason=client_closed',
];

describe('NODE_LOG_KEEP', () => {
  it('keeps warnings, errors and unpublish lines, not the rest', () => {
    expect(LOG.filter((l) => NODE_LOG_KEEP.test(l)).map((l) => l.split(/\s+/)[2])).toEqual([
      'unpublish', 'close', 'unpublish', 'close', 'storage_degraded', 'hls_store_failed', 'unpublish',
    ]);
  });
});

describe('summarizeNodeLog', () => {
  it('counts unpublish reasons and warning/error events, most frequent first', () => {
    expect(summarizeNodeLog(LOG)).toBe(
      'WARN close reason=timeout x2; unpublish reason=timeout x2; ERROR hls_store_failed x1; WARN storage_degraded x1; unpublish reason=client_closed x1',
    );
  });

  it('has nothing to say about a clean log or lines it does not know', () => {
    expect(summarizeNodeLog(LOG.slice(0, 2))).toBeUndefined();
    expect(summarizeNodeLog(['not a log line', ''])).toBeUndefined();
  });
});
