import { cpus } from 'node:os';
import { DEFAULT_HEARTBEAT_MS, MAX_HEARTBEAT_MS, MIN_HEARTBEAT_MS, nodeStateAnswerSchema } from '@runnel/shared/node-api';
import type { EndSession, NodeLoad, NodeRegistration } from '@runnel/shared/node-api';
import type { Logger } from '../log/logger.ts';
import { cpUrl, postControlPlane } from './cp-request.ts';

/** What the agent reads from the node each beat, and how it ends a publish. */
export interface NodeAgentDeps {
  readonly load: () => NodeLoad;
  /** Close the connection of SRS client `clientId`; false when it is not here (already gone). */
  readonly kick: (clientId: string) => boolean;
  readonly log: Logger;
}

export interface NodeAgentOptions {
  readonly url: string;
  readonly token: string;
  readonly registration: NodeRegistration;
  /** Per request; a beat that takes longer is a missed beat, the next one tries again. */
  readonly timeoutMs: number;
}

export interface NodeAgent {
  /** Registers, then beats until `stop()`. Resolves after the first registration attempt (a failure is retried each beat). */
  start(): Promise<void>;
  stop(): void;
}

/**
 * The node's side of the control plane's node API: register at start (id,
 * region, URLs, capacity), then a heartbeat with the load every
 * `heartbeat_interval_ms` (the control plane's answer wins). The answer lists
 * publishes to end (key rotated, stream disabled or deleted, completed): the
 * agent kicks those clients, and their on_unpublish tells the control plane.
 * A heartbeat answered 404 (the control plane lost us: restarted with a new
 * database, or swept us as down) registers again.
 */
export function createNodeAgent(opts: NodeAgentOptions, deps: NodeAgentDeps): NodeAgent {
  const { log } = deps;
  const id = opts.registration.node_id;
  let registered = false;
  let intervalMs = opts.registration.heartbeat_interval_ms;
  let timer: NodeJS.Timeout | null = null;
  let stopped = false;

  async function call(path: string, body: unknown): Promise<boolean> {
    const res = await postControlPlane(cpUrl(opts.url, path), opts.token, body, opts.timeoutMs);
    if (!res.ok) {
      log.warn('control_plane_unreachable', { path, detail: res.detail });
      return false;
    }
    if (res.status === 404 && path.endsWith('/heartbeat')) {
      registered = false;
      log.warn('control_plane_forgot_node', { node_id: id });
      return false;
    }
    if (res.status !== 200) {
      log.warn('control_plane_refused', { path, status: res.status, detail: res.text.slice(0, 300) });
      return false;
    }
    let json: unknown;
    try {
      json = JSON.parse(res.text);
    } catch {
      json = null;
    }
    const answer = nodeStateAnswerSchema.safeParse(json);
    if (!answer.success) {
      log.warn('control_plane_bad_answer', { path });
      return false;
    }
    const next = answer.data.data.heartbeat_interval_ms;
    intervalMs = next >= MIN_HEARTBEAT_MS && next <= MAX_HEARTBEAT_MS ? next : DEFAULT_HEARTBEAT_MS;
    endSessions(answer.data.data.end_sessions);
    return true;
  }

  function endSessions(list: readonly EndSession[]): void {
    for (const s of list) {
      if (deps.kick(s.client_id)) log.info('session_ended_by_control_plane', { client: s.client_id, session_id: s.session_id, reason: s.reason });
    }
  }

  async function beat(): Promise<void> {
    if (!registered) {
      registered = await call('internal/nodes/register', opts.registration);
      if (registered) log.info('registered', { node_id: id, control_plane: new URL(opts.url).origin });
      return;
    }
    await call(`internal/nodes/${id}/heartbeat`, { load: deps.load() });
  }

  function schedule(): void {
    if (stopped) return;
    timer = setTimeout(() => {
      beat().then(schedule, (e: unknown) => {
        log.error('heartbeat_failed', { error: e instanceof Error ? e : String(e) });
        schedule();
      });
    }, intervalMs);
    timer.unref();
  }

  return {
    async start() {
      await beat();
      schedule();
    },
    stop() {
      stopped = true;
      if (timer !== null) clearTimeout(timer);
    },
  };
}

/** Share of all cores this process used since the last call, 0..1 (the heartbeat's `cpu`). */
export function createCpuMeter(now: () => number = () => performance.now()): () => number {
  const cores = Math.max(1, cpus().length);
  let lastUsage = process.cpuUsage();
  let lastAt = now();
  return () => {
    const usage = process.cpuUsage();
    const at = now();
    const usedMs = (usage.user - lastUsage.user + usage.system - lastUsage.system) / 1000;
    const share = at > lastAt ? usedMs / (at - lastAt) / cores : 0;
    lastUsage = usage;
    lastAt = at;
    return Math.min(1, Math.max(0, share));
  };
}
