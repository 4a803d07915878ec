/** The control-plane client of a media node: admission through its hook endpoint, registration and heartbeats. */
export { chainHookClients, createCpHookClient } from './cp-hook-client.ts';
export type { CpHookClientOptions } from './cp-hook-client.ts';
export { cpUrl, postControlPlane } from './cp-request.ts';
export type { CpResponse } from './cp-request.ts';
export { createCpuMeter, createNodeAgent } from './node-agent.ts';
export { nodeLoad } from './node-load.ts';
export type { LoadClient, LoadSource } from './node-load.ts';
export type { NodeAgent, NodeAgentDeps, NodeAgentOptions } from './node-agent.ts';
export { controlPlaneNodeId, nodeRegistration, publicHost } from './node-registration.ts';
export type { BoundPorts } from './node-registration.ts';
