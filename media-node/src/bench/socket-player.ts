import { connect, type Socket } from 'node:net';
import { PlayerClock } from './player-clock.ts';

/** What all players of one generator process share. */
export interface PlayerEnv {
  /**
   * The one buffer every socket of the process reads into (`onread`): data is
   * copied out of it at once, so thousands of players do not each hold a
   * 64 KiB read buffer, and a paused player stops reading from the kernel.
   * `onBytes` gets a view of it that is valid only during the call.
   */
  readonly readBuffer: Uint8Array;
  now(): number;
}

/**
 * A player on a raw TCP socket. Subclasses speak the protocol (`onConnect`,
 * `onBytes`) and report media frames to `clock`; this class owns the socket,
 * the byte count and the pause/resume that 'real' players use.
 */
export abstract class SocketPlayer {
  readonly clock = new PlayerClock();
  bytes = 0;
  error: string | undefined;
  private readonly socket: Socket;
  private readonly env: PlayerEnv;
  private connected = false;
  private closed = false;
  private markBytes = 0;

  constructor(host: string, port: number, env: PlayerEnv) {
    this.env = env;
    this.socket = connect({
      host,
      port,
      onread: {
        buffer: env.readBuffer,
        // Returning false would pause the socket; pausing is the pacer's decision, not the reader's.
        callback: (n: number, buf: Uint8Array): boolean => {
          this.received(buf.subarray(0, n));
          return true;
        },
      },
    });
    this.socket.setNoDelay(true);
    this.socket.once('connect', () => {
      this.connected = true;
      this.guard(() => this.onConnect());
    });
    this.socket.on('error', (e) => {
      this.error ??= e.message;
    });
    this.socket.once('close', () => {
      this.closed = true;
      this.error ??= this.clock.started ? 'closed by server' : 'closed before the first frame';
    });
  }

  /** Connected and not closed. */
  get open(): boolean {
    return this.connected && !this.closed;
  }

  pause(): void {
    if (this.open) this.socket.pause();
  }

  resume(): void {
    if (this.open) this.socket.resume();
  }

  close(): void {
    this.closed = true;
    this.socket.destroy();
  }

  /** Starts the measurement window: bytes are counted from here. */
  mark(): void {
    this.markBytes = this.bytes;
  }

  /** Lag at `nowMs`, or null if this player never got a frame or is no longer connected. */
  lagAt(nowMs: number): number | null {
    return this.open ? (this.clock.lagMs(nowMs) ?? null) : null;
  }

  /** Bytes received since `mark()`. */
  get windowBytes(): number {
    return this.bytes - this.markBytes;
  }

  protected abstract onConnect(): void;
  /** `bytes` is a view of the shared read buffer: copy what must outlive the call. */
  protected abstract onBytes(bytes: Uint8Array, nowMs: number): void;

  protected send(bytes: Uint8Array): void {
    if (!this.closed) this.socket.write(bytes);
  }

  protected fail(message: string): void {
    this.error ??= message;
    this.close();
  }

  private received(bytes: Uint8Array): void {
    this.bytes += bytes.length;
    this.guard(() => this.onBytes(bytes, this.env.now()));
  }

  private guard(fn: () => void): void {
    try {
      fn();
    } catch (e) {
      this.fail(e instanceof Error ? e.message : String(e));
    }
  }
}
