import { flvStreamStart } from '../../format/flv/flv-header.ts';
import type { ConsumerOptions } from '../../hub/consumer.ts';
import type { StreamRegistry } from '../../hub/stream-registry.ts';
import type { ClientRegistry } from '../clients.ts';
import { newClientId } from '../clients.ts';
import { flvWire } from '../delivery/flv-wire.ts';
import { PlayerPump } from '../delivery/player-pump.ts';
import { StreamTransport, WebSocketTransport } from '../delivery/transport.ts';
import type { PlayerTransport } from '../delivery/transport.ts';
import type { HookClient } from '../hooks/hook-client.ts';
import type { Logger } from '../log/logger.ts';
import { admitHttpPlayer } from './play-admission.ts';
import type { AdmittedPlayer, HttpPlayerOut } from './play-admission.ts';
import type { StreamPath } from './stream-path.ts';

export interface FlvPlayDeps {
  readonly streams: StreamRegistry;
  readonly clients: ClientRegistry;
  readonly log: Logger;
  /** SRS http_hooks: on_play admits the player, on_stop tells it left. */
  readonly hooks: HookClient;
  readonly play: ConsumerOptions;
  readonly now: () => number;
}

/**
 * One HTTP-FLV or WS-FLV player: on_play first (SRS http_hooks; nothing is
 * attached or created before it admits, `play-admission.ts`), then the FLV
 * header, the source's metadata, sequence headers and GOP cache, then live
 * tags until either side leaves, then on_stop. Like SRS, a player of a
 * stream that is not (yet) published waits for the publisher; when the
 * publisher leaves the player stays for a republish.
 */
export function playFlv(deps: FlvPlayDeps, path: StreamPath, ip: string, out: HttpPlayerOut): void {
  const proto = out.kind === 'http' ? 'flv' : 'ws-flv';
  admitHttpPlayer(deps, path, ip, out, { id: newClientId(), proto }, (player) => startFlv(deps, path, ip, out, player));
}

/** The admitted player: attach to the source and stream until either side leaves. */
function startFlv(deps: FlvPlayDeps, path: StreamPath, ip: string, out: HttpPlayerOut, who: AdmittedPlayer): void {
  const { id, clog } = who;
  const source = deps.streams.getOrCreate({ vhost: path.vhost, app: path.app, stream: path.stream });
  const streamName = `${path.app}/${path.stream}`;

  let transport: PlayerTransport;
  let closeTransport: () => void;
  if (out.kind === 'http') {
    out.res.writeHead(200, {
      'Content-Type': 'video/x-flv',
      'Cache-Control': 'no-cache, no-store',
      Connection: 'close',
    });
    out.res.flushHeaders();
    out.res.socket?.setNoDelay(true);
    transport = new StreamTransport(out.res);
    closeTransport = () => out.res.destroy();
  } else {
    transport = new WebSocketTransport(out.ws);
    closeTransport = () => out.ws.terminate();
  }

  let pump: PlayerPump | null = null;
  let closed = false;
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
  pump = new PlayerPump(consumer, transport, flvWire, deps.now);

  const record = {
    id,
    ip,
    connectedAt: Date.now(),
    type: 'flv-play' as const,
    publish: false,
    tcUrl: who.request.tcUrl,
    pageUrl: who.request.pageUrl,
    swfUrl: '',
    url: `/${streamName}`,
    name: path.stream,
    sourceId: source.id,
    recvBytes: () => 0,
    sendBytes: () => pump?.sentBytes ?? 0,
    kick: () => finish('kicked'),
  };
  deps.clients.add(record);
  clog.play(streamName);

  function finish(reason: 'client_closed' | 'kicked' | 'slow_consumer' | 'socket_error'): void {
    if (closed) return;
    closed = true;
    pump?.stop();
    consumer.close();
    deps.clients.remove(id);
    clog.stop(streamName, reason);
    void deps.hooks.notify('on_stop', { ...who.request, streamId: source.id });
    closeTransport();
  }

  // FLV header first (both flags set, like SRS: the stream may gain audio or video later).
  transport.writeAll([flvStreamStart({ hasAudio: true, hasVideo: true })]);
  pump.flushNow();

  if (out.kind === 'http') {
    out.res.on('close', () => finish('client_closed'));
    out.res.on('error', () => finish('socket_error'));
  } else {
    out.ws.on('close', () => finish('client_closed'));
    out.ws.on('error', () => finish('socket_error'));
    // WS-FLV players never send anything meaningful; a flood is cut by ws's maxPayload.
  }
}
