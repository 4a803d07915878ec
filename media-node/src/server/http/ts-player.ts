import type { ServerResponse } from 'node:http';
import type { Source } from '../../hub/source.ts';
import { newClientId } from '../clients.ts';
import { PlayerPump } from '../delivery/player-pump.ts';
import { StreamTransport } from '../delivery/transport.ts';
import { TsTap, tsWire } from '../delivery/ts-tap.ts';
import { clientLog } from '../log/client-events.ts';
import type { FlvPlayDeps } from './flv-player.ts';
import type { StreamPath } from './stream-path.ts';

/** One TS tap per source with HTTP-TS players. */
const taps = new WeakMap<Source, TsTap>();

/**
 * One HTTP-TS player (`/app/stream.ts`, as SRS's http_remux): PAT/PMT, then
 * the source's GOP and live frames as MPEG-TS, from the source's shared
 * remux (TsTap). Waits for a publisher like HTTP-FLV does.
 */
export function playTs(deps: FlvPlayDeps, path: StreamPath, ip: string, res: ServerResponse): void {
  const id = newClientId();
  const clog = clientLog(deps.log, { client: id, ip, proto: 'flv' });
  const source = deps.streams.getOrCreate({ vhost: path.vhost, app: path.app, stream: path.stream });
  const name = `${path.app}/${path.stream}`;
  let tap = taps.get(source);
  if (tap === undefined) {
    tap = new TsTap(source, () => taps.delete(source));
    taps.set(source, tap);
  }
  const tables = tap.attach();

  res.writeHead(200, { 'Content-Type': 'video/mp2t', 'Cache-Control': 'no-cache, no-store', Connection: 'close' });
  res.flushHeaders();
  res.socket?.setNoDelay(true);
  const transport = new StreamTransport(res);
  let pump: PlayerPump | null = null;
  let done = false;
  const consumer = source.addConsumer({
    ...deps.play,
    clientId: id,
    listener: {
      onReadable: () => pump?.readable(),
      onClose: (_c, reason) => {
        if (reason === 'slow_consumer') finish('slow_consumer');
      },
    },
  });
  pump = new PlayerPump(consumer, transport, tsWire, deps.now);
  deps.clients.add({
    id,
    ip,
    connectedAt: Date.now(),
    type: 'flv-play',
    publish: false,
    tcUrl: '',
    pageUrl: '',
    swfUrl: '',
    url: `/${name}`,
    name: path.stream,
    sourceId: source.id,
    recvBytes: () => 0,
    sendBytes: () => pump?.sentBytes ?? 0,
    kick: () => finish('kicked'),
  });
  clog.play(name, { format: 'ts' });

  function finish(reason: 'client_closed' | 'kicked' | 'slow_consumer'): void {
    if (done) return;
    done = true;
    pump?.stop();
    consumer.close();
    tap?.detach();
    deps.clients.remove(id);
    clog.stop(name, reason);
    res.destroy();
  }

  if (tables.length > 0) transport.writeAll([tables]);
  pump.flushNow();
  res.on('close', () => finish('client_closed'));
  res.on('error', () => finish('client_closed'));
}
