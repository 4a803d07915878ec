import type { ConsumerOptions } from '../../hub/consumer.ts';
import type { StreamRegistry } from '../../hub/stream-registry.ts';
import type { ClientRegistry } from '../clients.ts';
import type { HookClient } from '../hooks/hook-client.ts';
import type { Logger } from '../log/logger.ts';

/** What an HTTP player (HTTP-FLV, WS-FLV, HTTP-TS) needs from the node. */
export interface HttpPlayDeps {
  readonly streams: StreamRegistry;
  readonly clients: ClientRegistry;
  readonly log: Logger;
  /** SRS http_hooks: on_play admits the player, on_stop tells it left. */
  readonly hooks: HookClient;
  readonly play: ConsumerOptions;
  readonly now: () => number;
}
