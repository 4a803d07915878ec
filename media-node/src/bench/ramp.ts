import type { TrackedChild } from './children.ts';
import { readStreams } from './hls-watch.ts';
import { sleep, STREAM_APP, STREAM_NAME } from './servers.ts';
import type { StreamCounters } from './stream-stats.ts';

/** A publisher that is not live within this long (ffmpeg encoding, the node starting) fails the case. */
const STREAM_READY_TIMEOUT_MS = 20_000;
/** After the stream is live: long enough for its GOP cache to hold a keyframe (the sources have one every 2 s). */
const GOP_SETTLE_MS = 2_000;
/** Beyond the time the ramp itself takes, how long players may take to connect before measuring anyway. */
const RAMP_SLACK_MS = 30_000;
const POLL_MS = 250;

/** What a case needs of a load generator while its players ramp up. */
interface RampStatus {
  readonly created: number;
  readonly playing: number;
  readonly errors: number;
  readonly topError?: string | undefined;
}

/**
 * Waits until every player plays or failed (or the ramp's deadline: `players`
 * at `rampPerSecond` plus slack), logging progress every 5 s; returns how
 * many play. Shared by the play cases of every bench.
 */
export async function waitForRamp(players: number, rampPerSecond: number, log: (line: string) => void, gens: readonly { status(): Promise<RampStatus> }[]): Promise<number> {
  const deadline = Date.now() + (players / rampPerSecond) * 1000 + RAMP_SLACK_MS;
  let lastLog = Date.now();
  while (true) {
    const st = await Promise.all(gens.map((g) => g.status()));
    const created = st.reduce((n, s) => n + s.created, 0);
    const playing = st.reduce((n, s) => n + s.playing, 0);
    const errors = st.reduce((n, s) => n + s.errors, 0);
    const top = st.find((s) => s.topError !== undefined)?.topError;
    if (created >= players && playing + errors >= players) return playing;
    if (Date.now() > deadline) {
      log(`  ramp timed out: ${playing}/${players} playing, ${errors} failed; measuring anyway`);
      return playing;
    }
    if (Date.now() - lastLog > 5_000) {
      lastLog = Date.now();
      log(`  ramp: ${created} opened, ${playing} playing, ${errors} failed${top ? ` (${top})` : ''}`);
    }
    await sleep(POLL_MS);
  }
}

/** Waits until the node's API lists the bench stream as publishing, then for its GOP cache to hold a keyframe. */
export async function waitForPublishing(node: { readonly apiPort: number; readonly child: TrackedChild }, publisher: TrackedChild): Promise<void> {
  const deadline = Date.now() + STREAM_READY_TIMEOUT_MS;
  while (true) {
    if (!publisher.alive) throw new Error(`publisher exited:\n${publisher.tail()}`);
    if (!node.child.alive) throw new Error(`runnel exited:\n${node.child.tail()}`);
    const streams = await readStreams(node.apiPort, 1).catch(() => [] as StreamCounters[]);
    if (streams.some((s) => s.app === STREAM_APP && s.name === STREAM_NAME && s.publishing)) break;
    if (Date.now() > deadline) throw new Error(`${STREAM_APP}/${STREAM_NAME} not publishing after ${STREAM_READY_TIMEOUT_MS} ms`);
    await sleep(POLL_MS);
  }
  await sleep(GOP_SETTLE_MS);
}
