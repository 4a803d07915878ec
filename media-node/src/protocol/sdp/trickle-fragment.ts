import { ProtocolError } from '@runnel/shared';
import { parseCandidate } from './candidate.ts';
import type { SdpCandidate } from './candidate.ts';
import { MAX_SDP_CANDIDATES, MAX_SDP_LINE_CHARS, MAX_SDP_LINES } from './limits.ts';

/**
 * Largest trickle ICE fragment: candidates for a few m-sections are a few
 * hundred bytes each, so 16 KiB holds MAX_SDP_CANDIDATES of them.
 */
export const MAX_TRICKLE_FRAGMENT_CHARS = 16 * 1024;

/** A parsed `application/trickle-ice-sdpfrag` body (RFC 8840 4.4, WHIP RFC 9725 4.3). */
export interface TrickleFragment {
  /** Present when the client sends credentials; different ones than the session's mean an ICE restart. */
  readonly iceUfrag?: string;
  readonly icePwd?: string;
  /** Candidates with the mid of the m-line they follow (if any). */
  readonly candidates: readonly { readonly mid?: string; readonly candidate: SdpCandidate }[];
  readonly endOfCandidates: boolean;
}

function bad(code: string, why: string): never {
  throw new ProtocolError(code, why);
}

/**
 * Parses a trickle ICE fragment (the body of a WHIP/WHEP PATCH). Only the
 * lines that matter are read: ice-ufrag, ice-pwd, m= (starts a section),
 * mid, candidate, end-of-candidates; other lines are skipped. Same limits as
 * an offer; a malformed candidate is a `ProtocolError` 'sdp_bad_candidate'.
 * The caller sorts candidates with `candidateRefusal` as for an offer.
 */
export function parseTrickleFragment(text: string): TrickleFragment {
  if (text.length > MAX_TRICKLE_FRAGMENT_CHARS) bad('sdp_too_large', `trickle fragment of ${text.length} characters`);
  const lines = text.split(/\r?\n/);
  if (lines.length > MAX_SDP_LINES) bad('sdp_too_many_lines', `${lines.length} lines`);
  let iceUfrag: string | undefined;
  let icePwd: string | undefined;
  let mid: string | undefined;
  let endOfCandidates = false;
  const candidates: { mid?: string; candidate: SdpCandidate }[] = [];
  for (const line of lines) {
    if (line === '') continue;
    if (line.length > MAX_SDP_LINE_CHARS) bad('sdp_line_too_long', `line of ${line.length} characters`);
    if (line.length < 2 || line[1] !== '=') bad('sdp_bad_line', `not an SDP line: ${line.slice(0, 40)}`);
    if (line.startsWith('m=')) {
      mid = undefined;
      continue;
    }
    if (!line.startsWith('a=')) continue;
    const colon = line.indexOf(':');
    const name = colon < 0 ? line.slice(2) : line.slice(2, colon);
    const value = colon < 0 ? '' : line.slice(colon + 1);
    if (name === 'ice-ufrag') iceUfrag = value;
    else if (name === 'ice-pwd') icePwd = value;
    else if (name === 'mid') mid = value;
    else if (name === 'end-of-candidates') endOfCandidates = true;
    else if (name === 'candidate') {
      if (candidates.length >= MAX_SDP_CANDIDATES) bad('sdp_too_many_candidates', `more than ${MAX_SDP_CANDIDATES} candidates`);
      candidates.push({ ...(mid === undefined ? {} : { mid }), candidate: parseCandidate(value) });
    }
  }
  return { ...(iceUfrag === undefined ? {} : { iceUfrag }), ...(icePwd === undefined ? {} : { icePwd }), candidates, endOfCandidates };
}
