import { ProtocolError } from '@runnel/shared';

/** RTCP packet type of source description (RFC 3550 12.1). */
export const RTCP_SDES = 202;
/** RFC 3550 6.5.1: the CNAME item type. */
export const SDES_CNAME = 1;

/** One SDES item (RFC 3550 6.5); `value` is a subarray, kept raw whatever its type. */
export interface SdesItem {
  readonly type: number;
  readonly value: Uint8Array;
}

export interface SdesChunk {
  readonly ssrc: number;
  readonly items: readonly SdesItem[];
}

/**
 * RFC 3550 6.5 Source Description. Decoding is skip-safe: every item is read
 * by its own length and kept raw whatever its type (CNAME, NAME, ... PRIV and
 * types we do not know), so nothing is interpreted beyond its bounds.
 */
export interface RtcpSdes {
  readonly type: 'sdes';
  readonly chunks: readonly SdesChunk[];
}

export function decodeSdes(count: number, body: Uint8Array): RtcpSdes {
  const v = new DataView(body.buffer, body.byteOffset, body.byteLength);
  const chunks: SdesChunk[] = [];
  let pos = 0;
  for (let c = 0; c < count; c++) {
    if (pos + 4 > body.length) throw new ProtocolError('rtcp_truncated', `SDES chunk ${c} of ${count}`);
    const ssrc = v.getUint32(pos);
    pos += 4;
    const items: SdesItem[] = [];
    // RFC 3550 6.5: items end with a null octet, then padding to 32 bits.
    while (true) {
      if (pos >= body.length) throw new ProtocolError('rtcp_truncated', 'SDES chunk without its null item');
      const type = body[pos]!;
      if (type === 0) break;
      if (pos + 2 > body.length) throw new ProtocolError('rtcp_truncated', 'SDES item without length');
      const len = body[pos + 1]!;
      if (pos + 2 + len > body.length) throw new ProtocolError('rtcp_truncated', `SDES item of ${len} bytes, ${body.length - pos - 2} left`);
      items.push({ type, value: body.subarray(pos + 2, pos + 2 + len) });
      pos += 2 + len;
    }
    pos = (pos + 4) & ~3;
    chunks.push({ ssrc, items });
  }
  return { type: 'sdes', chunks };
}

export function encodeSdes(p: RtcpSdes): [number, Uint8Array] {
  if (p.chunks.length > 31) throw new ProtocolError('rtcp_count', `${p.chunks.length} SDES chunks (0..31)`);
  let size = 0;
  for (const c of p.chunks) {
    let n = 4;
    for (const it of c.items) {
      if (it.type < 1 || it.type > 255) throw new ProtocolError('rtcp_field_range', `SDES item type ${it.type}`);
      if (it.value.length > 255) throw new ProtocolError('rtcp_field_range', `SDES item of ${it.value.length} bytes (0..255)`);
      n += 2 + it.value.length;
    }
    size += (n + 4) & ~3;
  }
  const body = new Uint8Array(size);
  const v = new DataView(body.buffer);
  let pos = 0;
  for (const c of p.chunks) {
    v.setUint32(pos, c.ssrc >>> 0);
    pos += 4;
    for (const it of c.items) {
      body[pos] = it.type;
      body[pos + 1] = it.value.length;
      body.set(it.value, pos + 2);
      pos += 2 + it.value.length;
    }
    pos = (pos + 4) & ~3;
  }
  return [p.chunks.length, body];
}
