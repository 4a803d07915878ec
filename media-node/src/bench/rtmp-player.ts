import { RtmpPlayClient } from './rtmp-play-client.ts';
import { SocketPlayer, type PlayerEnv } from './socket-player.ts';

/** An RTMP player: RtmpPlayClient on a socket; every frame's timestamp goes to the player clock. */
export class RtmpPlayer extends SocketPlayer {
  private readonly client: RtmpPlayClient;
  private readonly onFrame: (timestamp: number) => void;
  private now = 0;

  constructor(url: URL, env: PlayerEnv) {
    super(url.hostname, Number(url.port || 1935), env);
    this.client = new RtmpPlayClient(url.href, Date.now());
    this.onFrame = (timestamp) => this.clock.onFrame(timestamp, this.now);
  }

  protected onConnect(): void {
    for (const out of this.client.start(Date.now())) this.send(out);
  }

  protected onBytes(bytes: Uint8Array, nowMs: number): void {
    this.now = nowMs;
    // The session copies what it keeps (handshake bytes, partial messages), so the shared read buffer may be passed as is.
    for (const out of this.client.receive(bytes, Date.now(), this.onFrame)) this.send(out);
  }
}
