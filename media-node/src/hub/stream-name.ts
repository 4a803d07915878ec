/**
 * The one rule for app and stream names, shared by every protocol (RTMP
 * publish/play, HTTP-FLV/TS paths, SRT stream ids, WHIP/WHEP queries). Names
 * become file paths (HLS, DVR) and playlist lines, so they are allowlisted,
 * not escaped (bad-inputs rows 30-32): `^[0-9A-Za-z_\-./]{1,128}$`, no `.` or
 * `..` segment, no empty segment, no leading or trailing `/`. That rejects
 * path traversal in every encoding (`%` is not allowed), CR/LF playlist
 * injection, shell metacharacters and NUL.
 */

/** Longest app or stream name: SRS and nginx-rtmp users stay far below; 4 KiB names are attacks (row 30). */
export const MAX_NAME_LENGTH = 128;

const ALLOWED = /^[0-9A-Za-z_\-./]+$/;

export type NameProblem = 'empty' | 'too_long' | 'bad_characters' | 'bad_segment';

/** Why `name` is not acceptable, or null when it is. */
export function nameProblem(name: unknown): NameProblem | null {
  if (typeof name !== 'string' || name.length === 0) return 'empty';
  if (name.length > MAX_NAME_LENGTH) return 'too_long';
  if (!ALLOWED.test(name)) return 'bad_characters';
  if (name.startsWith('/') || name.endsWith('/')) return 'bad_segment';
  for (const seg of name.split('/')) if (seg === '' || seg === '.' || seg === '..') return 'bad_segment';
  return null;
}

export function isValidName(name: unknown): name is string {
  return nameProblem(name) === null;
}
