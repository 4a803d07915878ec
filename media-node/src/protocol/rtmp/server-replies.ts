import { amf0EcmaArray, encodeAmf0, type Amf0Object } from '../../format/amf0.ts';
import { encodeCommand } from './messages/command.ts';
import { CLIENT_ID, FMS_VERSION, STATUS, onStatusCommand, resultCommand, statusInfo, type StatusLevel } from './status.ts';

/**
 * The command and data payloads a server answers with, as SRS writes them
 * (`SrsRtmpServer::response_connect_app`, `start_play`, `start_fmle_publish`,
 * `fmle_unpublish`). Pure: the session frames them into messages.
 */

/** The connect `_result`: server properties and the Connect.Success info. */
export function connectResult(transactionId: number, objectEncoding: number): Uint8Array {
  return resultCommand(
    transactionId,
    { fmsVer: `FMS/${FMS_VERSION}`, capabilities: 127, mode: 1 },
    statusInfo('status', STATUS.connectSuccess, 'Connection succeeded', {
      objectEncoding,
      data: amf0EcmaArray({ version: FMS_VERSION, server: 'Runnel' }),
    }),
  );
}

/** `onBWDone(0, null)`: SRS sends it after connect; ffmpeg and Flash answer with `_checkbw`. */
export function onBWDone(): Uint8Array {
  return encodeCommand('onBWDone', 0, null);
}

/** `_result(tid, null, undefined)`: the answer to releaseStream, FCPublish, FCUnpublish and unknown calls. */
export function emptyResult(transactionId: number): Uint8Array {
  return resultCommand(transactionId, null, undefined);
}

/** `_result(tid, null, streamId)`: the answer to createStream. */
export function createStreamResult(transactionId: number, streamId: number): Uint8Array {
  return resultCommand(transactionId, null, streamId);
}

/** `_result(tid, null, 0)`: the length of a live stream, for getStreamLength. */
export function streamLengthResult(transactionId: number): Uint8Array {
  return resultCommand(transactionId, null, 0);
}

/** A NetStream status with the `clientid` FMS-style servers add. */
export function streamStatus(level: StatusLevel, code: string, description: string, extra: Amf0Object = {}): Uint8Array {
  return onStatusCommand(statusInfo(level, code, description, { ...extra, clientid: CLIENT_ID }));
}

/** `onFCPublish` / `onFCUnpublish` (FMLE protocol: OBS and FMLE wait for them). */
export function onFCPublish(): Uint8Array {
  return encodeCommand('onFCPublish', 0, null, { code: STATUS.publishStart, description: 'Started publishing stream.' });
}

export function onFCUnpublish(): Uint8Array {
  return encodeCommand('onFCUnpublish', 0, null, { code: STATUS.unpublishSuccess, description: 'Stop publishing stream.' });
}

export function publishStart(): Uint8Array {
  return streamStatus('status', STATUS.publishStart, 'Started publishing stream.');
}

export function unpublishSuccess(): Uint8Array {
  return streamStatus('status', STATUS.unpublishSuccess, 'Stream is now unpublished');
}

export function playReset(): Uint8Array {
  return streamStatus('status', STATUS.playReset, 'Playing and resetting stream.', { details: 'stream' });
}

export function playStart(): Uint8Array {
  return streamStatus('status', STATUS.playStart, 'Started playing stream.', { details: 'stream' });
}

/** Data message `|RtmpSampleAccess(true, true)`: lets Flash players read audio/video samples. */
export function sampleAccess(): Uint8Array {
  return encodeAmf0('|RtmpSampleAccess', true, true);
}

/** Data message `onStatus({ code: NetStream.Data.Start })`. */
export function dataStart(): Uint8Array {
  return encodeAmf0('onStatus', { code: STATUS.dataStart });
}

/** nginx-rtmp's wording for a player whose publisher left / came back. */
export function unpublishNotify(): Uint8Array {
  return streamStatus('status', STATUS.playUnpublishNotify, 'Stream is now unpublished');
}

export function publishNotify(): Uint8Array {
  return streamStatus('status', STATUS.playPublishNotify, 'Start publishing');
}

export function pauseNotify(paused: boolean): Uint8Array {
  return paused
    ? streamStatus('status', STATUS.pauseNotify, 'Paused stream.')
    : streamStatus('status', STATUS.unpauseNotify, 'Unpaused stream.');
}
