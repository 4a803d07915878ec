import { createSocket } from 'node:dgram';
import type { RemoteInfo, Socket } from 'node:dgram';
import { stunBindingUsername } from './stun-message.ts';

/** A remote transport address as werift passes it: [ip, port]. */
export type MuxAddress = readonly [string, number];

/** Remote addresses one session may be reached from (ICE checks from several candidates, a NAT rebinding). */
const MAX_ADDRESSES_PER_SESSION = 8;

/** Kernel buffers of the one socket every session shares (the SRT listener's choice: bursts of many players). */
const SOCKET_BUFFER_BYTES = 8 * 1024 * 1024;

export interface UdpMuxStats {
  /** Datagrams from an address no session knows, that were not a Binding request naming a session's ufrags. */
  unrouted: number;
  /** Sessions on the mux now. */
  sessions: number;
}

/**
 * The transport werift's ICE gets for a session on the mux: the members of
 * werift 0.25's UdpTransport that its StunProtocol uses (onData, send,
 * close, closed, address, addressFamily), over the shared socket.
 */
export class MuxTransport {
  readonly type = 'udp';
  readonly socketType = 'udp4';
  /** Set by werift's StunProtocol: every datagram routed to this session. */
  onData: (data: Buffer, addr: MuxAddress) => void = () => {};
  closed = false;
  rinfo: RemoteInfo | undefined;
  /** "<our ufrag>:<the peer's ufrag>": the USERNAME of the peer's checks (RFC 8445 7.2.2). */
  readonly username: string;
  /** Remote addresses routed here, oldest first ("ip:port"). */
  readonly addresses: string[] = [];
  private readonly mux: UdpMux;

  constructor(mux: UdpMux, username: string) {
    this.mux = mux;
    this.username = username;
  }

  /** As werift's: no callback for a resolved address (the kernel's refusal is dropped, as there). */
  send = (data: Buffer, addr?: MuxAddress): Promise<void> => {
    const to = addr ?? (this.rinfo === undefined ? undefined : ([this.rinfo.address, this.rinfo.port] as const));
    if (this.closed || to === undefined) return Promise.resolve();
    this.mux.socket.send(data, to[1], to[0]);
    return Promise.resolve();
  };

  close = (): Promise<void> => {
    if (!this.closed) {
      this.closed = true;
      this.mux.release(this);
    }
    return Promise.resolve();
  };

  get address(): { address: string; family: string; port: number } {
    return this.mux.socket.address();
  }

  get addressFamily(): 4 {
    return 4;
  }

  get host(): string {
    return this.address.address;
  }

  get port(): number {
    return this.address.port;
  }
}

/**
 * One UDP socket for every WebRTC session (SRS's single port 8000), in front
 * of werift, which binds a socket per peer connection and has no mux of its
 * own. A session is registered under both ICE ufrags, ours and the peer's
 * (werift's own are only 4 hex digits: 65 536 values, so ours alone would
 * collide among a few hundred sessions), before werift gathers; the first
 * datagram from a new remote address must be a STUN Binding request whose
 * USERNAME is "<ours>:<theirs>" (RFC 8445 7.2.2),
 * which routes the address to the session from then on (as Pion's and
 * libwebrtc's muxes do). Anything else from an unknown address is dropped
 * and counted. werift still checks every request's MESSAGE-INTEGRITY, and
 * the address guard in werift-peer.ts still drops DTLS/RTP from addresses
 * that did not pass ICE.
 */
export class UdpMux {
  readonly socket: Socket;
  readonly stats: UdpMuxStats = { unrouted: 0, sessions: 0 };
  private readonly byUsername = new Map<string, MuxTransport>();
  private readonly byAddress = new Map<string, MuxTransport>();
  private closing = false;

  private constructor(socket: Socket) {
    this.socket = socket;
    socket.on('message', (data, rinfo) => this.route(data, rinfo));
  }

  /** Binds the shared socket (port 0: OS-chosen); rejects if the port cannot be bound. */
  static async bind(port: number, address?: string): Promise<UdpMux> {
    const socket = createSocket({ type: 'udp4', recvBufferSize: SOCKET_BUFFER_BYTES, sendBufferSize: SOCKET_BUFFER_BYTES });
    await new Promise<void>((resolve, reject) => {
      socket.once('error', reject);
      socket.bind({ port, ...(address === undefined ? {} : { address }) }, () => {
        socket.off('error', reject);
        resolve();
      });
    });
    const mux = new UdpMux(socket);
    // After the bind, an error (a send to an unreachable address on some kernels) must not end the process.
    socket.on('error', () => {});
    return mux;
  }

  get port(): number {
    return this.socket.address().port;
  }

  /** A transport for the session of these ICE ufrags (ours, the peer's); throws if a live session has both. */
  open(ufrag: string, remoteUfrag: string): MuxTransport {
    if (this.closing) throw new Error('the WebRTC UDP mux is closed');
    const username = `${ufrag}:${remoteUfrag}`;
    if (this.byUsername.has(username)) throw new Error(`ICE ufrags ${username} are already in use on the UDP mux`);
    const t = new MuxTransport(this, username);
    this.byUsername.set(username, t);
    this.stats.sessions = this.byUsername.size;
    return t;
  }

  /** Forgets a session and its addresses (MuxTransport.close calls it). */
  release(t: MuxTransport): void {
    if (this.byUsername.get(t.username) === t) this.byUsername.delete(t.username);
    for (const a of t.addresses) if (this.byAddress.get(a) === t) this.byAddress.delete(a);
    t.addresses.length = 0;
    this.stats.sessions = this.byUsername.size;
  }

  async close(): Promise<void> {
    if (this.closing) return;
    this.closing = true;
    for (const t of [...this.byUsername.values()]) await t.close();
    await new Promise<void>((resolve) => this.socket.close(() => resolve()));
  }

  private route(data: Buffer, rinfo: RemoteInfo): void {
    const key = `${rinfo.address}:${rinfo.port}`;
    // A Binding request is routed by its USERNAME even from a known address (a remote port reused by
    // a new session); everything else by the address a request came from before.
    const username = data.length > 0 && data[0]! < 4 ? stunBindingUsername(data) : undefined;
    let t = username === undefined ? this.byAddress.get(key) : this.byUsername.get(username);
    if (t === undefined) t = this.byAddress.get(key);
    if (t === undefined) {
      this.stats.unrouted++;
      return;
    }
    if (this.byAddress.get(key) !== t) this.learn(t, key);
    t.rinfo = rinfo;
    t.onData(data, [rinfo.address, rinfo.port]);
  }

  private learn(t: MuxTransport, key: string): void {
    const previous = this.byAddress.get(key);
    if (previous !== undefined) previous.addresses.splice(previous.addresses.indexOf(key), 1);
    if (t.addresses.length >= MAX_ADDRESSES_PER_SESSION) {
      const oldest = t.addresses.shift()!;
      if (this.byAddress.get(oldest) === t) this.byAddress.delete(oldest);
    }
    t.addresses.push(key);
    this.byAddress.set(key, t);
  }
}
