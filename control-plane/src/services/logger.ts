/** What the app logs through. The entries give a console logger; tests a silent or recording one. */
export interface Logger {
  info(msg: string, fields?: Record<string, unknown>): void;
  error(msg: string, fields?: Record<string, unknown>): void;
}

/** One JSON object per line, the shape log collectors on Workers and Node both read. */
export const consoleLogger: Logger = {
  info: (msg, fields) => console.log(JSON.stringify({ level: 'info', msg, ...fields })),
  error: (msg, fields) => console.error(JSON.stringify({ level: 'error', msg, ...fields })),
};

export const silentLogger: Logger = { info: () => {}, error: () => {} };

/** The fake: keeps every line for assertions. */
export class RecordingLogger implements Logger {
  readonly lines: Array<{ level: 'info' | 'error'; msg: string; fields?: Record<string, unknown> }> = [];

  info(msg: string, fields?: Record<string, unknown>): void {
    this.lines.push({ level: 'info', msg, fields });
  }

  error(msg: string, fields?: Record<string, unknown>): void {
    this.lines.push({ level: 'error', msg, fields });
  }
}
