import type { StreamRegistry } from '../hub/stream-registry.ts';
import type { Source } from '../hub/source.ts';
import type { ClientStat, NodeStats, StreamStat, VhostStat } from './api/node-stats.ts';
import { vhostFromStreams } from './api/node-stats.ts';
import type { ClientRecord, ClientRegistry } from './clients.ts';

/**
 * The SRS API's view of a running node, read from the live hub and the
 * client registry at request time (nothing is copied on the media path).
 */
export class LiveNodeStats implements NodeStats {
  readonly serverId: string;
  readonly serviceId: string;
  private readonly streamsReg: StreamRegistry;
  private readonly clientReg: ClientRegistry;
  private readonly vhostIds = new Map<string, string>();
  private readonly tcUrls = new Map<string, string>();

  constructor(opts: { serverId: string; serviceId: string; streams: StreamRegistry; clients: ClientRegistry }) {
    this.serverId = opts.serverId;
    this.serviceId = opts.serviceId;
    this.streamsReg = opts.streams;
    this.clientReg = opts.clients;
  }

  vhosts(): readonly VhostStat[] {
    const streams = this.streams();
    const names = new Set(this.streamsReg.list().map((s) => s.vhost));
    names.add('__defaultVhost__');
    return [...names].map((n) => vhostFromStreams(this.vhostId(n), n, streams, { enabled: false }));
  }

  streams(): readonly StreamStat[] {
    const clients = this.clientReg.list();
    const now = Date.now();
    return this.streamsReg.list().map((s) => this.streamStat(s, clients, now));
  }

  clients(): readonly ClientStat[] {
    const now = Date.now();
    const vhostOfSource = new Map(this.streamsReg.list().map((s) => [s.id, s.vhost]));
    return this.clientReg.list().map((c) => this.clientStat(c, vhostOfSource.get(c.sourceId) ?? '__defaultVhost__', now));
  }

  kick(clientId: string): boolean {
    return this.clientReg.kick(clientId);
  }

  private vhostId(name: string): string {
    let id = this.vhostIds.get(name);
    if (id === undefined) {
      id = `vid-${(this.vhostIds.size + 1).toString(36).padStart(7, '0')}`;
      this.vhostIds.set(name, id);
    }
    return id;
  }

  private streamStat(s: Source, clients: readonly ClientRecord[], now: number): StreamStat {
    const mine = clients.filter((c) => c.sourceId === s.id);
    const pub = s.publisher;
    const publisher = pub === null ? undefined : this.clientReg.get(pub.clientId);
    if (publisher !== undefined && publisher.tcUrl !== '') this.tcUrls.set(s.id, publisher.tcUrl);
    const kbps = s.kbps();
    const v = s.info.video;
    const a = s.info.audio;
    return {
      id: s.id,
      name: s.stream,
      vhost: this.vhostId(s.vhost),
      app: s.app,
      tcUrl: this.tcUrls.get(s.id) ?? '',
      url: `/${s.app}/${s.stream}`,
      live_ms: now,
      clients: mine.length,
      frames: s.stats.frames,
      send_bytes: s.stats.sendBytes,
      recv_bytes: s.stats.recvBytes,
      kbps: { recv_30s: kbps.recv30s, send_30s: kbps.send30s },
      publish: pub === null ? { active: false } : { active: true, cid: pub.clientId },
      video:
        v === null
          ? null
          : { codec: v.codec, profile: v.profile ?? '', level: v.level ?? '', width: v.width ?? 0, height: v.height ?? 0 },
      audio:
        a === null ? null : { codec: a.codec, sample_rate: a.sampleRate ?? 0, channel: a.channels ?? 0, profile: a.profile ?? '' },
    };
  }

  private clientStat(c: ClientRecord, vhost: string, now: number): ClientStat {
    const alive = (now - c.connectedAt) / 1000;
    const recv = c.recvBytes();
    const send = c.sendBytes();
    return {
      id: c.id,
      vhost: this.vhostId(vhost),
      stream: c.sourceId,
      ip: c.ip,
      pageUrl: c.pageUrl,
      swfUrl: c.swfUrl,
      tcUrl: c.tcUrl,
      url: c.url,
      name: c.name,
      type: c.type,
      publish: c.publish,
      alive,
      send_bytes: send,
      recv_bytes: recv,
      // Lifetime averages: per-client 30 s windows would need a meter per connection on the media path.
      kbps: { recv_30s: alive > 0 ? Math.round((recv * 8) / 1000 / alive) : 0, send_30s: alive > 0 ? Math.round((send * 8) / 1000 / alive) : 0 },
    };
  }
}
