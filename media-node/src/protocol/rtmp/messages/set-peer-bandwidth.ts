import { ByteReader } from '@runnel/shared';

/** Limit types of Set Peer Bandwidth, Adobe RTMP spec 5.4.5. */
export const PEER_BANDWIDTH_LIMIT = { hard: 0, soft: 1, dynamic: 2 } as const;

export interface SetPeerBandwidth {
  readonly size: number;
  readonly limitType: number;
}

/** Set Peer Bandwidth (type 6), Adobe RTMP spec 5.4.5: window size + limit type. */
export function decodeSetPeerBandwidth(payload: Uint8Array): SetPeerBandwidth {
  const r = new ByteReader(payload);
  const size = r.u32();
  return { size, limitType: r.u8() };
}

export function encodeSetPeerBandwidth(v: SetPeerBandwidth): Uint8Array {
  const out = new Uint8Array(5);
  new DataView(out.buffer).setUint32(0, v.size >>> 0);
  out[4] = v.limitType;
  return out;
}
