import type { ConsumerOptions } from '../../hub/consumer.ts';
import type { StreamRegistry } from '../../hub/stream-registry.ts';
import type { ClientRegistry } from '../clients.ts';
import type { HookClient } from '../hooks/hook-client.ts';
import type { Logger } from '../log/logger.ts';
import type { UdpMux } from '../../protocol/rtc/udp-mux.ts';
import type { RtcSettings } from './rtc-settings.ts';

/** What WHIP publishers and WHEP players need from the node. */
export interface RtcDeps {
  readonly streams: StreamRegistry;
  readonly clients: ClientRegistry;
  readonly log: Logger;
  /** SRS http_hooks: on_publish/on_play admit, on_unpublish/on_stop tell. */
  readonly hooks: HookClient;
  /** Player queue bounds (play.queue_length etc.); WebRTC always runs in min-latency mode. */
  readonly play: ConsumerOptions;
  readonly now: () => number;
  readonly settings: RtcSettings;
  /** SRS `server_id`, in the JSON API's answers. */
  readonly serverId: string;
  /** The one UDP socket of every session (settings.muxPort); undefined: a port per session. */
  readonly mux?: UdpMux;
}
