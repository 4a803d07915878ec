import { describe, expect, it } from 'vitest';
import { DEFAULT_HEARTBEAT_MS, nodeHeartbeatSchema, nodeRegistrationSchema } from './node-api.ts';

const registration = {
  node_id: 'node-1',
  region: 'eu-west',
  urls: { rtmp: 'rtmp://n1.example.com:1935', srt: 'srt://n1.example.com:10080', http: 'http://n1.example.com:8080' },
  capacity: { max_streams: 100, max_egress_kbps: 1_000_000 },
};

describe('nodeRegistrationSchema', () => {
  it('reads a registration and fills the heartbeat default', () => {
    expect(nodeRegistrationSchema.parse(registration).heartbeat_interval_ms).toBe(DEFAULT_HEARTBEAT_MS);
  });

  const bad: ReadonlyArray<{ name: string; patch: Record<string, unknown>; path: string }> = [
    { name: 'an upper-case node id', patch: { node_id: 'Node-1' }, path: 'node_id' },
    { name: 'a node id ending in a dash', patch: { node_id: 'node-' }, path: 'node_id' },
    { name: 'an http url as rtmp', patch: { urls: { ...registration.urls, rtmp: 'http://n1:1935' } }, path: 'urls.rtmp' },
    { name: 'zero capacity', patch: { capacity: { max_streams: 0, max_egress_kbps: 1 } }, path: 'capacity.max_streams' },
    { name: 'a 100 ms heartbeat', patch: { heartbeat_interval_ms: 100 }, path: 'heartbeat_interval_ms' },
  ];

  it.each(bad)('refuses $name and names $path', (b) => {
    const r = nodeRegistrationSchema.safeParse({ ...registration, ...b.patch });
    expect(r.success).toBe(false);
    expect(r.error?.issues.map((i) => i.path.join('.'))).toContain(b.path);
  });
});

describe('nodeHeartbeatSchema', () => {
  it('bounds cpu to 0..1', () => {
    const load = { streams: 1, clients: 2, bitrate_in_kbps: 3, bitrate_out_kbps: 4, cpu: 0.5 };
    expect(nodeHeartbeatSchema.parse({ load })).toEqual({ load });
    expect(nodeHeartbeatSchema.safeParse({ load: { ...load, cpu: 1.5 } }).success).toBe(false);
  });
});
