/** The SRS-compatible HTTP API: what it needs from the node (NodeStats), the handler, the listener, the fakes. */
export { createApiHandler } from './api-handler.ts';
export type { ApiDeps } from './api-handler.ts';
export { API_ERRORS, ApiError } from './api-errors.ts';
export type { ApiErrorCode } from './api-errors.ts';
export { ListenError, startApiServer } from './api-server.ts';
export type { ApiServer, ApiServerOptions } from './api-server.ts';
export { DEFAULT_VHOST, vhostFromStreams } from './node-stats.ts';
export type { AudioStat, ClientStat, ClientType, KbpsStat, NodeStats, StreamStat, VhostStat, VideoStat } from './node-stats.ts';
export { createSystemProbe } from './system-probe.ts';
export type { SelfSummary, SystemProbe, SystemProbeOptions, SystemSummary } from './system-probe.ts';
export { FakeNodeStats, FakeSystemProbe, fakeClient, fakeStream, fakeVhost } from './fake-node-stats.ts';
export { MAX_API_BODY_BYTES } from './request-body.ts';
