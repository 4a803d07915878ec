import { ProtocolError } from '@runnel/shared';
import {
  FMS_KEY,
  FMS_KEY_PARTIAL,
  FP_KEY,
  FP_KEY_PARTIAL,
  HANDSHAKE_SIZE,
  RTMP_VERSION,
  findDigest,
  imprintDigest,
  imprintResponse,
  verifyResponse,
  type HandshakeStep,
  type RandomBytes,
} from './handshake-digest.ts';

/** Flash Player version we claim in C1, as ffmpeg does (9.0.124.2): non-zero selects the digest handshake. */
const CLIENT_VERSION = [9, 0, 124, 2];

/**
 * Client side of the RTMP handshake (Adobe RTMP spec 5.2), sans-IO. Sends a
 * C1 signed with the Flash Player key (schema 1, like ffmpeg); if S1 carries a
 * valid server digest we sign C2 over it, otherwise C2 echoes S1 (simple
 * handshake), so both kinds of server accept us. `serverVerified` says whether
 * S2 was signed over our digest (informational: many servers echo C1 instead).
 */
export class ClientHandshake {
  private readonly random: RandomBytes;
  private readonly c1 = new Uint8Array(HANDSHAKE_SIZE);
  private c1Digest: Uint8Array | null = null;
  private readonly s0s1s2 = new Uint8Array(1 + 2 * HANDSHAKE_SIZE);
  private have = 0;
  private finished = false;
  serverVerified = false;

  constructor(random: RandomBytes) {
    this.random = random;
  }

  get done(): boolean {
    return this.finished;
  }

  /** C0 + C1, to send as soon as the connection opens. */
  start(now: number): Uint8Array {
    this.c1.set(this.random(HANDSHAKE_SIZE));
    new DataView(this.c1.buffer).setUint32(0, now >>> 0);
    this.c1.set(CLIENT_VERSION, 4);
    this.c1Digest = imprintDigest(this.c1, 1, FP_KEY_PARTIAL).slice();
    const out = new Uint8Array(1 + HANDSHAKE_SIZE);
    out[0] = RTMP_VERSION;
    out.set(this.c1, 1);
    return out;
  }

  receive(bytes: Uint8Array, now: number): HandshakeStep {
    if (this.finished) return { send: null, done: true, rest: bytes };
    if (!this.c1Digest) throw new Error('ClientHandshake.start() first');
    if (this.have === 0 && bytes.length > 0 && bytes[0] !== RTMP_VERSION) {
      throw new ProtocolError('rtmp_version', `S0 is 0x${bytes[0]!.toString(16)}, not plain RTMP 3`);
    }
    const n = Math.min(bytes.length, this.s0s1s2.length - this.have);
    this.s0s1s2.set(bytes.subarray(0, n), this.have);
    this.have += n;
    if (this.have < this.s0s1s2.length) return { send: null, done: false, rest: EMPTY };

    const s1 = this.s0s1s2.subarray(1, 1 + HANDSHAKE_SIZE);
    const s2 = this.s0s1s2.subarray(1 + HANDSHAKE_SIZE);
    const server = s1[4]! | s1[5]! | s1[6]! | s1[7]! ? findDigest(s1, FMS_KEY_PARTIAL) : null;
    let c2: Uint8Array;
    if (server) {
      c2 = this.random(HANDSHAKE_SIZE).slice();
      imprintResponse(c2, server.digest, FP_KEY);
      this.serverVerified = verifyResponse(s2, this.c1Digest, FMS_KEY);
    } else {
      c2 = s1.slice();
      new DataView(c2.buffer).setUint32(4, now >>> 0); // spec 5.2.4 time2
    }
    this.finished = true;
    return { send: c2, done: true, rest: bytes.subarray(n) };
  }
}

const EMPTY = new Uint8Array(0);
