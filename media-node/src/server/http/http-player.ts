import type { Source } from '../../hub/source.ts';
import type { ClientRecord } from '../clients.ts';
import { PlayerPump } from '../delivery/player-pump.ts';
import type { WireEncoder } from '../delivery/player-pump.ts';
import { openRawHttpBody } from '../delivery/raw-http-body.ts';
import { StreamTransport } from '../delivery/transport.ts';
import type { PlayerTransport } from '../delivery/transport.ts';
import { WsFrameTransport } from '../delivery/ws-frame-transport.ts';
import type { HttpPlayDeps } from './http-play-deps.ts';
import type { AdmittedPlayer, HttpPlayerOut } from './play-admission.ts';
import type { StreamPath } from './stream-path.ts';

/** What differs between HTTP-FLV/WS-FLV and HTTP-TS players. */
export interface HttpPlayerFormat {
  readonly contentType: string;
  /** The shared wire form of a message (null: not carried). */
  readonly encode: WireEncoder;
  /** Bytes a player gets before its first frame (FLV header, TS tables). */
  readonly preamble: Uint8Array;
  /** The player is gone (release per-source state). */
  release(): void;
}

type EndReason = 'client_closed' | 'kicked' | 'slow_consumer' | 'socket_error';

/**
 * An admitted HTTP player (HTTP-FLV, WS-FLV, HTTP-TS): attach to the source,
 * write the format's preamble, then the GOP and live frames through a pump
 * until either side leaves; on_stop then. The body is the raw socket (no
 * chunk framing), WebSocket flushes are one frame each: a flush is one writev
 * of shared buffers either way.
 */
export function startHttpPlayer(
  deps: HttpPlayDeps,
  path: StreamPath,
  ip: string,
  out: HttpPlayerOut,
  who: AdmittedPlayer,
  openFormat: (source: Source) => HttpPlayerFormat,
): void {
  const { id, clog } = who;
  const source = deps.streams.getOrCreate({ vhost: path.vhost, app: path.app, stream: path.stream });
  const streamName = `${path.app}/${path.stream}`;
  const format = openFormat(source);

  let transport: PlayerTransport;
  let closeTransport: () => void;
  if (out.kind === 'http') {
    const socket = openRawHttpBody(out.res, format.contentType);
    if (socket === null) {
      format.release();
      return;
    }
    transport = new StreamTransport(socket);
    closeTransport = () => socket.destroy();
  } else {
    transport = new WsFrameTransport(out.ws);
    closeTransport = () => out.ws.terminate();
  }

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
  pump = new PlayerPump(consumer, transport, format.encode, deps.now);
  const record: ClientRecord = {
    id,
    ip,
    connectedAt: Date.now(),
    type: 'flv-play',
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

  function finish(reason: EndReason): void {
    if (done) return;
    done = true;
    pump?.stop();
    consumer.close();
    format.release();
    deps.clients.remove(id);
    clog.stop(streamName, reason);
    void deps.hooks.notify('on_stop', { ...who.request, streamId: source.id });
    closeTransport();
  }

  if (format.preamble.length > 0) transport.writeAll([format.preamble]);
  pump.flushNow();

  const emitter = out.kind === 'http' ? out.res : out.ws;
  emitter.on('close', () => finish('client_closed'));
  emitter.on('error', () => finish('socket_error'));
}
