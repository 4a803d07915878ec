import { ByteReader, ProtocolError } from '@runnel/shared';
import { decodeConfigString, encodeConfigString } from './config-string.ts';
import { decodeHsOptions, encodeHsOptions, type SrtHsOptions } from './hs-options.ts';
import { decodeKeyMaterial, encodeKeyMaterial, type KeyMaterial } from './key-material.ts';

/** Extension Type values (draft-sharabayko-srt 3.2.1, Table 6; libsrt `SRT_CMD_*`). */
export const HS_EXT_TYPE = { hsreq: 1, hsrsp: 2, kmreq: 3, kmrsp: 4, sid: 5, congestion: 6, filter: 7, group: 8 } as const;

/** Longest stream id: 512 bytes (draft-sharabayko-srt 3.2.1.3, libsrt `MAX_SID_LENGTH`). */
export const MAX_STREAM_ID_BYTES = 512;
/** Longest congestion controller name (libsrt `MAX_CONG_LENGTH`): "live" or "file". */
export const MAX_CONGESTION_NAME_BYTES = 16;
/** Longest packet filter configuration (libsrt `MAX_PFILTER_LENGTH`). */
export const MAX_FILTER_CONFIG_BYTES = 64;
/**
 * Extension blocks in one handshake. libsrt sends at most six (HSREQ, KMREQ,
 * SID, congestion, filter, group); a few more leave room for future types,
 * a flood of empty blocks is refused.
 */
export const MAX_HS_EXTENSIONS = 16;

/** KM state a KMRSP carries instead of key material when it failed (libsrt `SRT_KM_S_*`). */
export const KM_STATE = { unsecured: 0, securing: 1, secured: 2, noSecret: 3, badSecret: 4, badCryptoMode: 5 } as const;

export type HsExtension =
  | { readonly type: 'hsreq'; readonly options: SrtHsOptions }
  | { readonly type: 'hsrsp'; readonly options: SrtHsOptions }
  | { readonly type: 'kmreq'; readonly km: KeyMaterial }
  | { readonly type: 'kmrsp'; readonly km: KeyMaterial }
  | { readonly type: 'kmrsp'; readonly state: number }
  | { readonly type: 'sid'; readonly streamId: string }
  | { readonly type: 'congestion'; readonly name: string }
  | { readonly type: 'filter'; readonly config: string }
  /** Groups (bonding) and unknown types: kept raw. */
  | { readonly type: 'other'; readonly code: number; readonly content: Uint8Array };

function decodeOne(code: number, content: Uint8Array): HsExtension {
  switch (code) {
    case HS_EXT_TYPE.hsreq:
      return { type: 'hsreq', options: decodeHsOptions(content) };
    case HS_EXT_TYPE.hsrsp:
      return { type: 'hsrsp', options: decodeHsOptions(content) };
    case HS_EXT_TYPE.kmreq:
      return { type: 'kmreq', km: decodeKeyMaterial(content) };
    case HS_EXT_TYPE.kmrsp:
      if (content.length === 4) return { type: 'kmrsp', state: new DataView(content.buffer, content.byteOffset).getUint32(0) };
      return { type: 'kmrsp', km: decodeKeyMaterial(content) };
    case HS_EXT_TYPE.sid:
      return { type: 'sid', streamId: decodeConfigString(content, MAX_STREAM_ID_BYTES, 'stream id') };
    case HS_EXT_TYPE.congestion:
      return { type: 'congestion', name: decodeConfigString(content, MAX_CONGESTION_NAME_BYTES, 'congestion control') };
    case HS_EXT_TYPE.filter:
      return { type: 'filter', config: decodeConfigString(content, MAX_FILTER_CONFIG_BYTES, 'packet filter') };
    default:
      return { type: 'other', code, content };
  }
}

/**
 * Extension blocks after the handshake CIF: a 16-bit type, a 16-bit length in
 * 32-bit words, the content (draft-sharabayko-srt 3.2.1). A length that runs
 * past the datagram, a ragged tail, or too many blocks is a ProtocolError.
 */
export function decodeHsExtensions(b: Uint8Array): HsExtension[] {
  if (b.length % 4 !== 0) throw new ProtocolError('srt_hs_extension_length', `${b.length} extension bytes, not whole words`);
  const r = new ByteReader(b);
  const out: HsExtension[] = [];
  while (r.remaining > 0) {
    if (out.length === MAX_HS_EXTENSIONS) throw new ProtocolError('srt_hs_too_many_extensions', `more than ${MAX_HS_EXTENSIONS} extensions`);
    const code = r.u16();
    const bytes = r.u16() * 4;
    if (bytes > r.remaining) throw new ProtocolError('srt_hs_extension_length', `extension ${code} claims ${bytes} bytes, ${r.remaining} left`);
    out.push(decodeOne(code, r.bytes(bytes)));
  }
  return out;
}

function contentOf(e: HsExtension): [number, Uint8Array] {
  switch (e.type) {
    case 'hsreq':
    case 'hsrsp':
      return [HS_EXT_TYPE[e.type], encodeHsOptions(e.options)];
    case 'kmreq':
      return [HS_EXT_TYPE.kmreq, encodeKeyMaterial(e.km)];
    case 'kmrsp': {
      if ('km' in e) return [HS_EXT_TYPE.kmrsp, encodeKeyMaterial(e.km)];
      const b = new Uint8Array(4);
      new DataView(b.buffer).setUint32(0, e.state >>> 0);
      return [HS_EXT_TYPE.kmrsp, b];
    }
    case 'sid':
      return [HS_EXT_TYPE.sid, encodeConfigString(e.streamId, MAX_STREAM_ID_BYTES, 'stream id')];
    case 'congestion':
      return [HS_EXT_TYPE.congestion, encodeConfigString(e.name, MAX_CONGESTION_NAME_BYTES, 'congestion control')];
    case 'filter':
      return [HS_EXT_TYPE.filter, encodeConfigString(e.config, MAX_FILTER_CONFIG_BYTES, 'packet filter')];
    case 'other':
      if (e.content.length % 4 !== 0) throw new RangeError('extension content must be whole 32-bit words');
      return [e.code, e.content];
  }
}

export function encodeHsExtensions(list: readonly HsExtension[]): Uint8Array {
  const parts = list.map(contentOf);
  const out = new Uint8Array(parts.reduce((n, [, c]) => n + 4 + c.length, 0));
  const v = new DataView(out.buffer);
  let at = 0;
  for (const [code, c] of parts) {
    v.setUint16(at, code);
    v.setUint16(at + 2, c.length / 4);
    out.set(c, at + 4);
    at += 4 + c.length;
  }
  return out;
}

/** The first extension of a type, typed. */
export function findExtension<T extends HsExtension['type']>(list: readonly HsExtension[], type: T): Extract<HsExtension, { type: T }> | undefined {
  return list.find((e): e is Extract<HsExtension, { type: T }> => e.type === type);
}

