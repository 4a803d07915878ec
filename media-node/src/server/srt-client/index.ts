/** The SRT client library: publish to / play from a remote SRT listener, with reconnect (see README.md). */
export { SrtClient, DEFAULT_LINGER_MS, DEFAULT_MAX_QUEUED_MESSAGES, DEFAULT_MAX_SEND_BUFFERED_PACKETS } from './srt-client.ts';
export type { SrtClientMode, SrtClientOptions, SrtClientState, SrtClientStats } from './srt-client.ts';
export { SrtClientError } from './srt-client-error.ts';
export type { SrtClientErrorCode } from './srt-client-error.ts';
export { rejectReason } from './reject-reason.ts';
export type { RejectReason } from './reject-reason.ts';
export { parseSrtUrl, redactSrtUrl, MAX_LATENCY_MS } from './srt-url.ts';
export type { SrtUrl } from './srt-url.ts';
export { TsPacker, TS_PACKET_BYTES, TS_PACKETS_PER_MESSAGE } from './ts-packer.ts';
export { pullSrtIntoSource, pushSourceToSrt } from './hub-bridge.ts';
export type { SrtBridge, SrtBridgeOptions } from './hub-bridge.ts';
