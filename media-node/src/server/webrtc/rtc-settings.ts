import type { AddressClass } from '../../protocol/sdp/index.ts';
import type { NodeConfig } from '../config/index.ts';

/** What the WebRTC server needs from the node config, resolved once at startup. */
export interface RtcSettings {
  /** The IPv4 address of our ICE host candidate (SRS `candidate`). */
  readonly candidateAddress: string;
  /** The address the UDP sockets bind to; undefined for a wildcard bind (every interface). */
  readonly bindAddress?: string;
  /** werift's port range [min, max] without the mux; undefined when listen.rtc is 0 (tests: OS-chosen ports). */
  readonly portRange?: readonly [number, number];
  /** The one UDP port every session shares (rtc.udp_mux; 0: OS-chosen), or undefined for a port per session. */
  readonly muxPort?: number;
  /** Sessions at once. */
  readonly maxSessions: number;
  /** Remote candidate address classes ICE may send to. */
  readonly allowedAddressClasses: ReadonlySet<AddressClass>;
  readonly pliIntervalMs: number;
  /** A WHIP publisher bridged to the hub is asked for a key frame this often (0: never). */
  readonly pliForRtmpMs: number;
}

const WILDCARDS = new Set(['0.0.0.0', '::', '']);

/**
 * The announced candidate defaults to the bind host, loopback for a wildcard
 * bind (the only address sure to reach this machine; set `rtc.candidate` on a
 * server). IPv6 binds fall back to loopback too: werift sessions here are IPv4.
 */
export function rtcSettings(config: NodeConfig): RtcSettings {
  const host = config.listen.host;
  const v4Host = /^\d+\.\d+\.\d+\.\d+$/.test(host) && !WILDCARDS.has(host) ? host : undefined;
  const candidateAddress = config.rtc.candidate !== '' ? config.rtc.candidate : (v4Host ?? '127.0.0.1');
  const base = config.listen.rtc;
  const allowed = new Set<AddressClass>(['public', 'mdns']);
  if (config.rtc.allowPrivateCandidates) allowed.add('private').add('shared');
  if (config.rtc.allowLoopbackCandidates) allowed.add('loopback');
  return {
    candidateAddress,
    ...(v4Host === undefined ? {} : { bindAddress: v4Host }),
    ...(config.rtc.udpMux ? { muxPort: base } : base === 0 ? {} : { portRange: [base, Math.min(65535, base + config.rtc.portCount - 1)] as const }),
    maxSessions: config.rtc.portCount,
    allowedAddressClasses: allowed,
    pliIntervalMs: config.rtc.pliIntervalMs,
    pliForRtmpMs: config.rtc.pliForRtmpMs,
  };
}
