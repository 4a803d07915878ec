import type { IncomingMessage, ServerResponse } from 'node:http';
import type { WebSocket } from 'ws';
import { flvStreamStart } from '../../format/flv/flv-header.ts';
import type { ConsumerOptions } from '../../hub/consumer.ts';
import type { StreamRegistry } from '../../hub/stream-registry.ts';
import type { ClientRegistry } from '../clients.ts';
import { newClientId } from '../clients.ts';
import { flvWire } from '../delivery/flv-wire.ts';
import { PlayerPump } from '../delivery/player-pump.ts';
import { StreamTransport, WebSocketTransport } from '../delivery/transport.ts';
import type { PlayerTransport } from '../delivery/transport.ts';
import type { Logger } from '../log/logger.ts';
import { clientLog } from '../log/client-events.ts';
import type { StreamPath } from './stream-path.ts';

export interface FlvPlayDeps {
  readonly streams: StreamRegistry;
  readonly clients: ClientRegistry;
  readonly log: Logger;
  readonly play: ConsumerOptions;
  readonly now: () => number;
}

/**
 * One HTTP-FLV or WS-FLV player: FLV header, then the source's metadata,
 * sequence headers and GOP cache, then live tags until either side leaves.
 * Like SRS, a player of a stream that is not (yet) published waits for the
 * publisher; when the publisher leaves the player stays for a republish.
 */
export function playFlv(
  deps: FlvPlayDeps,
  path: StreamPath,
  ip: string,
  out: { kind: 'http'; req: IncomingMessage; res: ServerResponse } | { kind: 'ws'; ws: WebSocket },
): void {
  const id = newClientId();
  const proto = out.kind === 'http' ? 'flv' : 'ws-flv';
  const clog = clientLog(deps.log, { client: id, ip, proto });
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
    tcUrl: '',
    pageUrl: '',
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
