import { ProtocolError } from '@runnel/shared';
import { classifyAddress } from './address.ts';
import type { AddressClass } from './address.ts';
import { MAX_CANDIDATE_EXTENSIONS } from './limits.ts';

export type CandidateType = 'host' | 'srflx' | 'prflx' | 'relay';

/** An ICE candidate (RFC 8839 5.1), with the class of its address. */
export interface SdpCandidate {
  readonly foundation: string;
  readonly component: number;
  /** Lower case: 'udp' or 'tcp'. */
  readonly transport: string;
  readonly priority: number;
  readonly address: string;
  readonly port: number;
  readonly type: CandidateType;
  readonly relatedAddress?: string;
  readonly relatedPort?: number;
  /** Extension attributes in order (tcptype, generation, ufrag, network-id, ...). */
  readonly extensions: readonly (readonly [string, string])[];
  readonly addressClass: AddressClass;
}

const ICE_CHARS = /^[A-Za-z0-9+/]{1,32}$/;
const TOKEN = /^[!#$%&'*+\-.0-9A-Z^_`a-z{|}~]+$/;
const TYPES: ReadonlySet<string> = new Set(['host', 'srflx', 'prflx', 'relay']);

function bad(why: string): never {
  throw new ProtocolError('sdp_bad_candidate', why);
}

function port(s: string | undefined): number {
  if (s === undefined || !/^[0-9]{1,5}$/.test(s) || Number(s) > 65535) bad(`port ${s}`);
  return Number(s);
}

/**
 * Parses the value of an `a=candidate:` attribute (without the `candidate:`
 * prefix, as SDP and trickle ICE fragments carry it; the prefix is tolerated).
 * Every fixed field is checked against RFC 8839's grammar; a malformed one is
 * a `ProtocolError` 'sdp_bad_candidate'.
 *
 * @example
 * parseCandidate('1 1 udp 2122260223 192.0.2.1 54400 typ host generation 0')
 */
export function parseCandidate(value: string): SdpCandidate {
  const f = value.replace(/^candidate:/, '').split(' ');
  if (f.length < 8 || f.length > 12 + MAX_CANDIDATE_EXTENSIONS * 2) bad(`${f.length} fields`);
  const [foundation, comp, transport, prio, address, p, typ, type] = f as [string, string, string, string, string, string, string, string];
  if (!ICE_CHARS.test(foundation)) bad(`foundation ${foundation}`);
  if (!/^[0-9]{1,3}$/.test(comp) || Number(comp) < 1 || Number(comp) > 256) bad(`component ${comp}`);
  const tr = transport.toLowerCase();
  if (tr !== 'udp' && tr !== 'tcp') bad(`transport ${transport}`);
  if (!/^[0-9]{1,10}$/.test(prio) || Number(prio) > 0xffffffff) bad(`priority ${prio}`);
  const addressClass = classifyAddress(address);
  if (addressClass === 'invalid') bad(`address ${address.slice(0, 64)}`);
  const candidatePort = port(p);
  if (typ !== 'typ' || !TYPES.has(type)) bad(`type ${typ} ${type}`);
  let relatedAddress: string | undefined;
  let relatedPort: number | undefined;
  const extensions: [string, string][] = [];
  for (let i = 8; i < f.length; i += 2) {
    const name = f[i]!;
    const val = f[i + 1];
    if (val === undefined || !TOKEN.test(name) || val === '') bad(`extension ${name}`);
    if (name === 'raddr') {
      if (classifyAddress(val) === 'invalid') bad(`raddr ${val.slice(0, 64)}`);
      relatedAddress = val;
    } else if (name === 'rport') relatedPort = port(val);
    else extensions.push([name, val]);
  }
  if (extensions.length > MAX_CANDIDATE_EXTENSIONS) bad(`${extensions.length} extensions`);
  return {
    foundation,
    component: Number(comp),
    transport: tr,
    priority: Number(prio),
    address,
    port: candidatePort,
    type: type as CandidateType,
    ...(relatedAddress === undefined ? {} : { relatedAddress }),
    ...(relatedPort === undefined ? {} : { relatedPort }),
    extensions,
    addressClass,
  };
}

/**
 * The address classes a media node sends ICE checks to by default: public
 * addresses, and mDNS names (browsers hide host addresses that way; what a
 * name resolves to must be checked again at the pair, e.g. in werift's
 * `iceFilterCandidatePair`). Deployments on a LAN and the loopback-only
 * browser tests add 'private' / 'loopback'.
 */
export const DEFAULT_ALLOWED_ADDRESS_CLASSES: ReadonlySet<AddressClass> = new Set(['public', 'mdns']);

/** Why a candidate is refused, or undefined when its address class is allowed. */
export function candidateRefusal(c: SdpCandidate, allowed: ReadonlySet<AddressClass> = DEFAULT_ALLOWED_ADDRESS_CLASSES): AddressClass | undefined {
  if (c.addressClass === 'metadata') return 'metadata'; // never, whatever the policy says
  return allowed.has(c.addressClass) ? undefined : c.addressClass;
}
