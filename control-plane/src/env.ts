import { z } from 'zod';
import { MIN_SECRET_CHARS } from '@runnel/shared/signed-token';
import type { SigningKey } from '@runnel/shared/signed-token';

/**
 * The configuration, read once at an entry from `process.env` (Node) or the
 * Worker's `env` (vars and secrets), and passed down as a readonly object.
 * Nothing below the entries reads the environment. Errors name the variable.
 */

export interface AppConfig {
  /** Shared secret the media nodes send as Bearer on `/internal`. */
  readonly nodeToken: string;
  /** Enables `/admin` (create tenants) when set. */
  readonly adminToken: string | undefined;
  /** A tenant API key to make sure exists at start (scripts, tests, `runnel start`). */
  readonly bootstrapApiKey: string | undefined;
  /** Where HLS is played from: the CDN, or this control plane's delivery route. No trailing slash. */
  readonly hlsBaseUrl: string;
  /** Keys for signed playback tokens; the first signs, all verify (rotation by `kid`). */
  readonly playbackKeys: readonly SigningKey[];
  readonly maxBodyBytes: number;
  readonly rateLimit: { readonly perSecond: number; readonly burst: number };
  /**
   * Webhook endpoints may be http and on loopback/private addresses (the
   * one-machine platform and tests). Off in production: endpoints must be
   * https on public addresses (webhooks/url-safety.ts).
   */
  readonly webhookAllowInsecure: boolean;
}

/** A create-stream body is well under 2 KiB; 64 KiB leaves room for metadata without letting a client stream megabytes at us. */
export const DEFAULT_MAX_BODY_BYTES = 64 * 1024;

const secret = z.string().min(MIN_SECRET_CHARS, `at least ${MIN_SECRET_CHARS} characters`);
const positiveInt = (fallback: number) => z.coerce.number().int().positive().default(fallback);

/** `kid:secret,kid2:secret2`, the first one signing. */
const playbackKeys = z
  .string()
  .default('')
  .transform((text, ctx): SigningKey[] => {
    const keys: SigningKey[] = [];
    for (const pair of text.split(',').filter((p) => p.trim() !== '')) {
      const at = pair.indexOf(':');
      const key = { kid: pair.slice(0, at).trim(), secret: pair.slice(at + 1).trim() };
      if (at <= 0 || key.secret.length < MIN_SECRET_CHARS) {
        ctx.addIssue({ code: 'custom', message: `each entry is kid:secret with a secret of at least ${MIN_SECRET_CHARS} characters` });
        return z.NEVER;
      }
      keys.push(key);
    }
    return keys;
  });

/** An explicit on/off switch: unset is off, anything but these words is an error (no surprise truthiness). */
const flag = z
  .enum(['1', 'true', 'yes', '0', 'false', 'no', ''])
  .default('')
  .transform((v) => v === '1' || v === 'true' || v === 'yes');

const appEnvSchema = z.object({
  RUNNEL_NODE_TOKEN: secret,
  RUNNEL_ADMIN_TOKEN: secret.optional(),
  RUNNEL_BOOTSTRAP_API_KEY: z.string().regex(/^rnl_[0-9a-z]{28,}$/, 'rnl_ followed by at least 28 lowercase letters or digits').optional(),
  RUNNEL_PUBLIC_URL: z.url({ protocol: /^https?$/ }).default('http://localhost:8787'),
  RUNNEL_HLS_BASE_URL: z.url({ protocol: /^https?$/ }).optional(),
  RUNNEL_PLAYBACK_KEYS: playbackKeys,
  RUNNEL_MAX_BODY_BYTES: positiveInt(DEFAULT_MAX_BODY_BYTES),
  RUNNEL_RATE_LIMIT_PER_S: positiveInt(20),
  RUNNEL_RATE_LIMIT_BURST: positiveInt(100),
  RUNNEL_WEBHOOK_ALLOW_INSECURE: flag,
});

const nodeEnvSchema = appEnvSchema.extend({
  /** 0 = any free port (tests). */
  PORT: z.coerce.number().int().min(0).max(65535).default(8787),
  HOST: z.string().default('127.0.0.1'),
  /** libsql URL or file path; `:memory:` works for throwaway runs. */
  RUNNEL_DB_FILE: z.string().min(1).default('.runnel/control-plane.db'),
});

export class EnvError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'EnvError';
  }
}

function parse<T extends z.ZodType>(schema: T, source: Readonly<Record<string, unknown>>): z.infer<T> {
  const r = schema.safeParse(source);
  if (!r.success) {
    const lines = r.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`);
    throw new EnvError(`invalid environment:\n  ${lines.join('\n  ')}`);
  }
  return r.data;
}

function toAppConfig(e: z.infer<typeof appEnvSchema>): AppConfig {
  const publicUrl = e.RUNNEL_PUBLIC_URL.replace(/\/+$/, '');
  return Object.freeze({
    nodeToken: e.RUNNEL_NODE_TOKEN,
    adminToken: e.RUNNEL_ADMIN_TOKEN,
    bootstrapApiKey: e.RUNNEL_BOOTSTRAP_API_KEY,
    hlsBaseUrl: (e.RUNNEL_HLS_BASE_URL ?? `${publicUrl}/hls`).replace(/\/+$/, ''),
    playbackKeys: e.RUNNEL_PLAYBACK_KEYS,
    maxBodyBytes: e.RUNNEL_MAX_BODY_BYTES,
    rateLimit: { perSecond: e.RUNNEL_RATE_LIMIT_PER_S, burst: e.RUNNEL_RATE_LIMIT_BURST },
    webhookAllowInsecure: e.RUNNEL_WEBHOOK_ALLOW_INSECURE,
  });
}

/** For the Worker entry: vars and secrets from `env` (bindings are checked by the entry). */
export function parseAppEnv(source: Readonly<Record<string, unknown>>): AppConfig {
  return toAppConfig(parse(appEnvSchema, source));
}

export interface NodeEntryConfig {
  readonly app: AppConfig;
  readonly port: number;
  readonly host: string;
  readonly dbFile: string;
}

/** For the Node entry: everything from `process.env`. */
export function parseNodeEnv(source: Readonly<Record<string, unknown>>): NodeEntryConfig {
  const e = parse(nodeEnvSchema, source);
  return Object.freeze({ app: toAppConfig(e), port: e.PORT, host: e.HOST, dbFile: e.RUNNEL_DB_FILE });
}
