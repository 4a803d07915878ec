/** The DVR output (see README.md): what the server imports. */
export {
  DEFAULT_MAX_PENDING_BYTES,
  DvrRecorder,
  MAX_FILE_BYTES_IN_MEMORY,
  MAX_FILE_BYTES_ON_DISK,
  MAX_OVERRUN_RATIO,
  maxFileBytesFor,
} from './dvr-recorder.ts';
export type { DvrRecorderOptions } from './dvr-recorder.ts';
export { DEFAULT_DVR_CONFIG, MIN_DVR_DURATION_MS, resolveDvrConfig } from './dvr-config.ts';
export type { DvrConfig, DvrFormat, DvrPlan, ResolvedDvrConfig } from './dvr-config.ts';
export type { DvrCloseReason, DvrFileEvent, DvrListener, DvrLog, DvrLogFields, DvrStats } from './dvr-events.ts';
export { MemorySpool } from './dvr-spool.ts';
export type { DvrSpool, DvrStore, SpoolFile } from './dvr-spool.ts';
