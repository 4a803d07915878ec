/** Structured logging: the Logger interface, text/JSON line output, the in-memory fake, client lifecycle lines. */
export { createLogger, formatJson, formatText, lineSink, LOG_LEVELS } from './logger.ts';
export type { LogFields, LogFormat, Logger, LoggerOptions, LogLevel, LogRecord, LogSink, LogValue } from './logger.ts';
export { createMemoryLogger } from './memory-logger.ts';
export type { MemoryLogger } from './memory-logger.ts';
export { clientLog } from './client-events.ts';
export type { ClientEvent, ClientIdentity, ClientLog, ClientProto, CloseReason } from './client-events.ts';
