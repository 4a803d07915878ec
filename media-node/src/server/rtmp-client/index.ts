/** The RTMP client library: publish to / play from a remote RTMP server with reconnect (see README.md). */
export { RtmpClient, RtmpClientError } from './rtmp-client.ts';
export type { RtmpClientMedia, RtmpClientMode, RtmpClientOptions, RtmpClientState, RtmpClientStats, RtmpClientStatus } from './rtmp-client.ts';
export { DEFAULT_RECONNECT } from './backoff.ts';
export type { ReconnectOptions } from './backoff.ts';
export { DEFAULT_MAX_BUFFERED_BYTES } from './publish-gate.ts';
export type { PublishGateStats } from './publish-gate.ts';
export { tcpDialer } from './transport.ts';
export type { ClientTransport, Dialer, TransportHandlers } from './transport.ts';
