import { ProtocolError } from '@runnel/shared';
import { MAX_SDP_CHARS, MAX_SDP_FORMATS, MAX_SDP_LINES, MAX_SDP_LINE_CHARS, MAX_SDP_MEDIA_SECTIONS } from './limits.ts';

/** `a=name` or `a=name:value` (RFC 8866 5.13); `value` is undefined for a property attribute. */
export interface SdpAttribute {
  readonly name: string;
  readonly value?: string;
}

/** One m-section (RFC 8866 5.14) with its attributes in order. */
export interface SdpMediaSection {
  /** 'audio', 'video', 'application', ... as written. */
  readonly kind: string;
  readonly port: number;
  /** e.g. 'UDP/TLS/RTP/SAVPF'. */
  readonly protocol: string;
  /** Payload types (as strings) or other format tokens. */
  readonly formats: readonly string[];
  /** The c= line of the section, if any. */
  readonly connection?: string;
  readonly attributes: readonly SdpAttribute[];
}

/** A parsed session description: the session part and its m-sections. */
export interface SessionDescription {
  readonly origin: string;
  readonly sessionName: string;
  readonly attributes: readonly SdpAttribute[];
  readonly media: readonly SdpMediaSection[];
}

function bad(code: string, why: string): never {
  throw new ProtocolError(code, why);
}

const TOKEN = /^[!#$%&'*+\-.0-9A-Z^_`a-z{|}~]+$/;
/** RFC 8866 9: text is any byte but NUL, CR and LF; we also refuse the other C0 controls except tab. */
// eslint-disable-next-line no-control-regex
const CONTROL = /[\u0000-\u0008\u000a-\u001f\u007f]/;

/**
 * Parses SDP text (RFC 8866) with hard limits on size, line count, line
 * length and m-sections, checked before anything is built. Lines end in CRLF
 * or LF; an empty line is skipped. The text must start with `v=0`; each line
 * is `<letter>=<value>`; line types we do not use (i, u, e, p, b, t, r, z, k)
 * are skipped; attributes are kept raw, in order, for the offer checks to
 * read. Anything else malformed is a `ProtocolError` with an `sdp_*` code.
 *
 * @example
 * const sdp = parseSdp(await request.text());
 */
export function parseSdp(text: string): SessionDescription {
  if (text.length > MAX_SDP_CHARS) bad('sdp_too_large', `SDP of ${text.length} characters (max ${MAX_SDP_CHARS})`);
  const lines = text.split(/\r?\n/);
  if (lines.length > MAX_SDP_LINES) bad('sdp_too_many_lines', `${lines.length} SDP lines (max ${MAX_SDP_LINES})`);
  let origin: string | undefined;
  let sessionName: string | undefined;
  const session: SdpAttribute[] = [];
  const media: { kind: string; port: number; protocol: string; formats: string[]; connection?: string; attributes: SdpAttribute[] }[] = [];
  let first = true;
  for (const line of lines) {
    if (line === '') continue;
    if (line.length > MAX_SDP_LINE_CHARS) bad('sdp_line_too_long', `SDP line of ${line.length} characters (max ${MAX_SDP_LINE_CHARS})`);
    if (CONTROL.test(line)) bad('sdp_bad_line', 'control character in SDP');
    if (line.length < 2 || line[1] !== '=' || line[0]! < 'a' || line[0]! > 'z') bad('sdp_bad_line', `not an SDP line: ${line.slice(0, 40)}`);
    const type = line[0]!;
    const value = line.slice(2);
    if (first) {
      if (type !== 'v' || value !== '0') bad('sdp_bad_version', 'SDP must start with v=0');
      first = false;
      continue;
    }
    const current = media[media.length - 1];
    switch (type) {
      case 'o':
        origin = value;
        break;
      case 's':
        sessionName = value;
        break;
      case 'c':
        if (current) current.connection = value;
        break;
      case 'm': {
        if (media.length >= MAX_SDP_MEDIA_SECTIONS) bad('sdp_too_many_media', `more than ${MAX_SDP_MEDIA_SECTIONS} m-sections`);
        media.push(parseMediaLine(value));
        break;
      }
      case 'a': {
        const colon = value.indexOf(':');
        const name = colon < 0 ? value : value.slice(0, colon);
        if (!TOKEN.test(name)) bad('sdp_bad_attribute', `attribute name ${name.slice(0, 40)}`);
        const attr: SdpAttribute = colon < 0 ? { name } : { name, value: value.slice(colon + 1) };
        (current ? current.attributes : session).push(attr);
        break;
      }
      default:
        break;
    }
  }
  if (first) bad('sdp_bad_version', 'empty SDP');
  if (origin === undefined) bad('sdp_bad_line', 'SDP without o= line');
  return { origin, sessionName: sessionName ?? '', attributes: session, media };
}

/** RFC 8866 5.14: `<media> <port>[/<count>] <proto> <fmt> ...`. */
function parseMediaLine(value: string): { kind: string; port: number; protocol: string; formats: string[]; attributes: SdpAttribute[] } {
  const f = value.split(' ');
  if (f.length < 3) bad('sdp_bad_media_line', `m=${value.slice(0, 60)}`);
  if (f.length - 3 > MAX_SDP_FORMATS) bad('sdp_bad_media_line', `${f.length - 3} formats on one m-line (max ${MAX_SDP_FORMATS})`);
  const [kind, portField, protocol] = f as [string, string, string];
  const port = portField.split('/')[0]!;
  if (!TOKEN.test(kind) || !/^[0-9]{1,5}$/.test(port) || Number(port) > 65535 || !/^[A-Za-z0-9/_.-]+$/.test(protocol)) {
    bad('sdp_bad_media_line', `m=${value.slice(0, 60)}`);
  }
  const formats = f.slice(3);
  for (const fmt of formats) if (!TOKEN.test(fmt)) bad('sdp_bad_media_line', `format ${fmt.slice(0, 20)}`);
  return { kind, port: Number(port), protocol, formats, attributes: [] };
}

/** The value of the first attribute `name` of a section (or the session), if present. */
export function attributeValue(attrs: readonly SdpAttribute[], name: string): string | undefined {
  return attrs.find((a) => a.name === name)?.value;
}

/** True when property attribute `name` is present. */
export function hasAttribute(attrs: readonly SdpAttribute[], name: string): boolean {
  return attrs.some((a) => a.name === name);
}

/** The values of every attribute `name`, in order. */
export function attributeValues(attrs: readonly SdpAttribute[], name: string): string[] {
  const out: string[] = [];
  for (const a of attrs) if (a.name === name && a.value !== undefined) out.push(a.value);
  return out;
}
