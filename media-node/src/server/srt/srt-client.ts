import type { SrtAdmitted } from './srt-admission.ts';
import type { SrtDeps } from './srt-deps.ts';
import type { SrtSession } from './srt-endpoint.ts';

/**
 * Lists an accepted caller in the node's clients (`/api/v1/clients` as
 * `srt-publish` / `srt-play`, bytes from its connection's counters) and
 * writes its `connect` line. `kick` is what DELETE /api/v1/clients/{id} does.
 */
export function addSrtClient(deps: SrtDeps, session: SrtSession, admitted: SrtAdmitted, sourceId: string, publish: boolean, kick: () => void): void {
  deps.clients.add({
    id: admitted.id,
    ip: session.request.peer.address,
    connectedAt: Date.now(),
    type: publish ? 'srt-publish' : 'srt-play',
    publish,
    tcUrl: admitted.hook.tcUrl,
    pageUrl: '',
    swfUrl: '',
    url: `/${admitted.key.app}/${admitted.key.stream}`,
    name: admitted.key.stream,
    sourceId,
    recvBytes: () => session.connection.stats.receiver.bytes,
    sendBytes: () => session.connection.stats.sender.bytes,
    kick,
  });
  admitted.clog.connect({ tcUrl: admitted.hook.tcUrl, app: admitted.key.app });
}
