/**
 * Classifies the addresses an SDP candidate asks us to send ICE checks to, so
 * the caller can refuse the ones that would turn the media node into a probe
 * of its own network (bad-inputs: "candidates pointing at private or metadata
 * addresses"). Pure parsing, no DNS: a hostname is classified by its name.
 */
export type AddressClass =
  | 'public'
  | 'private'
  | 'shared'
  | 'loopback'
  | 'link_local'
  | 'metadata'
  | 'unspecified'
  | 'multicast'
  | 'reserved'
  | 'mdns'
  | 'hostname'
  | 'invalid';

/**
 * Cloud instance metadata endpoints: AWS/GCP/Azure/OpenStack/DigitalOcean/
 * Oracle IMDS 169.254.169.254, AWS ECS task metadata 169.254.170.2, Alibaba
 * 100.100.100.200, Oracle legacy 192.0.0.192, AWS IMDS over IPv6 fd00:ec2::254.
 */
const METADATA_V4 = new Set(['169.254.169.254', '169.254.170.2', '100.100.100.200', '192.0.0.192']);
const METADATA_V6 = new Set(['fd00:ec2:0:0:0:0:0:254']);
const METADATA_NAMES = new Set(['metadata.google.internal', 'metadata', 'instance-data', 'metadata.azure.com']);

/** Strict dotted quad: four decimal octets, no leading zeros (some stacks read those as octal). */
export function parseIpv4(s: string): Uint8Array | undefined {
  const parts = s.split('.');
  if (parts.length !== 4) return undefined;
  const out = new Uint8Array(4);
  for (let i = 0; i < 4; i++) {
    const p = parts[i]!;
    if (!/^(0|[1-9][0-9]{0,2})$/.test(p)) return undefined;
    const n = Number(p);
    if (n > 255) return undefined;
    out[i] = n;
  }
  return out;
}

/** RFC 4291 2.2 text forms (with "::" and a trailing dotted quad); no zone id. */
export function parseIpv6(s: string): Uint8Array | undefined {
  if (s.length > 45 || !/^[0-9a-fA-F:.]+$/.test(s)) return undefined;
  const halves = s.split('::');
  if (halves.length > 2) return undefined;
  const groups = (h: string): number[] | undefined => {
    if (h === '') return [];
    const out: number[] = [];
    const parts = h.split(':');
    for (let i = 0; i < parts.length; i++) {
      const p = parts[i]!;
      if (i === parts.length - 1 && p.includes('.')) {
        const v4 = parseIpv4(p);
        if (!v4) return undefined;
        out.push((v4[0]! << 8) | v4[1]!, (v4[2]! << 8) | v4[3]!);
      } else if (/^[0-9a-fA-F]{1,4}$/.test(p)) out.push(parseInt(p, 16));
      else return undefined;
    }
    return out;
  };
  const head = groups(halves[0]!);
  const tail = halves.length === 2 ? groups(halves[1]!) : [];
  if (!head || !tail) return undefined;
  const missing = 8 - head.length - tail.length;
  if (halves.length === 2 ? missing < 1 : missing !== 0) return undefined;
  const all = [...head, ...new Array<number>(missing).fill(0), ...tail];
  const out = new Uint8Array(16);
  all.forEach((g, i) => {
    out[i * 2] = g >>> 8;
    out[i * 2 + 1] = g & 0xff;
  });
  return out;
}

function inV4(a: Uint8Array, net: readonly number[], bits: number): boolean {
  for (let i = 0; i < 4 && bits > 0; i++, bits -= 8) {
    const mask = bits >= 8 ? 0xff : (0xff << (8 - bits)) & 0xff;
    if ((a[i]! & mask) !== (net[i]! & mask)) return false;
  }
  return true;
}

/** IANA IPv4 Special-Purpose Address Registry (RFC 6890), in the classes we act on. */
export function classifyIpv4(a: Uint8Array): AddressClass {
  if (METADATA_V4.has(a.join('.'))) return 'metadata';
  if (inV4(a, [0, 0, 0, 0], 8)) return 'unspecified';
  if (inV4(a, [10, 0, 0, 0], 8) || inV4(a, [172, 16, 0, 0], 12) || inV4(a, [192, 168, 0, 0], 16)) return 'private';
  if (inV4(a, [100, 64, 0, 0], 10)) return 'shared';
  if (inV4(a, [127, 0, 0, 0], 8)) return 'loopback';
  if (inV4(a, [169, 254, 0, 0], 16)) return 'link_local';
  if (inV4(a, [224, 0, 0, 0], 4)) return 'multicast';
  if (
    inV4(a, [192, 0, 0, 0], 24) || inV4(a, [192, 0, 2, 0], 24) || inV4(a, [198, 51, 100, 0], 24) ||
    inV4(a, [203, 0, 113, 0], 24) || inV4(a, [198, 18, 0, 0], 15) || inV4(a, [240, 0, 0, 0], 4)
  ) {
    return 'reserved';
  }
  return 'public';
}

/** IANA IPv6 Special-Purpose Address Registry; embedded IPv4 (mapped, NAT64, 6to4) is classified as IPv4. */
export function classifyIpv6(a: Uint8Array): AddressClass {
  const g = (i: number): number => (a[i * 2]! << 8) | a[i * 2 + 1]!;
  const text = Array.from({ length: 8 }, (_, i) => g(i).toString(16)).join(':');
  if (METADATA_V6.has(text)) return 'metadata';
  const zeroTo = (n: number): boolean => a.subarray(0, n).every((b) => b === 0);
  if (zeroTo(16)) return 'unspecified';
  if (zeroTo(15) && a[15] === 1) return 'loopback';
  if (zeroTo(10) && g(5) === 0xffff) return classifyIpv4(a.subarray(12)); // ::ffff:0:0/96 mapped
  if (g(0) === 0x64 && g(1) === 0xff9b && g(2) === 0 && g(3) === 0 && g(4) === 0 && g(5) === 0) return classifyIpv4(a.subarray(12)); // 64:ff9b::/96
  if (g(0) === 0x2002) return classifyIpv4(a.subarray(2, 6)); // 6to4
  if (zeroTo(12)) return 'reserved'; // deprecated IPv4-compatible
  if ((a[0]! & 0xfe) === 0xfc) return 'private'; // fc00::/7 unique local
  if (a[0] === 0xfe && (a[1]! & 0xc0) === 0x80) return 'link_local'; // fe80::/10
  if (a[0] === 0xff) return 'multicast';
  if (g(0) === 0x2001 && g(1) === 0x0db8) return 'reserved'; // documentation
  if ((a[0]! & 0xe0) !== 0x20) return 'reserved'; // outside 2000::/3 global unicast
  return 'public';
}

/** RFC 1123 host name: labels of letters, digits and hyphens, at most 253 characters. */
const HOSTNAME = /^(?=.{1,253}$)([A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?)(\.[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?)*\.?$/;

/**
 * The class of a candidate's connection address: an IPv4/IPv6 literal, an
 * mDNS name (`<uuid>.local`, draft-ietf-mmusic-mdns-ice-candidates: browsers
 * hide host addresses this way) or another host name.
 *
 * @example
 * if (classifyAddress(c.address) === 'metadata') refuse();
 */
export function classifyAddress(address: string): AddressClass {
  const v4 = parseIpv4(address);
  if (v4) return classifyIpv4(v4);
  if (address.includes(':')) {
    const v6 = parseIpv6(address);
    return v6 ? classifyIpv6(v6) : 'invalid';
  }
  if (!HOSTNAME.test(address) || /^[0-9.]+$/.test(address)) return 'invalid';
  const name = address.toLowerCase().replace(/\.$/, '');
  if (METADATA_NAMES.has(name)) return 'metadata';
  if (name === 'localhost' || name.endsWith('.localhost')) return 'loopback'; // RFC 6761 6.3
  return name.endsWith('.local') ? 'mdns' : 'hostname';
}
