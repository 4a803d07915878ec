import type { ConsumerOptions } from '../../hub/consumer.ts';
import type { StreamRegistry } from '../../hub/stream-registry.ts';
import type { ClientRegistry } from '../clients.ts';
import type { HookClient } from '../hooks/hook-client.ts';
import type { Logger } from '../log/logger.ts';

/** What an RTMP connection needs from the node. */
export interface RtmpDeps {
  readonly streams: StreamRegistry;
  readonly clients: ClientRegistry;
  readonly log: Logger;
  /** SRS http_hooks: on_connect/on_publish/on_play admit, the others notify. */
  readonly hooks: HookClient;
  readonly play: ConsumerOptions;
  /** Monotonic ms. */
  readonly now: () => number;
  readonly config: {
    readonly chunkSize: number;
    readonly handshakeTimeoutMs: number;
    readonly maxMessageBytes: number;
    readonly firstPacketTimeoutMs: number;
    readonly normalTimeoutMs: number;
  };
  /** The connection is gone (for the listener's bookkeeping). */
  readonly onClosed: (conn: { readonly id: string }) => void;
}
