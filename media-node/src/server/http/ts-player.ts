import type { ServerResponse, IncomingMessage } from 'node:http';
import { newClientId } from '../clients.ts';
import { tsTapFor, tsWire } from '../delivery/ts-tap.ts';
import type { HttpPlayDeps } from './http-play-deps.ts';
import { startHttpPlayer } from './http-player.ts';
import { admitHttpPlayer } from './play-admission.ts';
import type { StreamPath } from './stream-path.ts';

/**
 * One HTTP-TS player (`/app/stream.ts`, as SRS's http_remux): on_play, then
 * PAT/PMT, the source's GOP and live frames as MPEG-TS from the source's
 * shared remux (TsTap). Waits for a publisher like HTTP-FLV does.
 */
export function playTs(deps: HttpPlayDeps, path: StreamPath, ip: string, req: IncomingMessage, res: ServerResponse): void {
  const out = { kind: 'http' as const, req, res };
  admitHttpPlayer(deps, path, ip, out, { id: newClientId(), proto: 'http-ts' }, (player) =>
    startHttpPlayer(deps, path, ip, out, player, (source) => {
      const mine = tsTapFor(source);
      return { contentType: 'video/mp2t', encode: tsWire, preamble: mine.attach(), release: () => mine.detach() };
    }),
  );
}
