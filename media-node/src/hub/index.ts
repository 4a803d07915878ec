/** The live hub: what the server, protocols and outputs import (see README.md). */
export { FakeClock } from './clock.ts';
export type { Clock } from './clock.ts';
export {
  Consumer,
  DEFAULT_MAX_QUEUE_BYTES,
  DEFAULT_MAX_QUEUE_MESSAGES,
  DEFAULT_MAX_SHRINKS,
  DEFAULT_MW_LATENCY_MS,
  DEFAULT_MW_MSGS,
  DEFAULT_QUEUE_LENGTH_MS,
} from './consumer.ts';
export type { ConsumerCloseReason, ConsumerListener, ConsumerOptions } from './consumer.ts';
export { DEFAULT_GOP_CACHE_MAX_BYTES, DEFAULT_GOP_CACHE_MAX_FRAMES, PURE_AUDIO_GUESS_COUNT } from './gop-cache.ts';
export { RTMP_TYPE_OF_KIND, mediaMessage } from './media-message.ts';
export type { MediaKind, MediaMessage, WireCache } from './media-message.ts';
export { PublishHandle, Source } from './source.ts';
export type {
  AudioInfo,
  PublishRefusal,
  PublishResult,
  PublisherInfo,
  SourceOptions,
  SourceObserver,
  SourceStats,
  VideoInfo,
} from './source.ts';
export { DEFAULT_VHOST, StreamRegistry, randomStatId, streamKey } from './stream-registry.ts';
export type { StreamKey, StreamRegistryOptions } from './stream-registry.ts';
export type { TimeJitter } from './timestamp-jitter.ts';
