/**
 * A tiny RTMP peer over a real TCP socket for end-to-end bad-input tests: a
 * simple handshake, then whatever chunks the test builds, well-formed (with
 * the repo's chunk writer and AMF0 encoders) or deliberately broken (raw
 * bytes). Everything the server sends back is read with the repo's
 * ChunkReader, so a test can wait for an `_error`/`onStatus` and then for the
 * socket to close, and measure how long the close took.
 */
import { connect } from 'node:net';
import type { Socket } from 'node:net';
import type { Amf0Value } from '../../src/format/amf0.ts';
import { ChunkReader } from '../../src/protocol/rtmp/chunk-reader.ts';
import { encodeMessageChunks } from '../../src/protocol/rtmp/chunk-writer.ts';
import { HANDSHAKE_SIZE } from '../../src/protocol/rtmp/handshake-digest.ts';
import { MSG } from '../../src/protocol/rtmp/message.ts';
import type { RtmpMessage } from '../../src/protocol/rtmp/message.ts';
import { decodeCommand, encodeCommand } from '../../src/protocol/rtmp/messages/command.ts';
import type { RtmpCommand } from '../../src/protocol/rtmp/messages/command.ts';
import { encodeSetChunkSize } from '../../src/protocol/rtmp/messages/set-chunk-size.ts';
import { decodeUserControl, encodeUserControl } from '../../src/protocol/rtmp/messages/user-control.ts';

/** S0 + S1 + S2: what a server answers to C0 + C1 (Adobe RTMP spec 5.2). */
const SERVER_HANDSHAKE_BYTES = 1 + 2 * HANDSHAKE_SIZE;

/** How long a helper waits for an answer the server must give at once on loopback. */
const ANSWER_TIMEOUT_MS = 3000;

export interface ReceivedCommand extends RtmpCommand {
  readonly streamId: number;
}

/** C0 (version 3) + C1 of a simple-handshake client: time 0, zero field 0, then filler. */
export function simpleC0C1(): Uint8Array {
  const b = new Uint8Array(1 + HANDSHAKE_SIZE).fill(0x5a);
  b[0] = 3;
  b.fill(0, 1, 9);
  return b;
}

/** Concatenates byte arrays. */
export function cat(...parts: Uint8Array[]): Uint8Array {
  const out = new Uint8Array(parts.reduce((sum, p) => sum + p.length, 0));
  let off = 0;
  for (const p of parts) {
    out.set(p, off);
    off += p.length;
  }
  return out;
}

export class RawRtmpPeer {
  readonly socket: Socket;
  /** performance.now() when the TCP connection was established. */
  readonly openedAt: number;
  /** performance.now() of the last write (the bad bytes a close is measured from). */
  lastWriteAt: number;
  /** performance.now() when the server ended or reset the connection; null while open. */
  endedAt: number | null = null;
  /** Socket errors (ECONNRESET when the server closes with our bytes unread, EPIPE when we write after). */
  readonly errors: Error[] = [];
  /** Every message the server sent after the handshake, in order. */
  readonly messages: RtmpMessage[] = [];
  /** Our outgoing chunk size (changes with `setChunkSize`). */
  chunkSize = 128;
  /** Bytes received from the server, handshake included. */
  received = 0;
  private serverS1 = new Uint8Array(HANDSHAKE_SIZE);
  private handshakeBytes: Uint8Array[] = [];
  private handshakeLength = 0;
  private handshaken = false;
  private readonly reader = new ChunkReader();
  private readonly waiters = new Set<() => void>();

  private constructor(socket: Socket) {
    this.socket = socket;
    this.openedAt = performance.now();
    this.lastWriteAt = this.openedAt;
    const ended = () => {
      this.endedAt ??= performance.now();
      this.wake();
    };
    socket.on('data', (b: Buffer) => this.onData(new Uint8Array(b.buffer, b.byteOffset, b.byteLength)));
    socket.on('end', ended);
    socket.on('close', ended);
    socket.on('error', (e) => {
      this.errors.push(e);
      ended();
    });
  }

  /** A TCP connection to the RTMP port on loopback. */
  static open(port: number): Promise<RawRtmpPeer> {
    return new Promise((resolve, reject) => {
      const s = connect({ host: '127.0.0.1', port });
      s.setNoDelay(true);
      s.once('error', reject);
      s.once('connect', () => {
        s.off('error', reject);
        resolve(new RawRtmpPeer(s));
      });
    });
  }

  get isOpen(): boolean {
    return this.endedAt === null;
  }

  /** Bytes as they are (the peer may be long gone: a write after close is recorded, not thrown). */
  write(bytes: Uint8Array): void {
    this.lastWriteAt = performance.now();
    if (this.socket.destroyed || this.socket.writableEnded) return;
    this.socket.write(bytes);
  }

  /** C0C1, wait for S0S1S2, then C2 (S1 echoed, as the simple handshake asks; the server does not check it). */
  async handshake(c0c1: Uint8Array = simpleC0C1(), c2?: Uint8Array): Promise<void> {
    this.write(c0c1);
    await this.waitFor(() => (this.handshaken ? true : undefined), 'S0S1S2');
    this.write(c2 ?? this.serverS1);
  }

  /** One message chunked at our chunk size. */
  message(m: RtmpMessage): void {
    this.write(encodeMessageChunks(m, this.chunkSize));
  }

  /** An AMF0 command (type 20) on chunk stream `csid`. */
  command(name: string, transactionId: number, commandObject: Amf0Value, args: Amf0Value[] = [], streamId = 0, csid = 3): void {
    this.message({ csid, timestamp: 0, typeId: MSG.commandAmf0, streamId, payload: encodeCommand(name, transactionId, commandObject, ...args) });
  }

  /** A protocol control or user control message (chunk stream 2, message stream 0, spec 5.4). */
  control(typeId: number, payload: Uint8Array): void {
    this.message({ csid: 2, timestamp: 0, typeId, streamId: 0, payload });
  }

  setChunkSize(size: number): void {
    this.control(MSG.setChunkSize, encodeSetChunkSize(size));
    this.chunkSize = size;
  }

  /** `connect` as ffmpeg sends it, and wait for its `_result`. */
  async connectApp(app: string, port: number): Promise<void> {
    this.command('connect', 1, { app, tcUrl: `rtmp://127.0.0.1:${port}/${app}`, flashVer: 'FMLE/3.0', fpad: false, objectEncoding: 0 });
    await this.waitForCommand((c) => c.transactionId === 1 && (c.name === '_result' || c.name === '_error'));
    const answer = this.commands().find((c) => c.transactionId === 1)!;
    if (answer.name !== '_result') throw new Error(`connect refused: ${JSON.stringify(this.statusCodes())}`);
  }

  /** createStream; resolves with the stream id the server handed out. */
  async createStream(transactionId = 2): Promise<number> {
    this.command('createStream', transactionId, null);
    const r = await this.waitForCommand((c) => c.transactionId === transactionId && c.name !== 'onStatus');
    if (r.name !== '_result' || typeof r.args[0] !== 'number') throw new Error(`createStream answered ${r.name}`);
    return r.args[0];
  }

  /** createStream + publish(name, 'live'); resolves with the status code the server answered. */
  async publish(name: Amf0Value): Promise<string> {
    const id = await this.createStream();
    const before = this.statusCodes().length;
    this.command('publish', 0, null, [name, 'live'], id, 5);
    await this.waitFor(() => (this.statusCodes().length > before ? true : undefined), 'publish status');
    return this.statusCodes()[before]!;
  }

  /** A media message (audio 8 / video 9 / data 18) on message stream 1, chunk stream 6 like ffmpeg's video. */
  media(typeId: number, timestamp: number, payload: Uint8Array, streamId = 1): void {
    this.message({ csid: typeId === MSG.audio ? 4 : 6, timestamp, typeId, streamId, payload });
  }

  /** Ping Request (User Control 6), resolved by the server's Ping Response: the connection still works. */
  async ping(timestamp: number): Promise<void> {
    this.control(MSG.userControl, encodeUserControl({ type: 'pingRequest', timestamp }));
    await this.waitFor(
      () =>
        this.messages.some((m) => {
          if (m.typeId !== MSG.userControl) return false;
          const ev = decodeUserControl(m.payload);
          return ev.type === 'pingResponse' && ev.timestamp === timestamp;
        })
          ? true
          : undefined,
      `ping response ${timestamp}`,
    );
  }

  /** Every AMF0 command the server sent. */
  commands(): ReceivedCommand[] {
    return this.messages
      .filter((m) => m.typeId === MSG.commandAmf0)
      .map((m) => ({ ...decodeCommand(m.typeId, m.payload), streamId: m.streamId }));
  }

  /** The `code` of every status object in `_result`/`_error`/`onStatus`, in order. */
  statusCodes(): string[] {
    const out: string[] = [];
    for (const c of this.commands()) {
      for (const a of [c.commandObject, ...c.args]) {
        if (a !== null && typeof a === 'object' && 'code' in a && typeof a.code === 'string') out.push(a.code);
      }
    }
    return out;
  }

  /** Resolves with the first command matching `pred` (already received or arriving within the timeout). */
  waitForCommand(pred: (c: ReceivedCommand) => boolean, timeoutMs = ANSWER_TIMEOUT_MS): Promise<ReceivedCommand> {
    return this.waitFor(() => this.commands().find(pred), 'a matching command', timeoutMs);
  }

  /** Resolves with the first non-undefined `probe()`, re-checked on every arrival; rejects on timeout or close. */
  waitFor<T>(probe: () => T | undefined, what: string, timeoutMs = ANSWER_TIMEOUT_MS): Promise<T> {
    return new Promise((resolve, reject) => {
      const check = (): boolean => {
        const v = probe();
        if (v !== undefined) {
          done();
          resolve(v);
          return true;
        }
        if (!this.isOpen) {
          done();
          reject(new Error(`connection closed while waiting for ${what}; status codes ${JSON.stringify(this.statusCodes())}`));
          return true;
        }
        return false;
      };
      const timer = setTimeout(() => {
        done();
        reject(new Error(`timed out after ${timeoutMs} ms waiting for ${what}`));
      }, timeoutMs);
      const done = () => {
        clearTimeout(timer);
        this.waiters.delete(waiter);
      };
      const waiter = () => void check();
      if (!check()) this.waiters.add(waiter);
    });
  }

  /** Milliseconds from the last write to the server closing the connection; rejects if still open after `timeoutMs`. */
  async closedAfterLastWrite(timeoutMs = ANSWER_TIMEOUT_MS): Promise<number> {
    await this.closed(timeoutMs);
    return this.endedAt! - this.lastWriteAt;
  }

  /** Resolves once the server closed the connection. */
  closed(timeoutMs = ANSWER_TIMEOUT_MS): Promise<void> {
    return new Promise((resolve, reject) => {
      if (!this.isOpen) return resolve();
      const timer = setTimeout(() => {
        this.waiters.delete(waiter);
        reject(new Error(`still open ${timeoutMs} ms after the last write`));
      }, timeoutMs);
      const waiter = () => {
        if (this.isOpen) return;
        clearTimeout(timer);
        this.waiters.delete(waiter);
        resolve();
      };
      this.waiters.add(waiter);
    });
  }

  destroy(): void {
    this.socket.destroy();
  }

  private onData(bytes: Uint8Array): void {
    this.received += bytes.length;
    let rest = bytes;
    if (!this.handshaken) {
      this.handshakeBytes.push(bytes.slice());
      this.handshakeLength += bytes.length;
      if (this.handshakeLength < SERVER_HANDSHAKE_BYTES) return;
      const all = Buffer.concat(this.handshakeBytes);
      this.serverS1 = new Uint8Array(all.subarray(1, 1 + HANDSHAKE_SIZE));
      rest = new Uint8Array(all.subarray(SERVER_HANDSHAKE_BYTES));
      this.handshakeBytes = [];
      this.handshaken = true;
    }
    try {
      if (rest.length > 0) this.messages.push(...this.reader.push(rest));
    } catch (e) {
      this.errors.push(e as Error);
    }
    this.wake();
  }

  private wake(): void {
    for (const w of [...this.waiters]) w();
  }
}
