import { createLogger, formatText } from './logger.ts';
import type { LogFields, Logger, LogLevel, LogRecord } from './logger.ts';

/** The test fake: a real Logger whose records (and its children's) collect in `records`. */
export interface MemoryLogger extends Logger {
  readonly records: readonly LogRecord[];
  /** Records of one event, in order. */
  events(event: string): readonly LogRecord[];
  /** The records as text lines without the time stamp (`INFO  publish client=a`), handy in assertions. */
  lines(): readonly string[];
  clear(): void;
}

export function createMemoryLogger(level: LogLevel = 'debug', now: () => number = () => 0): MemoryLogger {
  const records: LogRecord[] = [];
  const logger = createLogger({ level, now, sink: (r) => records.push(r) });
  return {
    records,
    debug: (event: string, fields?: LogFields) => logger.debug(event, fields),
    info: (event: string, fields?: LogFields) => logger.info(event, fields),
    warn: (event: string, fields?: LogFields) => logger.warn(event, fields),
    error: (event: string, fields?: LogFields) => logger.error(event, fields),
    child: (fields: LogFields) => logger.child(fields),
    isEnabled: (l: LogLevel) => logger.isEnabled(l),
    events: (event: string) => records.filter((r) => r.event === event),
    lines: () => records.map((r) => formatText(r).slice(25, -1)),
    clear: () => {
      records.length = 0;
    },
  };
}
