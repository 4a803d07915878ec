import type { Amf0Object, Amf0Value } from '../../format/amf0.ts';
import { encodeCommand } from './messages/command.ts';

/**
 * NetConnection / NetStream status codes and the descriptions real servers
 * send with them (SRS `srs_protocol_rtmp_stack.cpp`, nginx-rtmp
 * `ngx_rtmp_live_module.c`). Players and encoders match on `code`; some (Flash,
 * older OBS) also show `description`, so we keep the familiar wording.
 */
export const STATUS = {
  connectSuccess: 'NetConnection.Connect.Success',
  connectRejected: 'NetConnection.Connect.Rejected',
  callFailed: 'NetConnection.Call.Failed',
  publishStart: 'NetStream.Publish.Start',
  publishBadName: 'NetStream.Publish.BadName',
  unpublishSuccess: 'NetStream.Unpublish.Success',
  playReset: 'NetStream.Play.Reset',
  playStart: 'NetStream.Play.Start',
  playStop: 'NetStream.Play.Stop',
  playStreamNotFound: 'NetStream.Play.StreamNotFound',
  playFailed: 'NetStream.Play.Failed',
  playUnpublishNotify: 'NetStream.Play.UnpublishNotify',
  playPublishNotify: 'NetStream.Play.PublishNotify',
  dataStart: 'NetStream.Data.Start',
  pauseNotify: 'NetStream.Pause.Notify',
  unpauseNotify: 'NetStream.Unpause.Notify',
} as const;

export type StatusLevel = 'status' | 'warning' | 'error';

/** SRS `RTMP_SIG_CLIENT_ID`, the `clientid` FMS-style servers put in NetStream statuses. */
export const CLIENT_ID = 'ASAICiss';

/** Server version strings of the connect `_result` (SRS `RTMP_SIG_FMS_VER`; OBS/FMLE print it). */
export const FMS_VERSION = '3,5,3,888';

/** An info object `{ level, code, description, ...extra }`. */
export function statusInfo(level: StatusLevel, code: string, description: string, extra: Record<string, Amf0Value> = {}): Amf0Object {
  return { level, code, description, ...extra };
}

/** `onStatus(0, null, info)`, sent on the NetStream's message stream id. */
export function onStatusCommand(info: Amf0Object): Uint8Array {
  return encodeCommand('onStatus', 0, null, info);
}

/** `_result(transactionId, commandObject, ...args)`. */
export function resultCommand(transactionId: number, commandObject: Amf0Value, ...args: Amf0Value[]): Uint8Array {
  return encodeCommand('_result', transactionId, commandObject, ...args);
}

/** `_error(transactionId, null, info)`. */
export function errorCommand(transactionId: number, info: Amf0Object): Uint8Array {
  return encodeCommand('_error', transactionId, null, info);
}
