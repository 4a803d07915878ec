/**
 * Sans-IO RTMP (Adobe RTMP spec 1.0 + what real peers do). See README.md.
 * The server layer needs: RtmpServerSession, chunkMessageParts (fan-out),
 * the URL and name helpers. The client library
 * needs: RtmpClientSession, encodeSetDataFrame.
 */
export { RtmpServerSession, type RtmpServerSessionOptions } from './server-session.ts';
export type { RtmpServerEvent, RtmpServerOutput, RtmpServerStats, PublishType } from './server-events.ts';
export { parseConnect, type RtmpConnectInfo, type ConnectRequest } from './connect-request.ts';
export {
  RtmpClientSession,
  type RtmpClientSessionOptions,
  type RtmpClientEvent,
  type RtmpClientOutput,
} from './client-session.ts';
export type { SendOutput } from './outbox.ts';
export { chunkMessageParts, encodeMessageChunks } from './chunk-writer.ts';
export { ChunkReader, type ChunkReaderLimits, DEFAULT_CHUNK_READER_LIMITS } from './chunk-reader.ts';
export { MSG, CSID, csidForType, type RtmpMessage } from './message.ts';
export { STATUS, type StatusLevel } from './status.ts';
export { encodeSetDataFrame, stripSetDataFrame, decodeData, dataName } from './messages/data.ts';
export { decodeCommand, encodeCommand, type RtmpCommand } from './messages/command.ts';
export { splitAggregate, encodeAggregate } from './messages/aggregate.ts';
export { parseStreamName, isValidStreamName, isValidParam, MAX_STREAM_NAME_LENGTH, MAX_PARAM_LENGTH, type ParsedStreamName } from './stream-name.ts';
export {
  parseRtmpUrl,
  parseTcUrl,
  resolveVhost,
  queryValue,
  isIpAddress,
  DEFAULT_VHOST,
  DEFAULT_RTMP_PORT,
  type RtmpUrl,
  type RtmpTcUrl,
} from './rtmp-url.ts';
export * from './limits.ts';
