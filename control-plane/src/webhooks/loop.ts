import type { Db } from '../db/db.ts';
import type { Clock } from '../services/clock.ts';
import { sweepIdleStreams } from '../services/idle-sweep.ts';
import type { Logger } from '../services/logger.ts';
import { DEFAULT_DISPATCH, dispatchDue } from './dispatcher.ts';
import type { DispatchOptions } from './dispatcher.ts';

/**
 * The periodic webhook work: turn streams idle whose reconnect window is
 * over (which queues `stream.idle`), then send what is due. The Workers cron
 * calls `runWebhookWork` once a minute; the Node entry runs `startWebhookLoop`.
 */

/** Node loop period: a queued event goes out within about a second. */
export const WEBHOOK_LOOP_EVERY_MS = 1000;

export async function runWebhookWork(db: Db, clock: Clock, log: Logger, opts: DispatchOptions = DEFAULT_DISPATCH): Promise<void> {
  const idle = await sweepIdleStreams(db, clock.now());
  if (idle.length > 0) log.info('streams idle', { live_streams: idle });
  const r = await dispatchDue(db, clock, opts);
  if (r.failed > 0 || r.retrying > 0) log.info('webhook deliveries not accepted', { ...r });
}

export interface WebhookLoop {
  /** Stops the timer and waits for a run in progress. */
  stop(): Promise<void>;
}

/** One run at a time: a tick that finds the previous run still going (slow receivers) is skipped. */
export function startWebhookLoop(db: Db, clock: Clock, log: Logger, everyMs = WEBHOOK_LOOP_EVERY_MS, opts: DispatchOptions = DEFAULT_DISPATCH): WebhookLoop {
  let running: Promise<void> | null = null;
  const timer = setInterval(() => {
    if (running !== null) return;
    running = runWebhookWork(db, clock, log, opts)
      .catch((e: unknown) => log.error('webhook work failed', { error: String(e) }))
      .finally(() => {
        running = null;
      });
  }, everyMs);
  timer.unref();
  return {
    stop: async () => {
      clearInterval(timer);
      await running;
    },
  };
}
