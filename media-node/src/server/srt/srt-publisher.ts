import { TsToFlv } from '../../format/remux/ts-to-flv.ts';
import type { PublishHandle, Source } from '../../hub/source.ts';
import { updateStreamInfo } from '../stream-info.ts';
import type { SrtAdmitted } from './srt-admission.ts';
import { addSrtClient } from './srt-client.ts';
import type { SrtDeps } from './srt-deps.ts';
import type { SrtSession, SrtSessionHandler } from './srt-endpoint.ts';
import { srtEndReason } from './srt-end-reason.ts';

/**
 * An accepted `m=publish` caller: its MPEG-TS (SRT messages released in
 * order by TSBPD) through TsToFlv into the source it claimed at admission,
 * so RTMP, HTTP-FLV, HTTP-TS, HLS and DVR see it like any publish. TS that
 * cannot be used is dropped and counted (one warn line for the first reason,
 * the totals in the unpublish line); SRS's first-packet and idle timeouts
 * end a caller that keeps the link alive but sends no media.
 */
export function startSrtPublisher(deps: SrtDeps, session: SrtSession, admitted: SrtAdmitted, source: Source, handle: PublishHandle): SrtSessionHandler {
  const { clog } = admitted;
  const name = `${admitted.key.app}/${admitted.key.stream}`;
  const remux = new TsToFlv();
  const since = deps.now();
  let lastMediaAt = since;
  let gotMedia = false;
  let warned = false;
  let ended = false;
  let closeReason: 'timeout' | 'kicked' | null = null;

  addSrtClient(deps, session, admitted, source.id, true, () => {
    closeReason = 'kicked';
    session.close();
  });
  clog.publish(name, { stream_id: session.request.streamId, latency_ms: session.request.recvLatencyMs, encrypted: session.connection.encrypted });

  const push = (messages: ReturnType<TsToFlv['push']>): void => {
    for (const m of messages) {
      gotMedia = true;
      const msg = handle.push(m.kind, m.timestamp, m.payload);
      if (msg !== null && msg.sequenceHeader) {
        const bad = updateStreamInfo(source, msg);
        if (bad !== null) clog.log.warn('bad_sequence_header', { stream: name, code: bad });
      }
    }
    if (messages.length > 0) lastMediaAt = deps.now();
    if (!warned && remux.lastError !== null) {
      warned = true;
      clog.log.warn('srt_ts_dropped', { stream: name, code: remux.lastError.code, message: remux.lastError.message });
    }
  };

  return {
    onData(payload) {
      if (!ended) push(remux.push(payload));
    },
    onTick(now) {
      const p = deps.publish;
      if (!gotMedia && now - since >= p.firstPacketTimeoutMs) {
        closeReason = 'timeout';
        clog.log.warn('publish_timeout', { stream: name, why: `no media within ${p.firstPacketTimeoutMs} ms of publish` });
        session.close();
      } else if (gotMedia && now - lastMediaAt >= p.normalTimeoutMs) {
        closeReason = 'timeout';
        clog.log.warn('publish_timeout', { stream: name, why: `no media for ${p.normalTimeoutMs} ms` });
        session.close();
      }
    },
    onClosed(reason) {
      if (ended) return;
      ended = true;
      push(remux.flush());
      handle.unpublish();
      const why = closeReason ?? srtEndReason(reason);
      const s = remux.stats;
      clog.unpublish(name, why);
      deps.clients.remove(admitted.id);
      void deps.hooks.notify('on_unpublish', { ...admitted.hook, streamId: source.id, publishedBytes: session.connection.stats.receiver.bytes });
      const rx = session.connection.stats.receiver;
      clog.close({ reason: why, durationMs: deps.now() - since, recvBytes: rx.bytes, sendBytes: 0 });
      if (s.dropped + s.demux.continuityErrors + rx.lost > 0) {
        clog.log.info('srt_publish_stats', {
          stream: name, video_frames: s.videoFrames, audio_frames: s.audioFrames, dropped_pes: s.dropped,
          continuity_errors: s.demux.continuityErrors, lost_packets: rx.lost, dropped_packets: rx.dropped, retransmitted: rx.retransmitted,
        });
      }
    },
  };
}
