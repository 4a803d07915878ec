import type { RtmpConnectInfo } from '../../protocol/rtmp/connect-request.ts';
import { ALLOWED } from '../hooks/hook-client.ts';
import type { HookClient, HookVerdict } from '../hooks/hook-client.ts';
import { hookParam } from '../hooks/hook-body.ts';
import type { HookRequest, NotifyAction } from '../hooks/hook-body.ts';

/** The stream a publish or play names, as the session reported it. */
export interface HookStream {
  /** The vhost the stream resolved to (a `?vhost=` in its query may change it); default: the connect's. */
  readonly vhost?: string;
  readonly stream: string;
  /** Its query without `?`, as the session reports it. */
  readonly param: string;
  /** The source's stat id, when the source exists. */
  readonly streamId?: string;
}

/** on_connect and on_close name no stream. */
const NO_STREAM: HookStream = { stream: '', param: '' };

/**
 * The SRS hooks of one RTMP connection, in SRS's order (srs.md 3.2):
 * on_connect, then on_publish or on_play, then on_unpublish or on_stop, then
 * on_close. It builds the bodies from what the connection learned (`connect`
 * command, stream name and query) and keeps two promises so the order holds
 * although every call is asynchronous:
 *
 * - the connect gate: on_publish / on_play wait for on_connect's answer
 *   (the session answers `connect` at once, so a publish can arrive while
 *   on_connect is still pending); a refused connect refuses them too;
 * - the notification chain: on_unpublish / on_stop / on_close go out one
 *   after the other, and on_close only for a connection on_connect admitted.
 */
export class RtmpHookCalls {
  private readonly hooks: HookClient;
  private readonly clientId: string;
  private readonly ip: string;
  private info: RtmpConnectInfo | null = null;
  private gate: Promise<HookVerdict> = Promise.resolve(ALLOWED);
  private chain: Promise<void> = Promise.resolve();

  constructor(hooks: HookClient, client: { readonly clientId: string; readonly ip: string }) {
    this.hooks = hooks;
    this.clientId = client.clientId;
    this.ip = client.ip;
  }

  /** on_connect; what later admissions wait for. */
  connect(info: RtmpConnectInfo): Promise<HookVerdict> {
    this.info = info;
    this.gate = this.hooks.admit('on_connect', this.request(NO_STREAM));
    return this.gate;
  }

  /** on_publish, once on_connect has admitted the connection. */
  async publish(s: HookStream): Promise<HookVerdict> {
    const connect = await this.gate;
    if (!connect.ok) return connect;
    return this.hooks.admit('on_publish', this.request(s));
  }

  /** on_play, once on_connect has admitted the connection. */
  async play(s: HookStream): Promise<HookVerdict> {
    const connect = await this.gate;
    if (!connect.ok) return connect;
    return this.hooks.admit('on_play', this.request(s));
  }

  /** An admitted publish ended, after `recvBytes` from its connection. */
  unpublish(s: HookStream, recvBytes: number): void {
    this.enqueue('on_unpublish', { ...this.request(s), publishedBytes: recvBytes });
  }

  /** An admitted play ended. */
  stop(s: HookStream): void {
    this.enqueue('on_stop', this.request(s));
  }

  /** The connection is gone: on_close if on_connect admitted it (after the other notifications). */
  close(sendBytes: number, recvBytes: number): void {
    if (this.info === null) return;
    const gate = this.gate;
    const request = { ...this.request(NO_STREAM), sendBytes, recvBytes };
    this.chain = this.chain.then(async () => {
      if ((await gate).ok) await this.hooks.notify('on_close', request);
    });
  }

  /** Resolves once every notification queued so far was sent (for tests and orderly shutdown). */
  settled(): Promise<void> {
    return this.chain;
  }

  private enqueue(action: NotifyAction, request: HookRequest): void {
    this.chain = this.chain.then(() => this.hooks.notify(action, request));
  }

  /**
   * The body fields. `param` is the publish/play query (`?token=...`) and,
   * if the tcUrl or app carried one too (OBS puts keys there), that one after
   * it, so a token reaches the hook wherever the encoder put it.
   */
  private request(s: HookStream): HookRequest {
    const info = this.info;
    const query = [s.param, info?.param ?? ''].filter((p) => p !== '').join('&');
    return {
      clientId: this.clientId,
      ip: this.ip,
      vhost: s.vhost ?? info?.vhost ?? '',
      app: info?.app ?? '',
      stream: s.stream,
      param: hookParam(query),
      tcUrl: info?.tcUrl ?? '',
      pageUrl: info?.pageUrl ?? '',
      streamId: s.streamId,
    };
  }
}
