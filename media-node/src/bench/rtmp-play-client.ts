import { RtmpClientSession, type RtmpClientOutput } from '../protocol/rtmp/client-session.ts';
import type { RandomBytes } from '../protocol/rtmp/handshake-digest.ts';
import { isMediaFrame } from './player-clock.ts';

/**
 * The repo's sans-IO RTMP client session in play mode, cut down to what a
 * benchmark player needs: bytes in, bytes to send out, and the timestamp of
 * every audio/video frame (sequence headers and data excluded) through a
 * callback, so no event objects pile up per read. The session does the rest
 * a polite client must (handshake, connect, createStream, play + buffer
 * length, acknowledgements, ping responses). A close from the session
 * (refused play, protocol error) is thrown.
 *
 * @example
 * const c = new RtmpPlayClient('rtmp://127.0.0.1:1935/live/bench', Date.now());
 * for (const b of c.start(Date.now())) socket.write(b);
 * socket.on('data', (d) => { for (const b of c.receive(d, Date.now(), onFrame)) socket.write(b); });
 */
export class RtmpPlayClient {
  private readonly session: RtmpClientSession;

  constructor(url: string, nowMs: number, random?: RandomBytes) {
    if (!/^rtmp:\/\//i.test(url)) throw new Error(`not an RTMP URL: ${url}`);
    this.session = new RtmpClientSession({ url, mode: 'play', now: nowMs, ...(random ? { random } : {}) });
  }

  get state(): RtmpClientSession['state'] {
    return this.session.state;
  }

  /** C0 + C1, to send when the connection opens. */
  start(nowMs: number): Uint8Array[] {
    return sends(this.session.start(nowMs), () => {});
  }

  /** Consumes bytes from the server; calls `onFrame` per media frame; returns what to send back. */
  receive(bytes: Uint8Array, nowMs: number, onFrame: (timestamp: number) => void): Uint8Array[] {
    return sends(this.session.receive(bytes, nowMs), onFrame);
  }
}

function sends(outs: readonly RtmpClientOutput[], onFrame: (timestamp: number) => void): Uint8Array[] {
  const bytes: Uint8Array[] = [];
  for (const o of outs) {
    if (o.kind === 'send') bytes.push(o.bytes);
    else if (o.kind === 'media') {
      if (isMediaFrame(o.message.typeId, o.message.payload)) onFrame(o.message.timestamp);
    } else if (o.kind === 'close') {
      throw new Error(`RTMP ${o.reason}: ${o.message}`);
    }
  }
  return bytes;
}
