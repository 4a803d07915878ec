import { ByteReader, ProtocolError } from '@runnel/shared';

/** User Control event types, Adobe RTMP spec 7.1.7. */
export const USER_CONTROL = {
  streamBegin: 0,
  streamEof: 1,
  streamDry: 2,
  setBufferLength: 3,
  streamIsRecorded: 4,
  pingRequest: 6,
  pingResponse: 7,
} as const;

export type UserControlEvent =
  | { readonly type: 'streamBegin' | 'streamEof' | 'streamDry' | 'streamIsRecorded'; readonly streamId: number }
  | { readonly type: 'setBufferLength'; readonly streamId: number; readonly bufferMs: number }
  | { readonly type: 'pingRequest' | 'pingResponse'; readonly timestamp: number }
  /** Event types outside the spec (FMS SWF verification, Wowza buffer notices): ignored by sessions. */
  | { readonly type: 'unknown'; readonly eventType: number; readonly data: Uint8Array };

const STREAM_EVENTS = ['streamBegin', 'streamEof', 'streamDry', '', 'streamIsRecorded'] as const;

/**
 * User Control Message (type 4), Adobe RTMP spec 6.2 / 7.1.7: a 2-byte event
 * type and event data. A payload too short for its event is malformed and
 * closes the connection (bad-inputs row 18); an unknown event type is returned
 * as `unknown` for the caller to ignore.
 */
export function decodeUserControl(payload: Uint8Array): UserControlEvent {
  const r = new ByteReader(payload);
  if (r.remaining < 2) throw new ProtocolError('user_control_short', `user control message of ${payload.length} bytes`);
  const eventType = r.u16();
  const need = eventType === USER_CONTROL.setBufferLength ? 8 : 4;
  const known = eventType <= USER_CONTROL.pingResponse && eventType !== 5;
  if (!known) return { type: 'unknown', eventType, data: r.rest() };
  if (r.remaining < need) {
    throw new ProtocolError('user_control_short', `user control event ${eventType} with ${r.remaining} data bytes`);
  }
  const v = r.u32();
  if (eventType === USER_CONTROL.setBufferLength) return { type: 'setBufferLength', streamId: v, bufferMs: r.u32() };
  if (eventType === USER_CONTROL.pingRequest) return { type: 'pingRequest', timestamp: v };
  if (eventType === USER_CONTROL.pingResponse) return { type: 'pingResponse', timestamp: v };
  return { type: STREAM_EVENTS[eventType] as 'streamBegin' | 'streamEof' | 'streamDry' | 'streamIsRecorded', streamId: v };
}

export function encodeUserControl(ev: UserControlEvent): Uint8Array {
  if (ev.type === 'unknown') {
    const out = new Uint8Array(2 + ev.data.length);
    new DataView(out.buffer).setUint16(0, ev.eventType);
    out.set(ev.data, 2);
    return out;
  }
  const out = new Uint8Array(ev.type === 'setBufferLength' ? 10 : 6);
  const v = new DataView(out.buffer);
  v.setUint16(0, USER_CONTROL[ev.type]);
  if ('timestamp' in ev) {
    v.setUint32(2, ev.timestamp >>> 0);
  } else if (ev.type === 'setBufferLength') {
    v.setUint32(2, ev.streamId >>> 0);
    v.setUint32(6, ev.bufferMs >>> 0);
  } else {
    v.setUint32(2, ev.streamId >>> 0);
  }
  return out;
}
