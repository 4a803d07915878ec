import { NODE_ID_PATTERN } from '@runnel/shared/node-api';
import type { NodeRegistration } from '@runnel/shared/node-api';
import type { NodeConfig } from '../config/index.ts';

export interface BoundPorts {
  readonly rtmp: number;
  readonly http: number;
  /** null when SRT is off. */
  readonly srt?: number | null;
  /** WebRTC is on: WHIP/WHEP are served on the HTTP port. */
  readonly webrtc?: boolean;
}

/** The node id: `control_plane.node_id`, else the server id, which must then be a lowercase DNS label. */
export function controlPlaneNodeId(config: NodeConfig): string {
  const id = config.controlPlane.nodeId !== '' ? config.controlPlane.nodeId : config.serverId;
  if (!NODE_ID_PATTERN.test(id)) {
    throw new Error(`control_plane.node_id: the server id "${id}" is not a valid node id (lowercase letters, digits and dashes); set control_plane.node_id`);
  }
  return id;
}

/** The host in registered URLs: `control_plane.public_host`, else the bind host, loopback for a wildcard bind. */
export function publicHost(config: NodeConfig): string {
  if (config.controlPlane.publicHost !== '') return config.controlPlane.publicHost;
  const h = config.listen.host;
  if (h === '0.0.0.0' || h === '::' || h === '') return '127.0.0.1';
  return h.includes(':') ? `[${h}]` : h;
}

export function nodeRegistration(config: NodeConfig, ports: BoundPorts, version: string, heartbeatMs: number): NodeRegistration {
  const host = publicHost(config);
  return {
    node_id: controlPlaneNodeId(config),
    region: config.controlPlane.region,
    urls: {
      rtmp: `rtmp://${host}:${ports.rtmp}`,
      http: `http://${host}:${ports.http}`,
      ...(ports.srt === undefined || ports.srt === null ? {} : { srt: `srt://${host}:${ports.srt}` }),
      ...(ports.webrtc === true ? { webrtc: `http://${host}:${ports.http}` } : {}),
    },
    capacity: { max_streams: config.controlPlane.maxStreams, max_egress_kbps: config.controlPlane.maxEgressKbps },
    heartbeat_interval_ms: heartbeatMs,
    version,
  };
}
