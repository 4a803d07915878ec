// The two runtime modules these tests use, typed as far as they use them
// (the full types are @cloudflare/workers-types, which this repo does not install).
declare module 'cloudflare:test' {
  interface D1Statement {
    bind(...values: unknown[]): D1Statement;
    first<T = Record<string, unknown>>(column?: string): Promise<T | null>;
    all<T = Record<string, unknown>>(): Promise<{ results: T[] }>;
    run(): Promise<unknown>;
  }
  export const env: {
    readonly DB: { prepare(sql: string): D1Statement };
    readonly HLS_BUCKET: { put(key: string, value: string | Uint8Array): Promise<unknown> };
  };
  export function createScheduledController(o?: { scheduledTime?: number; cron?: string }): unknown;
  export function createExecutionContext(): unknown;
  export function waitOnExecutionContext(ctx: unknown): Promise<void>;
}

declare module 'cloudflare:workers' {
  export const exports: {
    readonly default: {
      fetch(input: string | Request, init?: RequestInit): Promise<Response>;
      scheduled?(controller: unknown): Promise<void>;
    };
  };
}
