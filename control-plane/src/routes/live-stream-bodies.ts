import { z } from 'zod';
import { REGION_PATTERN } from '@runnel/shared/node-api';

/** Request bodies of the live stream endpoints. Strict: an unknown field is a 422 naming it (typos do not pass silently). */

/** Mux caps its reconnect window at 1800 s (hosted-apis.md 2.2); so do we. */
export const MAX_RECONNECT_WINDOW_S = 1800;
/** Mux's default for standard latency. */
export const DEFAULT_RECONNECT_WINDOW_S = 60;

const fields = {
  name: z.string().trim().min(1).max(128),
  /** Free text echoed back (Mux `passthrough`, ≤ 255 characters). */
  passthrough: z.string().max(255).nullable(),
  enabled: z.boolean(),
  playback_policy: z.enum(['public', 'signed']),
  recording: z.strictObject({ mode: z.enum(['off', 'automatic']) }),
  reconnect_window_s: z.number().int().min(0).max(MAX_RECONNECT_WINDOW_S),
};

export const createLiveStreamBody = z.strictObject({
  name: fields.name,
  passthrough: fields.passthrough.optional(),
  enabled: fields.enabled.default(true),
  playback_policy: fields.playback_policy.default('public'),
  recording: fields.recording.default({ mode: 'off' }),
  reconnect_window_s: fields.reconnect_window_s.default(DEFAULT_RECONNECT_WINDOW_S),
});

export const updateLiveStreamBody = z
  .strictObject({
    name: fields.name.optional(),
    passthrough: fields.passthrough.optional(),
    enabled: fields.enabled.optional(),
    playback_policy: fields.playback_policy.optional(),
    recording: fields.recording.optional(),
    reconnect_window_s: fields.reconnect_window_s.optional(),
  })
  .refine((b) => Object.keys(b).length > 0, 'send at least one field to change');

export const publishUrlsBody = z.strictObject({
  /** Allocate on a node in this region (any region when absent). */
  region: z.string().regex(REGION_PATTERN).optional(),
});
