import { ProtocolError } from '@runnel/shared';
import { decodeAmf0All, encodeAmf0, type Amf0Value } from '../../../format/amf0.ts';
import { MSG } from '../message.ts';

/** A NetConnection/NetStream command, Adobe RTMP spec 7.1.1 / 7.2. */
export interface RtmpCommand {
  readonly name: string;
  readonly transactionId: number;
  /** Usually an object or null. */
  readonly commandObject: Amf0Value;
  readonly args: readonly Amf0Value[];
}

/**
 * Decodes a command message: type 20 is AMF0; type 17 ("AMF3 command") starts
 * with a format byte that must be 0, followed by AMF0 values (what Flash sends
 * with objectEncoding 3; an AMF3 value inside hits the 0x11 marker and is
 * refused). Anything else is malformed (bad-inputs row 25).
 */
export function decodeCommand(typeId: number, payload: Uint8Array): RtmpCommand {
  let body = payload;
  if (typeId === MSG.commandAmf3) {
    if (payload.length === 0 || payload[0] !== 0) {
      throw new ProtocolError('amf3_command_unsupported', 'AMF3 command without the AMF0 format byte');
    }
    body = payload.subarray(1);
  }
  const values = decodeAmf0All(body);
  const [name, transactionId, commandObject = null, ...args] = values;
  if (typeof name !== 'string') throw new ProtocolError('command_malformed', 'command name is not a string');
  return { name, transactionId: typeof transactionId === 'number' && Number.isFinite(transactionId) ? transactionId : 0, commandObject, args };
}

/** An AMF0 command payload (type 20). */
export function encodeCommand(name: string, transactionId: number, commandObject: Amf0Value, ...args: Amf0Value[]): Uint8Array {
  return encodeAmf0(name, transactionId, commandObject, ...args);
}
