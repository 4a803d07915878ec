import { ProtocolError } from '@runnel/shared';

/**
 * The handshake's Peer IP Address field (draft-sharabayko-srt 3.2.1): 16
 * bytes, an IPv4 address in the first 4. libsrt stores the address as four
 * host-order words and swaps every control word to network order, so on a
 * little-endian machine each 4-byte group goes out reversed: 127.0.0.1 is
 * `01 00 00 7f`. We keep the address in plain network order and swap at the
 * wire, like the string extensions.
 */
export const PEER_IP_BYTES = 16;

/** 16 bytes in network order from a dotted IPv4 or an IPv6 address string. */
export function peerIpFromAddress(address: string): Uint8Array {
  const out = new Uint8Array(PEER_IP_BYTES);
  const v4 = parseIpv4(address);
  if (v4) {
    out.set(v4);
    return out;
  }
  const v6 = parseIpv6(address);
  if (!v6) throw new ProtocolError('srt_bad_address', `not an IP address: ${address.slice(0, 64)}`);
  return v6;
}

function parseIpv4(s: string): Uint8Array | null {
  const parts = s.split('.');
  if (parts.length !== 4) return null;
  const out = new Uint8Array(4);
  for (let i = 0; i < 4; i++) {
    if (!/^\d{1,3}$/.test(parts[i]!)) return null;
    const n = Number(parts[i]);
    if (n > 255) return null;
    out[i] = n;
  }
  return out;
}

function parseIpv6(s: string): Uint8Array | null {
  const zone = s.indexOf('%');
  const addr = zone >= 0 ? s.slice(0, zone) : s;
  const halves = addr.split('::');
  if (halves.length > 2) return null;
  const groups = (h: string): number[] | null => {
    if (h === '') return [];
    const out: number[] = [];
    const parts = h.split(':');
    for (let i = 0; i < parts.length; i++) {
      const p = parts[i]!;
      if (i === parts.length - 1 && p.includes('.')) {
        const v4 = parseIpv4(p);
        if (!v4) return null;
        out.push((v4[0]! << 8) | v4[1]!, (v4[2]! << 8) | v4[3]!);
      } else if (/^[0-9a-fA-F]{1,4}$/.test(p)) {
        out.push(parseInt(p, 16));
      } else return null;
    }
    return out;
  };
  const head = groups(halves[0]!);
  const tail = halves.length === 2 ? groups(halves[1]!) : [];
  if (!head || !tail) return null;
  const missing = 8 - head.length - tail.length;
  if (halves.length === 2 ? missing < 1 : missing !== 0) return null;
  const all = [...head, ...new Array<number>(missing).fill(0), ...tail];
  const out = new Uint8Array(PEER_IP_BYTES);
  all.forEach((g, i) => {
    out[i * 2] = g >>> 8;
    out[i * 2 + 1] = g & 0xff;
  });
  return out;
}
