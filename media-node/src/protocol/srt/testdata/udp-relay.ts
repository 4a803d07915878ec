/**
 * Test helper (tests and the capture tool only): a UDP relay between an SRT
 * caller and a listener. It logs every datagram with its direction and can
 * drop or delay datagrams, so a test sees the real bytes libsrt sends and can
 * make a link lossy without touching either peer.
 *
 * The caller sends to `relay.port`; the relay forwards to `targetPort` on
 * 127.0.0.1 from one upstream socket per caller address.
 */
import { createSocket, type RemoteInfo, type Socket } from 'node:dgram';

export type RelayDirection = 'caller' | 'listener';

export interface RelayedDatagram {
  /** Who sent it. */
  readonly from: RelayDirection;
  /** Milliseconds since the relay started. */
  readonly t: number;
  readonly bytes: Uint8Array;
}

/** What to do with one datagram: pass it, drop it, or deliver it this many ms later. */
export type RelayVerdict = 'pass' | 'drop' | number;

export interface UdpRelayOptions {
  readonly targetPort: number;
  /** Decides per datagram; called before logging decisions are applied. Default: pass all. */
  readonly filter?: (d: RelayedDatagram) => RelayVerdict;
  /** Keep a log of every datagram (default true). */
  readonly log?: boolean;
}

export interface UdpRelay {
  readonly port: number;
  readonly datagrams: RelayedDatagram[];
  close(): Promise<void>;
}

export async function startUdpRelay(opts: UdpRelayOptions): Promise<UdpRelay> {
  const t0 = performance.now();
  const datagrams: RelayedDatagram[] = [];
  const front = createSocket('udp4');
  const uplinks = new Map<string, Socket>();
  const timers = new Set<NodeJS.Timeout>();
  let closed = false;

  const route = (d: RelayedDatagram, send: () => void): void => {
    if (opts.log !== false) datagrams.push(d);
    const verdict = opts.filter ? opts.filter(d) : 'pass';
    if (verdict === 'drop' || closed) return;
    if (verdict === 'pass' || verdict <= 0) return send();
    const timer = setTimeout(() => {
      timers.delete(timer);
      if (!closed) send();
    }, verdict);
    timers.add(timer);
  };

  const uplinkFor = (peer: RemoteInfo): Socket => {
    const key = `${peer.address}:${peer.port}`;
    let up = uplinks.get(key);
    if (up) return up;
    up = createSocket('udp4');
    up.on('message', (m) => {
      const d = { from: 'listener' as const, t: performance.now() - t0, bytes: new Uint8Array(m) };
      route(d, () => front.send(m, peer.port, peer.address));
    });
    up.on('error', () => {});
    up.bind(0, '127.0.0.1');
    uplinks.set(key, up);
    return up;
  };

  front.on('message', (m, peer) => {
    const up = uplinkFor(peer);
    const d = { from: 'caller' as const, t: performance.now() - t0, bytes: new Uint8Array(m) };
    route(d, () => up.send(m, opts.targetPort, '127.0.0.1'));
  });
  front.on('error', () => {});
  await new Promise<void>((resolve) => front.bind(0, '127.0.0.1', resolve));
  const port = front.address().port;

  return {
    port,
    datagrams,
    async close() {
      closed = true;
      for (const t of timers) clearTimeout(t);
      const sockets = [front, ...uplinks.values()];
      await Promise.all(sockets.map((s) => new Promise<void>((resolve) => s.close(() => resolve()))));
    },
  };
}
