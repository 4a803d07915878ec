// Wiring of all listeners of one media node: the live hub, RTMP, SRT, the
// node HTTP server (HTTP-FLV, WS-FLV, players, WHIP/WHEP) and the SRS-compatible API.
import type { IncomingMessage, Server, ServerResponse } from 'node:http';
import { StreamRegistry } from '../hub/stream-registry.ts';
import type { S3Credentials } from '../storage/s3/s3-store.ts';
import { createApiHandler } from './api/api-handler.ts';
import { startApiServer } from './api/api-server.ts';
import type { ApiServer } from './api/api-server.ts';
import { createSystemProbe } from './api/system-probe.ts';
import { ClientRegistry } from './clients.ts';
import type { NodeConfig } from './config/index.ts';
import { DEFAULT_HEARTBEAT_MS } from '@runnel/shared/node-api';
import { chainHookClients, controlPlaneNodeId, createCpHookClient, createCpuMeter, createNodeAgent, nodeLoad, nodeRegistration } from './control-plane/index.ts';
import type { NodeAgent } from './control-plane/index.ts';
import { generateServiceId } from './config/index.ts';
import { DvrOutputs } from './dvr/dvr-outputs.ts';
import type { HookClient } from './hooks/hook-client.ts';
import { createHttpHookClient } from './hooks/http-hook-client.ts';
import { HlsOutputs } from './hls/hls-outputs.ts';
import { createNodeHttpServer } from './http/node-http-server.ts';
import { listen } from './listen.ts';
import { LiveNodeStats } from './live-node-stats.ts';
import type { Logger } from './log/logger.ts';
import { startRtmpListener } from './rtmp/rtmp-listener.ts';
import { SourceObservers } from './source-observers.ts';
import type { SrtEndpoint } from './srt/srt-endpoint.ts';
import { startSrtServer } from './srt/srt-server.ts';
import { openHlsStore } from './storage/open-hls-store.ts';
import { startRtcServer } from './webrtc/rtc-server.ts';
import type { RtcServer } from './webrtc/rtc-server.ts';
import { rtcSettings } from './webrtc/rtc-settings.ts';

export const RUNNEL_VERSION = '0.1.0';

export interface RunningNode {
  /** The bound ports (the real ones when 0 was asked). */
  readonly ports: { readonly rtmp: number; readonly http: number; readonly api: number | null; readonly srt: number | null; readonly rtc: number | null };
  readonly streams: StreamRegistry;
  readonly clients: ClientRegistry;
  /** The WebRTC UDP mux's counters (rtc.udp_mux), null when WebRTC is off or has a port per session. */
  readonly rtcMuxStats: { readonly unrouted: number; readonly sessions: number } | null;
  /** Stop accepting, close every client, release the ports. Idempotent. */
  stop(): Promise<void>;
}

export interface StartNodeOptions {
  readonly argv?: readonly string[];
  readonly cwd?: string;
  /** S3 keys from the environment (AWS_ACCESS_KEY_ID ...), read by the entry point; config keys win. */
  readonly awsCredentials?: S3Credentials;
}

const monotonicNow = (): number => performance.now();

export async function startNode(config: NodeConfig, logger: Logger, opts: StartNodeOptions = {}): Promise<RunningNode> {
  const hlsStore = config.hls.enabled ? await openHlsStore(config, logger, opts.awsCredentials) : null;
  const hlsRoot = hlsStore?.localRoot ?? null;
  const observers = new SourceObservers((error, event) => logger.error('source_observer_error', { error: error as Error, event }));
  const streams = new StreamRegistry({
    clock: { now: monotonicNow },
    sourceDefaults: {
      timeJitter: config.play.timeJitter,
      atc: config.play.atc,
      gopCache: config.play.gopCache,
      gopCacheMaxFrames: config.play.gopCacheMaxFrames === 0 ? Number.MAX_SAFE_INTEGER : config.play.gopCacheMaxFrames,
      reportError: (error) => logger.error('consumer_listener_error', { error: error as Error }),
      observer: observers,
    },
  });
  const clients = new ClientRegistry();
  const play = {
    queueLengthMs: config.play.queueLengthMs,
    mwLatencyMs: config.play.mwLatencyMs,
    mwMsgs: config.play.mwMsgs,
    minLatency: config.play.minLatency,
  };
  const host = config.listen.host;
  // One service id per process, shared by the API and the hook bodies (SRS 5+ `service_id`).
  const serviceId = generateServiceId();
  const localHooks = createHttpHookClient({ config: config.hooks, ids: { serverId: config.serverId, serviceId }, log: logger });
  const cp = config.controlPlane;
  // With a control plane, it admits first (and names the published stream); the node's own hooks still run after it.
  const cpNodeId = cp.url === '' ? null : controlPlaneNodeId(config);
  const hooks: HookClient =
    cpNodeId === null
      ? localHooks
      : chainHookClients(
          createCpHookClient({ url: cp.url, token: cp.nodeToken, ids: { serverId: cpNodeId, serviceId }, timeoutMs: config.hooks.timeoutMs, log: logger }),
          localHooks,
        );
  const hls = hlsStore === null ? null : new HlsOutputs({ store: hlsStore.store, config: config.hls, log: logger, hooks, clients, fileRoot: hlsRoot });
  observers.add(hls);
  const dvr = config.dvr.enabled ? await DvrOutputs.open({ config: config.dvr, dataDir: config.dataDir, hooks, clients, log: logger, storage: config.storage, awsCredentials: opts.awsCredentials }) : null;
  observers.add(dvr);

  const rtc: RtcServer | null = config.rtc.enabled
    ? await startRtcServer({ streams, clients, log: logger, hooks, play, now: monotonicNow, settings: rtcSettings(config), serverId: config.serverId })
    : null;
  const http: Server = createNodeHttpServer({ streams, clients, log: logger, hooks, play, now: monotonicNow, hlsRoot, ...(rtc === null ? {} : { rtc }) });
  const httpPort = await listen(http, 'http', host, config.listen.http, '--http-port or listen.http');

  const rtmp = await startRtmpListener(
    {
      streams,
      clients,
      log: logger,
      hooks,
      play,
      now: monotonicNow,
      config: {
        chunkSize: config.rtmp.chunkSize,
        handshakeTimeoutMs: config.rtmp.handshakeTimeoutMs,
        maxMessageBytes: config.rtmp.maxMessageBytes,
        firstPacketTimeoutMs: config.rtmp.publish.firstPacketTimeoutMs,
        normalTimeoutMs: config.rtmp.publish.normalTimeoutMs,
      },
    },
    host,
    config.listen.rtmp,
  );

  const srt: SrtEndpoint | null = config.srt.enabled
    ? await startSrtServer(
        { streams, clients, log: logger, hooks, play, now: monotonicNow, publish: config.rtmp.publish },
        config.srt,
        host,
        config.listen.srt,
      )
    : null;

  let api: ApiServer | null = null;
  if (config.httpApi.enabled) {
    const stats = new LiveNodeStats({ serverId: config.serverId, serviceId, streams, clients });
    const probe = createSystemProbe({ version: RUNNEL_VERSION, argv: opts.argv ?? [], cwd: opts.cwd ?? '' });
    const apiHandler = createApiHandler({ stats, probe, version: RUNNEL_VERSION, cors: config.httpApi.cors, logger });
    // SRS 4's WebRTC JSON API (/rtc/v1/play/, /publish/) lives on its API port (1985), where its players call it.
    const handler = rtc === null ? apiHandler : (req: IncomingMessage, res: ServerResponse) => void (rtc.handle(req, res) || apiHandler(req, res));
    api = await startApiServer({ host, port: config.listen.api, handler });
  }

  let agent: NodeAgent | null = null;
  if (cpNodeId !== null) {
    const cpu = createCpuMeter();
    const load = () => nodeLoad(streams.list(), clients.list(), cpu());
    const registration = nodeRegistration(config, { rtmp: rtmp.port, http: httpPort, srt: srt?.port ?? null, webrtc: rtc !== null }, RUNNEL_VERSION, DEFAULT_HEARTBEAT_MS);
    agent = createNodeAgent({ url: cp.url, token: cp.nodeToken, registration, timeoutMs: config.hooks.timeoutMs }, { load, kick: (id) => clients.kick(id), log: logger });
    await agent.start();
  }

  // Sources nobody publishes or plays are dropped after a minute (players of an unpublished stream keep theirs).
  const sweep = setInterval(() => streams.sweepIdle(60_000), 10_000);
  sweep.unref();

  let stopping: Promise<void> | null = null;
  return {
    // rtc: the shared WebRTC media port (rtc.udp_mux), else the first port as configured (0 = OS-chosen per session); null = off.
    ports: { rtmp: rtmp.port, http: httpPort, api: api?.port ?? null, srt: srt?.port ?? null, rtc: rtc === null ? null : (rtc.muxPort ?? config.listen.rtc) },
    streams,
    clients,
    rtcMuxStats: rtc?.muxStats ?? null,
    stop() {
      stopping ??= (async () => {
        clearInterval(sweep);
        agent?.stop();
        const rtmpClosed = rtmp.close();
        const httpClosed = new Promise<void>((resolve) => http.close(() => resolve()));
        await rtc?.close();
        for (const c of clients.list()) c.kick();
        http.closeAllConnections();
        await Promise.all([rtmpClosed, httpClosed, api?.close(), srt?.close()]);
        await dvr?.stop();
        await hls?.stop();
        await hlsStore?.close();
      })();
      return stopping;
    },
  };
}
