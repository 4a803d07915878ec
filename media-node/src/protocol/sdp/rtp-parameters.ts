import { ProtocolError } from '@runnel/shared';
import { MAX_EXTMAP_URI_CHARS, MAX_FMTP_PARAMS } from './limits.ts';
import { attributeValues } from './session-description.ts';
import type { SdpMediaSection } from './session-description.ts';

/** One `a=rtcp-fb` entry (RFC 4585 4.2): e.g. `nack`, `nack pli`, `ccm fir`, `goog-remb`, `transport-cc`. */
export interface RtcpFeedback {
  readonly type: string;
  readonly parameter?: string;
}

/** A payload type of an m-section with its rtpmap, fmtp and rtcp-fb lines. */
export interface SdpCodec {
  readonly payloadType: number;
  /** Encoding name as written (compare case-insensitively, RFC 8866 6.6). */
  readonly name: string;
  readonly clockRate: number;
  readonly channels?: number;
  /** fmtp parameters, keys lower-cased (RFC 6184 8.1 and RFC 7587 7: names are case-insensitive). */
  readonly parameters: Readonly<Record<string, string>>;
  /** The fmtp value after the payload type, as written (for codecs with another format). */
  readonly fmtp?: string;
  readonly feedback: readonly RtcpFeedback[];
}

/** One `a=extmap` (RFC 8285 8). */
export interface SdpExtmap {
  readonly id: number;
  readonly direction?: string;
  readonly uri: string;
}

function bad(code: string, why: string): never {
  throw new ProtocolError(code, why);
}

function payloadType(s: string, what: string): number {
  if (!/^[0-9]{1,3}$/.test(s) || Number(s) > 127) bad(`sdp_bad_${what}`, `payload type ${s.slice(0, 8)}`);
  return Number(s);
}

/**
 * The codecs of an RTP m-section, in the order of its m-line (the offerer's
 * preference, RFC 3264 5.1). rtpmap (RFC 8866 6.6), fmtp (6.15) and rtcp-fb
 * lines are matched by payload type; a static payload type without rtpmap is
 * left out (WebRTC uses none); a line that does not parse is a `ProtocolError`.
 */
export function sectionCodecs(m: SdpMediaSection): SdpCodec[] {
  const maps = new Map<number, { name: string; clockRate: number; channels?: number }>();
  for (const v of attributeValues(m.attributes, 'rtpmap')) {
    const match = /^([0-9]{1,3}) ([A-Za-z0-9_.-]{1,32})\/([0-9]{1,9})(?:\/([0-9]{1,2}))?$/.exec(v);
    if (!match) bad('sdp_bad_rtpmap', `rtpmap ${v.slice(0, 60)}`);
    const pt = payloadType(match[1]!, 'rtpmap');
    if (maps.has(pt)) bad('sdp_bad_rtpmap', `two rtpmap lines for payload type ${pt}`);
    maps.set(pt, { name: match[2]!, clockRate: Number(match[3]), ...(match[4] ? { channels: Number(match[4]) } : {}) });
  }
  const params = new Map<number, { parameters: Record<string, string>; fmtp: string }>();
  for (const v of attributeValues(m.attributes, 'fmtp')) {
    const sp = v.indexOf(' ');
    const pt = payloadType(sp < 0 ? v : v.slice(0, sp), 'fmtp');
    if (params.has(pt)) bad('sdp_bad_fmtp', `two fmtp lines for payload type ${pt}`);
    const fmtp = sp < 0 ? '' : v.slice(sp + 1);
    params.set(pt, { parameters: parseFmtp(fmtp), fmtp });
  }
  const feedback = new Map<string, RtcpFeedback[]>();
  for (const v of attributeValues(m.attributes, 'rtcp-fb')) {
    const match = /^(\*|[0-9]{1,3}) ([A-Za-z0-9_-]{1,32})(?: ([A-Za-z0-9_ -]{1,64}))?$/.exec(v);
    if (!match) bad('sdp_bad_rtcp_fb', `rtcp-fb ${v.slice(0, 60)}`);
    const key = match[1]!;
    const list = feedback.get(key) ?? [];
    list.push({ type: match[2]!, ...(match[3] ? { parameter: match[3] } : {}) });
    feedback.set(key, list);
  }
  const out: SdpCodec[] = [];
  for (const fmt of m.formats) {
    if (!/^[0-9]{1,3}$/.test(fmt)) continue;
    const pt = Number(fmt);
    const map = maps.get(pt);
    if (!map) continue;
    const fmtp = params.get(pt);
    out.push({
      payloadType: pt,
      ...map,
      parameters: fmtp?.parameters ?? {},
      ...(fmtp ? { fmtp: fmtp.fmtp } : {}),
      feedback: [...(feedback.get('*') ?? []), ...(feedback.get(fmt) ?? [])],
    });
  }
  return out;
}

/**
 * `key=value;key=value` (RFC 8866 6.15 leaves the format to the codec; the
 * WebRTC video codecs and Opus use this one). Parts that are not a parameter
 * name are skipped, so codecs with another format (RED) do not fail the offer.
 */
export function parseFmtp(s: string): Record<string, string> {
  const out: Record<string, string> = Object.create(null) as Record<string, string>;
  if (s.trim() === '') return out;
  const parts = s.split(';');
  if (parts.length > MAX_FMTP_PARAMS) bad('sdp_bad_fmtp', `${parts.length} fmtp parameters (max ${MAX_FMTP_PARAMS})`);
  for (const part of parts) {
    const p = part.trim();
    if (p === '') continue;
    const eq = p.indexOf('=');
    const key = (eq < 0 ? p : p.slice(0, eq)).trim().toLowerCase();
    // Not a key=value list (RED's "111/111", RFC 2198 5): left to the raw `fmtp`.
    if (!/^[a-z0-9_-]{1,64}$/.test(key)) continue;
    out[key] = eq < 0 ? '' : p.slice(eq + 1).trim();
  }
  return out;
}

/** The extmap lines of a section (RFC 8285 8): ids 1-14 and 16-255 (15 is reserved, 4.2). */
export function sectionExtmaps(m: SdpMediaSection): SdpExtmap[] {
  const out: SdpExtmap[] = [];
  for (const v of attributeValues(m.attributes, 'extmap')) {
    const match = /^([0-9]{1,3})(?:\/(sendrecv|sendonly|recvonly|inactive))? (\S+)(?: .*)?$/.exec(v);
    if (!match) bad('sdp_bad_extmap', `extmap ${v.slice(0, 60)}`);
    const id = Number(match[1]);
    const uri = match[3]!;
    if (id < 1 || id > 255 || id === 15) bad('sdp_bad_extmap', `extmap id ${id}`);
    if (uri.length > MAX_EXTMAP_URI_CHARS) bad('sdp_bad_extmap', `extmap URI of ${uri.length} characters`);
    if (out.some((e) => e.id === id)) bad('sdp_bad_extmap', `extmap id ${id} used twice`);
    out.push({ id, ...(match[2] ? { direction: match[2] } : {}), uri });
  }
  return out;
}

/** H.264 profile-level-id (RFC 6184 8.1): profile_idc, the constraint flags byte and level_idc. */
export interface H264ProfileLevel {
  readonly profileIdc: number;
  readonly profileIop: number;
  readonly levelIdc: number;
}

/** RFC 6184 8.1: without the parameter, Baseline profile level 1 ('420010'). */
export function h264ProfileLevel(parameters: Readonly<Record<string, string>>): H264ProfileLevel {
  const v = parameters['profile-level-id'] ?? '420010';
  if (!/^[0-9A-Fa-f]{6}$/.test(v)) bad('sdp_bad_fmtp', `profile-level-id ${v.slice(0, 12)}`);
  const n = parseInt(v, 16);
  return { profileIdc: n >>> 16, profileIop: (n >>> 8) & 0xff, levelIdc: n & 0xff };
}

/** RFC 6184 8.1: packetization-mode, 0 when absent; undefined when not a number. */
export function h264PacketizationMode(parameters: Readonly<Record<string, string>>): number | undefined {
  const v = parameters['packetization-mode'] ?? '0';
  return /^[0-9]$/.test(v) ? Number(v) : undefined;
}

/**
 * RFC 6184 8.1 sprop-parameter-sets: the SPS and PPS as base64 NAL units
 * separated by commas. Senders that keep parameter sets out of band (ffmpeg's
 * RTP muxer, some encoders) only announce them here; the depacketizer starts
 * from them. Malformed base64 or an empty unit is a `ProtocolError`.
 */
export function h264SpropParameterSets(parameters: Readonly<Record<string, string>>): Uint8Array[] {
  const v = parameters['sprop-parameter-sets'];
  if (v === undefined || v === '') return [];
  return v.split(',').map((b64) => {
    if (b64.length === 0 || b64.length % 4 !== 0 || !/^[A-Za-z0-9+/]+={0,2}$/.test(b64)) bad('sdp_bad_fmtp', `sprop-parameter-sets unit ${b64.slice(0, 20)}`);
    const bin = atob(b64);
    if (bin.length === 0) bad('sdp_bad_fmtp', 'empty sprop-parameter-sets unit');
    return Uint8Array.from(bin, (c) => c.charCodeAt(0));
  });
}
