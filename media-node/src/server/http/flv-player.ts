import { flvStreamStart } from '../../format/flv/flv-header.ts';
import { newClientId } from '../clients.ts';
import { flvWire } from '../delivery/flv-wire.ts';
import type { HttpPlayDeps } from './http-play-deps.ts';
import { startHttpPlayer } from './http-player.ts';
import { admitHttpPlayer } from './play-admission.ts';
import type { HttpPlayerOut } from './play-admission.ts';
import type { StreamPath } from './stream-path.ts';

/** FLV header with both flags set, like SRS: the stream may gain audio or video later. */
const FLV_PREAMBLE = flvStreamStart({ hasAudio: true, hasVideo: true });

/**
 * One HTTP-FLV or WS-FLV player: on_play first (SRS http_hooks; nothing is
 * attached or created before it admits, `play-admission.ts`), then the FLV
 * header, the source's metadata, sequence headers and GOP cache, then live
 * tags until either side leaves, then on_stop. Like SRS, a player of a
 * stream that is not (yet) published waits for the publisher; when the
 * publisher leaves the player stays for a republish.
 */
export function playFlv(deps: HttpPlayDeps, path: StreamPath, ip: string, out: HttpPlayerOut): void {
  const proto = out.kind === 'http' ? 'flv' : 'ws-flv';
  admitHttpPlayer(deps, path, ip, out, { id: newClientId(), proto }, (player) =>
    startHttpPlayer(deps, path, ip, out, player, () => ({
      contentType: 'video/x-flv',
      encode: flvWire,
      preamble: FLV_PREAMBLE,
      release: () => {},
    })),
  );
}
