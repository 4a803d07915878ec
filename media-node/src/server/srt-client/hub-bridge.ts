import { TsToFlv } from '../../format/remux/ts-to-flv.ts';
import type { Consumer } from '../../hub/consumer.ts';
import type { PublishHandle, PublishRefusal, Source } from '../../hub/source.ts';
import { tsTapFor, tsWire, type TsTap } from '../delivery/ts-tap.ts';
import { updateStreamInfo } from '../stream-info.ts';
import { SrtClient, type SrtClientOptions, type SrtClientState } from './srt-client.ts';

/** A pull or push between a hub source and a remote SRT listener. */
export interface SrtBridge {
  readonly client: SrtClient;
  /** Pull: why the source refused the publish (another publisher holds it); the client is closed then. */
  readonly refused: PublishRefusal | null;
  /** Stops the client (shutdown sent) and lets go of the source. */
  close(): Promise<void>;
}

export interface SrtBridgeOptions extends Omit<SrtClientOptions, 'onData'> {
  /** Client id in the source's stats (publisher / consumer). */
  readonly clientId?: string;
}

/**
 * Pulls `url` (a remote `m=request` stream) into `source` as its publisher:
 * MPEG-TS through TsToFlv into the hub, so every player of the source sees
 * it. Each connection is its own publish session (the TS restarts on a
 * reconnect): published when the handshake completes, unpublished (what the
 * remuxer holds flushed first) when the connection goes. If the source
 * already has a publisher, the pull stops and `refused` says why.
 *
 * @example
 * const pull = pullSrtIntoSource('srt://origin:10080?streamid=#!::r=live/cam,m=request', registry.getOrCreate(key), { logger });
 * await pull.close();
 */
export function pullSrtIntoSource(url: string, source: Source, options: SrtBridgeOptions = {}): SrtBridge {
  let remux: TsToFlv | null = null;
  let handle: PublishHandle | null = null;
  let refused: PublishRefusal | null = null;
  const push = (messages: ReturnType<TsToFlv['push']>): void => {
    for (const m of messages) {
      const msg = handle?.push(m.kind, m.timestamp, m.payload) ?? null;
      if (msg?.sequenceHeader) updateStreamInfo(source, msg);
    }
  };
  const end = (): void => {
    if (remux) push(remux.flush());
    handle?.unpublish();
    handle = null;
    remux = null;
  };
  const client = new SrtClient(url, 'play', {
    ...options,
    onData: (ts) => {
      if (remux) push(remux.push(ts));
    },
    onState: (state: SrtClientState, reason: string) => {
      if (state === 'connected') {
        const r = source.publish({ clientId: options.clientId ?? 'srt-pull', protocol: 'srt' });
        if (r.ok) {
          handle = r.publisher;
          remux = new TsToFlv();
        } else {
          refused = r.code;
          options.logger?.warn('srt_pull_refused', { stream: `${source.app}/${source.stream}`, code: r.code, publisher: r.current.clientId });
          void client.close();
        }
      } else end();
      options.onState?.(state, reason);
    },
  });
  client.start();
  return {
    client,
    get refused() {
      return refused;
    },
    async close() {
      await client.close();
      end();
    },
  };
}

/**
 * Pushes `source` to `url` (a remote `m=publish` listener) as MPEG-TS from
 * the source's shared TS tap (muxed once for all TS outputs). Every
 * connection starts decodable: PAT + PMT, then the source's join burst (GOP
 * cache from its last keyframe), then live frames. While the peer is behind
 * (`client.backpressured`) nothing more is taken from the hub: the
 * consumer's own bounds (drop to the next keyframe, then close as slow)
 * decide, as for any player. While disconnected, no consumer is attached.
 *
 * @example
 * const push = pushSourceToSrt(source, 'srt://backup:10080?streamid=#!::r=live/cam,m=publish', { logger });
 * await push.close();
 */
export function pushSourceToSrt(source: Source, url: string, options: SrtBridgeOptions = {}): SrtBridge {
  let tap: TsTap | null = null;
  let consumer: Consumer | null = null;
  let waiting = false;
  const drain = (): void => {
    const c = consumer;
    if (c === null || waiting) return;
    let ok = true;
    for (const m of c.take()) {
      const bytes = tsWire(m);
      if (bytes !== null) ok = client.write(bytes) && ok;
    }
    if (ok) return;
    waiting = true;
    void client.drain().then(() => {
      waiting = false;
      drain();
    });
  };
  const detach = (): void => {
    consumer?.close();
    consumer = null;
    tap?.detach();
    tap = null;
  };
  const attach = (): void => {
    detach();
    tap = tsTapFor(source);
    const tables = tap.attach();
    if (tables.length > 0) client.write(tables);
    consumer = source.addConsumer({
      minLatency: true,
      clientId: options.clientId ?? 'srt-push',
      listener: {
        onReadable: () => drain(),
        // Too slow for the hub's bounds, or kicked: end the push as the hub would end a player.
        onClose: (_c, reason) => {
          if (reason === 'closed') return;
          options.logger?.warn('srt_push_consumer_closed', { stream: `${source.app}/${source.stream}`, reason });
          void client.close();
        },
      },
    });
    // The join burst does not signal: take it now.
    drain();
  };
  const client = new SrtClient(url, 'publish', {
    ...options,
    onState: (state: SrtClientState, reason: string) => {
      if (state === 'connected') attach();
      else detach();
      options.onState?.(state, reason);
    },
  });
  client.start();
  return {
    client,
    refused: null,
    async close() {
      // Detach after close(): it flushes and lingers with what was taken.
      await client.close();
      detach();
    },
  };
}
