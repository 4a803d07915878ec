import { ProtocolError } from '@runnel/shared';
import {
  FMS_KEY,
  FMS_KEY_PARTIAL,
  FP_KEY_PARTIAL,
  HANDSHAKE_SIZE,
  RTMP_VERSION,
  findDigest,
  imprintDigest,
  imprintResponse,
  type HandshakeStep,
  type RandomBytes,
} from './handshake-digest.ts';

/** FMS version we announce in a complex S1 (bytes 4-7); >= 3 makes ffmpeg check our digests. */
const SERVER_VERSION = [4, 5, 0, 1];

/**
 * Server side of the RTMP handshake (Adobe RTMP spec 5.2), sans-IO.
 *
 * C0 must be 3: anything else (0x06 RTMPE, 'H' of HTTP, 0x16 of TLS) throws
 * `rtmp_version` on the first byte, before we send anything (bad-inputs row 1).
 * When C1 carries a valid Flash Player digest (schema 0 or 1) we answer with a
 * complex S1/S2 (needed by Flash to play H.264/AAC); otherwise, including a
 * digest that does not validate, we answer the simple way: S1 random with a
 * zero version, S2 = C1 echo (SRS's fallback, row 3). C2 is read and ignored,
 * as SRS and nginx-rtmp do: clients disagree about what it should hold.
 */
export class ServerHandshake {
  private readonly random: RandomBytes;
  private readonly c0c1 = new Uint8Array(1 + HANDSHAKE_SIZE);
  private have = 0;
  private c2Left = HANDSHAKE_SIZE;
  private stage: 'c0c1' | 'c2' | 'done' = 'c0c1';
  /** 'complex' when the client's digest validated, 'simple' otherwise; null before C1. */
  mode: 'simple' | 'complex' | null = null;

  constructor(random: RandomBytes) {
    this.random = random;
  }

  get done(): boolean {
    return this.stage === 'done';
  }

  receive(bytes: Uint8Array, now: number): HandshakeStep {
    let off = 0;
    let send: Uint8Array | null = null;
    if (this.stage === 'c0c1' && bytes.length > 0) {
      if (this.have === 0 && bytes[0] !== RTMP_VERSION) {
        throw new ProtocolError('rtmp_version', `C0 is 0x${bytes[0]!.toString(16)}, not plain RTMP 3`);
      }
      const n = Math.min(bytes.length, this.c0c1.length - this.have);
      this.c0c1.set(bytes.subarray(0, n), this.have);
      this.have += n;
      off = n;
      if (this.have === this.c0c1.length) {
        send = this.respond(now);
        this.stage = 'c2';
      }
    }
    if (this.stage === 'c2') {
      const n = Math.min(bytes.length - off, this.c2Left);
      this.c2Left -= n;
      off += n;
      if (this.c2Left === 0) this.stage = 'done';
    }
    return { send, done: this.stage === 'done', rest: this.stage === 'done' ? bytes.subarray(off) : EMPTY };
  }

  private respond(now: number): Uint8Array {
    const c1 = this.c0c1.subarray(1);
    const out = new Uint8Array(1 + 2 * HANDSHAKE_SIZE);
    out[0] = RTMP_VERSION;
    const s1 = out.subarray(1, 1 + HANDSHAKE_SIZE);
    const s2 = out.subarray(1 + HANDSHAKE_SIZE);
    s1.set(this.random(HANDSHAKE_SIZE));
    new DataView(s1.buffer, s1.byteOffset).setUint32(0, now >>> 0);
    const versioned = c1[4]! | c1[5]! | c1[6]! | c1[7]!;
    const client = versioned ? findDigest(c1, FP_KEY_PARTIAL) : null;
    if (client) {
      this.mode = 'complex';
      s1.set(SERVER_VERSION, 4);
      imprintDigest(s1, client.schema, FMS_KEY_PARTIAL);
      s2.set(this.random(HANDSHAKE_SIZE));
      imprintResponse(s2, client.digest, FMS_KEY);
    } else {
      this.mode = 'simple';
      s1.fill(0, 4, 8); // spec 5.2.3: zero
      s2.set(c1); // spec 5.2.4: C1's time and random echoed
      new DataView(s2.buffer, s2.byteOffset).setUint32(4, now >>> 0); // time2: when C1 was read
    }
    return out;
  }
}

const EMPTY = new Uint8Array(0);
