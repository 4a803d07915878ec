import { ProtocolError } from '@runnel/shared';
import { expandTemplate } from '../hls/file-template.ts';

/**
 * SRS `vhost { dvr { ... } }` (srs.md 9.2) in milliseconds. `file` is SRS's
 * `dvr_path` below the store root: its extension picks the format (`.mp4`
 * -> MP4, anything else FLV, `SrsDvr::initialize`), and a template that
 * names no file (SRS 1 rule) gets `/[stream].[timestamp].flv` appended.
 */
export type DvrPlan = 'session' | 'segment';
export type DvrFormat = 'flv' | 'mp4';

export interface DvrConfig {
  /** SRS `dvr_plan`: one file per publish, or a new file every `durationMs`. */
  readonly plan: DvrPlan;
  /** SRS `dvr_path` below the store root: `[vhost] [app] [stream] [2006] [01] [02] [15] [04] [05] [999] [timestamp]`. */
  readonly file: string;
  /** SRS `dvr_duration` (segment plan). */
  readonly durationMs: number;
  /** SRS `dvr_wait_keyframe` (segment plan): cut only at a video keyframe once over the duration. */
  readonly waitKeyframe: boolean;
}

export interface ResolvedDvrConfig extends DvrConfig {
  readonly format: DvrFormat;
}

/** SRS defaults (`4.0:trunk/conf/full.conf`): session plan, 30 s segments, wait for keyframes. */
export const DEFAULT_DVR_CONFIG: DvrConfig = {
  plan: 'session',
  file: '[app]/[stream].[timestamp].flv',
  durationMs: 30_000,
  waitKeyframe: true,
};

/** Shorter segments than this would make a file per GOP or less; SRS has no floor, we refuse it as a config error. */
export const MIN_DVR_DURATION_MS = 1000;

const FILE_EXTENSION = /\.(flv|mp4)$/;

export function resolveDvrConfig(partial: Partial<DvrConfig> = {}): ResolvedDvrConfig {
  const c = { ...DEFAULT_DVR_CONFIG, ...partial };
  if (!Number.isFinite(c.durationMs) || c.durationMs < MIN_DVR_DURATION_MS) {
    throw new ProtocolError('dvr_bad_config', `dvr duration ${c.durationMs} ms, at least ${MIN_DVR_DURATION_MS}`);
  }
  const file = FILE_EXTENSION.test(c.file) ? c.file : `${c.file.replace(/\/+$/, '')}/[stream].[timestamp].flv`;
  // A template that cannot make a safe key is a config error: refuse it now, not at the first file.
  expandTemplate(file, { vhost: 'v', app: 'a', stream: 's', timeMs: 0 });
  return { ...c, file, format: file.endsWith('.mp4') ? 'mp4' : 'flv' };
}
