import type { Source } from '../../hub/source.ts';
import { PlayerPump } from '../delivery/player-pump.ts';
import { tsTapFor, tsWire } from '../delivery/ts-tap.ts';
import type { SrtAdmitted } from './srt-admission.ts';
import { addSrtClient } from './srt-client.ts';
import type { SrtDeps } from './srt-deps.ts';
import type { SrtSession, SrtSessionHandler } from './srt-endpoint.ts';
import { srtEndReason } from './srt-end-reason.ts';
import { SrtTransport } from './srt-transport.ts';

/**
 * An accepted `m=request` caller: the source's MPEG-TS from the shared TS
 * tap (the same serialize-once remux HTTP-TS players read: PAT/PMT, the GOP
 * cache, then live frames), written through a pump with merged writes into
 * SRT messages of 7 TS packets. A stream not published yet is waited for,
 * as HTTP players do. A player that stops acknowledging backs up the pump,
 * then its consumer drops to the next keyframe or closes it as slow.
 */
export function startSrtPlayer(deps: SrtDeps, session: SrtSession, admitted: SrtAdmitted, source: Source): SrtSessionHandler {
  const { clog } = admitted;
  const name = `${admitted.key.app}/${admitted.key.stream}`;
  const since = deps.now();
  const tap = tsTapFor(source);
  const transport = new SrtTransport(session);
  let pump: PlayerPump | null = null;
  let ended = false;
  let closeReason: 'kicked' | 'slow_consumer' | null = null;
  const consumer = source.addConsumer({
    ...deps.play,
    clientId: admitted.id,
    listener: {
      onReadable: () => pump?.readable(),
      onClose: (_c, reason) => {
        if (reason !== 'slow_consumer' || ended) return;
        closeReason = 'slow_consumer';
        session.close();
      },
    },
  });
  pump = new PlayerPump(consumer, transport, tsWire, deps.now);
  addSrtClient(deps, session, admitted, source.id, false, () => {
    closeReason = 'kicked';
    session.close();
  });
  clog.play(name, { stream_id: session.request.streamId, latency_ms: session.request.peerLatencyMs, encrypted: session.connection.encrypted });

  const tables = tap.attach();
  if (tables.length > 0) transport.writeAll([tables]);
  pump.flushNow();

  return {
    // A player has nothing to say in band; what it sends is ignored.
    onData() {},
    onTick() {
      transport.poll();
    },
    onClosed(reason) {
      if (ended) return;
      ended = true;
      pump?.stop();
      consumer.close();
      tap.detach();
      transport.poll();
      const why = closeReason ?? srtEndReason(reason);
      deps.clients.remove(admitted.id);
      clog.stop(name, why);
      void deps.hooks.notify('on_stop', { ...admitted.hook, streamId: source.id });
      const tx = session.connection.stats.sender;
      clog.close({ reason: why, durationMs: deps.now() - since, recvBytes: 0, sendBytes: tx.bytes });
    },
  };
}
