import type { PublishHandle, Source } from '../../hub/source.ts';
import { SRT_REJX, type SrtConnectRequest } from '../../protocol/srt/index.ts';
import { admitSrtCaller, type SrtAdmitted } from './srt-admission.ts';
import type { SrtDeps } from './srt-deps.ts';
import { startSrtEndpoint, type SrtAdmission, type SrtEndpoint, type SrtSession, type SrtSessionHandler } from './srt-endpoint.ts';
import { startSrtPlayer } from './srt-player.ts';
import { startSrtPublisher } from './srt-publisher.ts';

/** The `srt` config section, as the server needs it. */
export interface SrtServerConfig {
  readonly latencyMs: number;
  readonly peerLatencyMs: number;
  /** "" = no encryption. */
  readonly passphrase: string;
  /** 0 = the caller's choice. */
  readonly pbkeylen: number;
  readonly defaultApp: string;
  readonly peerIdleTimeoutMs: number;
  readonly maxConnections: number;
}

/** A caller admitted and waiting for its accept: a publisher has already claimed its source. */
interface Ready {
  readonly admitted: SrtAdmitted;
  readonly source: Source;
  readonly handle: PublishHandle | null;
}

/**
 * The node's SRT service (SRS `srt_server`): the UDP endpoint, SRS hooks
 * before a caller is accepted, a publish claiming its source before the
 * accept (a busy stream is refused with SRT_REJX_CONFLICT, 1409, which libsrt
 * shows the caller), then a publisher or player handler per connection.
 */
export async function startSrtServer(deps: SrtDeps, config: SrtServerConfig, host: string, port: number): Promise<SrtEndpoint> {
  const ready = new Map<string, Ready>();
  const local = { host, port };

  const admit = async (request: SrtConnectRequest): Promise<SrtAdmission> => {
    const verdict = await admitSrtCaller(deps, request, local);
    if (!verdict.ok) return { reject: verdict.code };
    const { admitted } = verdict;
    const source = deps.streams.getOrCreate(admitted.key);
    let handle: PublishHandle | null = null;
    if (request.mode === 'publish') {
      const claim = source.publish({ clientId: admitted.id, protocol: 'srt', ...(admitted.record === undefined ? {} : { record: admitted.record }) });
      if (!claim.ok) {
        admitted.clog.reject('stream_busy', { stream: `${admitted.key.app}/${admitted.key.stream}`, publisher: claim.current.clientId });
        return { reject: SRT_REJX.conflict };
      }
      handle = claim.publisher;
    }
    ready.set(request.key, { admitted, source, handle });
    const release = (): void => {
      ready.delete(request.key);
      handle?.unpublish();
    };
    // The node's passphrase wins over a per-stream one; with neither, callers must not encrypt.
    const passphrase = config.passphrase !== '' ? config.passphrase : admitted.passphrase;
    return passphrase === undefined ? { accept: true, release } : { accept: true, passphrase, release };
  };

  const onSession = (session: SrtSession): SrtSessionHandler => {
    const r = ready.get(session.request.key);
    ready.delete(session.request.key);
    if (r === undefined) {
      // Cannot happen: the endpoint accepts only what admit() admitted.
      session.close();
      return { onData() {}, onClosed() {} };
    }
    return r.handle === null ? startSrtPlayer(deps, session, r.admitted, r.source) : startSrtPublisher(deps, session, r.admitted, r.source, r.handle);
  };

  const endpoint = await startSrtEndpoint({
    host,
    port,
    now: deps.now,
    log: deps.log,
    admit,
    onSession,
    maxConnections: config.maxConnections,
    listener: {
      latencyMs: config.latencyMs,
      peerLatencyMs: config.peerLatencyMs,
      defaultApp: config.defaultApp,
      passphrase: config.passphrase === '' ? undefined : config.passphrase,
      keyLength: config.pbkeylen === 0 ? undefined : config.pbkeylen,
      peerIdleTimeoutMs: config.peerIdleTimeoutMs,
      // Keys are checked once the hooks said which passphrase this caller needs.
      keysAfterAdmission: true,
    },
  });
  local.port = endpoint.port;
  return {
    get port() {
      return endpoint.port;
    },
    get sessions() {
      return endpoint.sessions;
    },
    get pending() {
      return endpoint.pending;
    },
    stats: endpoint.stats,
    async close() {
      await endpoint.close();
      // Admitted callers the endpoint never accepted (it was stopping): release their sources.
      for (const r of ready.values()) r.handle?.unpublish();
      ready.clear();
    },
  };
}
