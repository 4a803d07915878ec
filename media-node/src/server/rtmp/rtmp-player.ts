import type { Socket } from 'node:net';
import type { Consumer } from '../../hub/consumer.ts';
import type { Source } from '../../hub/source.ts';
import type { RtmpServerOutput, RtmpServerSession } from '../../protocol/rtmp/server-session.ts';
import { PlayerPump } from '../delivery/player-pump.ts';
import { StreamTransport } from '../delivery/transport.ts';
import type { RtmpDeps } from './rtmp-deps.ts';
import { rtmpWire } from './rtmp-wire.ts';

export interface RtmpPlayerParts {
  readonly consumer: Consumer;
  readonly pump: PlayerPump;
}

/**
 * Attaches an admitted RTMP player to its source: a consumer whose frames a
 * pump writes to the socket in the shared chunked form (`rtmp-wire.ts`), and
 * the publisher's comings and goings as Play.UnpublishNotify/PublishNotify
 * (the player stays for a republish, as with SRS). A player that falls too
 * far behind is closed (`slow_consumer`).
 */
export function attachRtmpPlayer(
  source: Source,
  streamId: number,
  conn: {
    readonly clientId: string;
    readonly socket: Socket;
    readonly session: RtmpServerSession;
    readonly deps: Pick<RtmpDeps, 'play' | 'now' | 'config'>;
    readonly apply: (outputs: readonly RtmpServerOutput[]) => void;
  },
): RtmpPlayerParts {
  const { session, apply, deps } = conn;
  const chunkSize = session.outChunkSize;
  const shared = deps.config.chunkSize;
  let pump: PlayerPump | null = null;
  const consumer = source.addConsumer({
    ...deps.play,
    clientId: conn.clientId,
    listener: {
      onReadable: () => pump?.readable(),
      onUnpublish: () => {
        pump?.flushNow();
        apply(session.sendUnpublishNotify(streamId));
      },
      onPublish: () => apply(session.sendPublishNotify(streamId)),
      onClose: (_c, reason) => {
        if (reason === 'slow_consumer') apply(session.close('slow_consumer', 'player fell behind'));
      },
    },
  });
  pump = new PlayerPump(consumer, new StreamTransport(conn.socket), (m) => rtmpWire(m, chunkSize, streamId, shared), deps.now);
  return { consumer, pump };
}
