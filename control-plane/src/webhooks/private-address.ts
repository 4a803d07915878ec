/**
 * Addresses a webhook must never be sent to: this machine, private networks,
 * link-local (where cloud metadata lives: 169.254.169.254), carrier-grade
 * NAT, multicast and reserved space. A tenant who could make the control
 * plane POST there could reach services that trust the network (SSRF).
 * The ranges are IANA's special-purpose registries (RFC 6890, updated by
 * RFC 8190): https://www.iana.org/assignments/iana-ipv4-special-registry
 * and iana-ipv6-special-registry, minus the globally reachable ones.
 */

/** [first octets as a 32-bit number, prefix length]. */
const V4_BLOCKED: ReadonlyArray<readonly [string, number]> = [
  ['0.0.0.0', 8], // RFC 1122 3.2.1.3 "this network"
  ['10.0.0.0', 8], // RFC 1918
  ['100.64.0.0', 10], // RFC 6598 carrier-grade NAT
  ['127.0.0.0', 8], // RFC 1122 loopback
  ['169.254.0.0', 16], // RFC 3927 link-local, incl. cloud metadata 169.254.169.254
  ['172.16.0.0', 12], // RFC 1918
  ['192.0.0.0', 24], // RFC 6890 IETF protocol assignments
  ['192.168.0.0', 16], // RFC 1918
  ['198.18.0.0', 15], // RFC 2544 benchmarking
  ['224.0.0.0', 4], // RFC 5771 multicast
  ['240.0.0.0', 4], // RFC 1112 reserved, incl. 255.255.255.255 broadcast
];

/** Four octets, or null when `text` is not dotted-decimal IPv4 (what URL and DNS give us; no octal or hex forms). */
export function parseIpv4(text: string): number | null {
  const parts = text.split('.');
  if (parts.length !== 4) return null;
  let n = 0;
  for (const p of parts) {
    if (!/^(?:0|[1-9][0-9]{0,2})$/.test(p) || Number(p) > 255) return null;
    n = n * 256 + Number(p);
  }
  return n;
}

const V4_RANGES = V4_BLOCKED.map(([base, bits]) => ({ base: parseIpv4(base) as number, bits }));

function inV4Range(n: number, base: number, bits: number): boolean {
  const size = 2 ** (32 - bits);
  return Math.floor(n / size) === Math.floor(base / size);
}

export function isBlockedIpv4(n: number): boolean {
  return V4_RANGES.some((r) => inV4Range(n, r.base, r.bits));
}

/** Eight 16-bit groups, or null when `text` is not an IPv6 address (RFC 4291 2.2, incl. `::` and a dotted IPv4 tail). */
export function parseIpv6(text: string): number[] | null {
  let s = text.toLowerCase();
  if (s.startsWith('[') && s.endsWith(']')) s = s.slice(1, -1);
  // A zone id (`fe80::1%eth0`) names an interface: only link-local has one.
  const zone = s.indexOf('%');
  if (zone >= 0) s = s.slice(0, zone);
  const lastColon = s.lastIndexOf(':');
  const last = s.slice(lastColon + 1);
  if (last.includes('.')) {
    // A dotted IPv4 tail stands for the last two groups (RFC 4291 2.2 form 3).
    const v4 = parseIpv4(last);
    if (v4 === null) return null;
    s = `${s.slice(0, lastColon + 1)}${Math.floor(v4 / 65536).toString(16)}:${(v4 % 65536).toString(16)}`;
  }
  const halves = s.split('::');
  if (halves.length > 2) return null;
  const group = (g: string) => (/^[0-9a-f]{1,4}$/.test(g) ? parseInt(g, 16) : NaN);
  const head = halves[0] === '' ? [] : halves[0].split(':').map(group);
  const rest = halves.length === 2 && halves[1] !== '' ? halves[1].split(':').map(group) : [];
  const known = head.length + rest.length;
  if ([...head, ...rest].some(Number.isNaN)) return null;
  if (halves.length === 1) return known === 8 ? head : null;
  if (known > 7) return null;
  return [...head, ...new Array<number>(8 - known).fill(0), ...rest];
}

function embeddedV4(g: readonly number[]): number {
  return g[6] * 65536 + g[7];
}

export function isBlockedIpv6(g: readonly number[]): boolean {
  const zeros = (from: number, to: number) => g.slice(from, to).every((x) => x === 0);
  if (zeros(0, 8)) return true; // :: unspecified
  if (zeros(0, 7) && g[7] === 1) return true; // ::1 loopback
  if (zeros(0, 5) && g[5] === 0xffff) return isBlockedIpv4(embeddedV4(g)); // ::ffff:a.b.c.d IPv4-mapped (RFC 4291 2.5.5.2)
  if (zeros(0, 6)) return true; // ::a.b.c.d IPv4-compatible, deprecated (RFC 4291 2.5.5.1)
  if (g[0] === 0x64 && g[1] === 0xff9b && zeros(2, 6)) return isBlockedIpv4(embeddedV4(g)); // 64:ff9b::/96 NAT64 (RFC 6052)
  if (g[0] === 0x2002) return isBlockedIpv4(g[1] * 65536 + g[2]); // 2002::/16 6to4 embeds an IPv4 (RFC 3056)
  if ((g[0] & 0xfe00) === 0xfc00) return true; // fc00::/7 unique local (RFC 4193)
  if ((g[0] & 0xffc0) === 0xfe80) return true; // fe80::/10 link-local
  if ((g[0] & 0xffc0) === 0xfec0) return true; // fec0::/10 site-local, deprecated (RFC 3879)
  if ((g[0] & 0xff00) === 0xff00) return true; // ff00::/8 multicast
  if (g[0] === 0x2001 && g[1] === 0x0db8) return true; // 2001:db8::/32 documentation
  return false;
}

/** True for an IP address (v4 or v6 text) in a range webhooks must not reach; false for public addresses and non-addresses. */
export function isBlockedAddress(text: string): boolean {
  const v4 = parseIpv4(text);
  if (v4 !== null) return isBlockedIpv4(v4);
  const v6 = parseIpv6(text);
  return v6 !== null && isBlockedIpv6(v6);
}
