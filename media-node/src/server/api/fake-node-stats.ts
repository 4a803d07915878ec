import type { ClientStat, NodeStats, StreamStat, VhostStat } from './node-stats.ts';
import { DEFAULT_VHOST, vhostFromStreams } from './node-stats.ts';
import type { SelfSummary, SystemProbe, SystemSummary } from './system-probe.ts';

/** The fake NodeStats: lists you set, and a record of kicks (a kicked client disappears, as it would). */
export class FakeNodeStats implements NodeStats {
  readonly serverId: string;
  readonly serviceId: string;
  streamList: StreamStat[] = [];
  clientList: ClientStat[] = [];
  vhostList: VhostStat[] = [];
  readonly kicked: string[] = [];

  constructor(serverId = 'vid-test123', serviceId = 'svc12345') {
    this.serverId = serverId;
    this.serviceId = serviceId;
  }

  vhosts(): readonly VhostStat[] {
    return this.vhostList;
  }

  streams(): readonly StreamStat[] {
    return this.streamList;
  }

  clients(): readonly ClientStat[] {
    return this.clientList;
  }

  kick(clientId: string): boolean {
    const before = this.clientList.length;
    this.clientList = this.clientList.filter((c) => c.id !== clientId);
    if (this.clientList.length === before) return false;
    this.kicked.push(clientId);
    return true;
  }
}

export const FAKE_VHOST_ID = 'vid-vhost01';

/** A publishing H.264/AAC stream `live/{name}` with stat id `id`. */
export function fakeStream(id: string, name: string, over: Partial<StreamStat> = {}): StreamStat {
  return {
    id,
    name,
    vhost: FAKE_VHOST_ID,
    app: 'live',
    tcUrl: 'rtmp://127.0.0.1:1935/live',
    url: `/live/${name}`,
    live_ms: 1_700_000_000_000,
    clients: 2,
    frames: 300,
    send_bytes: 1000,
    recv_bytes: 5000,
    kbps: { recv_30s: 600, send_30s: 600 },
    publish: { active: true, cid: `pub-${id}` },
    video: { codec: 'H264', profile: 'High', level: '3.1', width: 1280, height: 720 },
    audio: { codec: 'AAC', sample_rate: 44100, channel: 2, profile: 'LC' },
    ...over,
  };
}

export function fakeClient(id: string, over: Partial<ClientStat> = {}): ClientStat {
  return {
    id,
    vhost: FAKE_VHOST_ID,
    stream: 'vid-stream1',
    ip: '127.0.0.1',
    pageUrl: '',
    swfUrl: '',
    tcUrl: 'rtmp://127.0.0.1:1935/live',
    url: '/live/livestream',
    name: 'livestream',
    type: 'rtmp-play',
    publish: false,
    alive: 12.5,
    send_bytes: 100,
    recv_bytes: 10,
    kbps: { recv_30s: 0, send_30s: 600 },
    ...over,
  };
}

export function fakeVhost(streams: readonly StreamStat[]): VhostStat {
  return vhostFromStreams(FAKE_VHOST_ID, DEFAULT_VHOST, streams, { enabled: false });
}

/** Fixed figures, so tests can compare whole bodies. */
export class FakeSystemProbe implements SystemProbe {
  readonly pid = 4242;
  samples = 0;

  sample(): { self: SelfSummary; system: SystemSummary } {
    this.samples++;
    return {
      self: { version: '0.1.0', pid: 4242, ppid: 1, argv: 'runnel node', cwd: '/srv', mem_kbyte: 20480, mem_percent: 0.01, cpu_percent: 0.05, srs_uptime: 60 },
      system: {
        cpu_percent: 0.25,
        disk_read_KBps: 0,
        disk_write_KBps: 0,
        disk_busy_percent: 0,
        mem_ram_kbyte: 8_000_000,
        mem_ram_percent: 0.4,
        mem_swap_kbyte: 0,
        mem_swap_percent: 0,
        cpus: 2,
        cpus_online: 2,
        uptime: 1000,
        ilde_time: 1500,
        load_1m: 0.5,
        load_5m: 0.4,
        load_15m: 0.3,
      },
    };
  }
}
