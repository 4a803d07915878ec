import { FlvDemuxer } from '../format/flv/flv-demuxer.ts';
import { ChunkedDecoder, isChunked, parseResponseHead } from './http-response.ts';
import { isMediaFrame } from './player-clock.ts';
import { SocketPlayer, type PlayerEnv } from './socket-player.ts';

/**
 * An HTTP-FLV player: `GET /live/bench.flv` (HTTP/1.1, as ffplay and
 * mpegts.js send it), then the FLV stream through the repo's FlvDemuxer; each
 * audio/video frame's timestamp goes to the player clock. The tag bodies are
 * not decoded beyond telling frames from sequence headers.
 */
export class FlvPlayer extends SocketPlayer {
  private readonly url: URL;
  private readonly demuxer = new FlvDemuxer();
  private head: Uint8Array | undefined = new Uint8Array(0);
  private chunked: ChunkedDecoder | undefined;

  constructor(url: URL, env: PlayerEnv) {
    super(url.hostname, Number(url.port || 80), env);
    this.url = url;
  }

  protected onConnect(): void {
    const req = `GET ${this.url.pathname}${this.url.search} HTTP/1.1\r\nHost: ${this.url.host}\r\nUser-Agent: runnel-bench\r\nAccept: */*\r\n\r\n`;
    this.send(new TextEncoder().encode(req));
  }

  protected onBytes(view: Uint8Array, nowMs: number): void {
    // The demuxer keeps references to partial tags, so it needs bytes of its own.
    let bytes: Uint8Array = view.slice();
    if (this.head !== undefined) {
      const joined = new Uint8Array(this.head.length + bytes.length);
      joined.set(this.head);
      joined.set(bytes, this.head.length);
      const parsed = parseResponseHead(joined);
      if (!parsed) {
        this.head = joined;
        return;
      }
      this.head = undefined;
      if (parsed.head.status !== 200) throw new Error(`HTTP ${parsed.head.status}`);
      if (isChunked(parsed.head)) this.chunked = new ChunkedDecoder();
      bytes = parsed.rest;
    }
    if (this.chunked) {
      for (const part of this.chunked.push(bytes)) this.demux(part, nowMs);
    } else {
      this.demux(bytes, nowMs);
    }
  }

  private demux(bytes: Uint8Array, nowMs: number): void {
    for (const tag of this.demuxer.push(bytes)) {
      if (isMediaFrame(tag.type, tag.body)) this.clock.onFrame(tag.timestamp, nowMs);
    }
  }
}
