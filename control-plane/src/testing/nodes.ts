import type { NodeRegistration } from '@runnel/shared/node-api';
import { NODE_TOKEN, call } from './harness.ts';
import type { Harness } from './harness.ts';

/** A registration body for node `id` with made-up URLs. */
export function registration(id: string, over: Partial<NodeRegistration> = {}): NodeRegistration {
  return {
    node_id: id,
    region: 'eu-west',
    urls: { rtmp: `rtmp://${id}.example.com:1935`, srt: `srt://${id}.example.com:10080`, http: `http://${id}.example.com:8080`, webrtc: `http://${id}.example.com:1985` },
    capacity: { max_streams: 100, max_egress_kbps: 1_000_000 },
    heartbeat_interval_ms: 5000,
    ...over,
  };
}

export async function registerNode(h: Harness, id: string, over: Partial<NodeRegistration> = {}) {
  return call(h, 'POST', '/internal/nodes/register', { auth: NODE_TOKEN, body: registration(id, over) });
}

export async function beat(h: Harness, id: string, load: Partial<{ streams: number; clients: number; bitrate_in_kbps: number; bitrate_out_kbps: number; cpu: number }> = {}) {
  const body = { load: { streams: 0, clients: 0, bitrate_in_kbps: 0, bitrate_out_kbps: 0, cpu: 0, ...load } };
  return call(h, 'POST', `/internal/nodes/${id}/heartbeat`, { auth: NODE_TOKEN, body });
}

/** Posts an SRS hook body the way a node does (SRS 6 fields, server_id = node id). */
export async function hook(h: Harness, action: string, nodeId: string, stream: string, extra: Record<string, unknown> = {}) {
  const body = {
    server_id: nodeId,
    service_id: 'svc00001',
    action,
    client_id: 'cli00001',
    ip: '203.0.113.7',
    vhost: '__defaultVhost__',
    app: 'live',
    tcUrl: `rtmp://${nodeId}.example.com:1935/live`,
    stream,
    param: '',
    ...extra,
  };
  return call(h, 'POST', '/internal/hooks', { auth: NODE_TOKEN, body });
}
